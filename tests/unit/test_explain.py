"""``kctui explain``: any pasted failure in, its chain and diagnosis out (masked); exit 0
diagnosed, 1 not, 2 unreadable input, with a one-line message and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kctui.diagnose.explain import (
    MAX_INPUT_BYTES,
    InputError,
    decode_input,
    explain,
    explanation_json,
    explanation_lines,
)

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "explain" / "tuning"
TRACES = ROOT / "tests" / "fixtures" / "traces"


def kctui(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kctui", "explain", *args],
        input=stdin, capture_output=True, timeout=60, check=False,
    )  # fmt: skip


def test_diagnosed_text_exits_0_with_category_system_and_action() -> None:
    done = kctui(str(SAMPLES / "oracle-logminer-ora01031.txt"))
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    assert "Category: authorization" in out and "System: Oracle" in out
    assert "Diagnosis (generic:authorization): permission denied at Oracle" in out
    assert "Action: Oracle refused" in out


def test_json_has_the_documented_keys() -> None:
    done = kctui("--json", stdin=(SAMPLES / "gcs-aiven-403-objects-create.txt").read_bytes())
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"root_cause", "chain", "category", "system", "diagnosis"} <= set(data)
    assert data["category"] == "authorization"
    assert data["system"] == "Google Cloud Storage"
    assert data["root_cause"]["class"] == "com.google.api.client.http.HttpResponseException"
    assert set(data["diagnosis"]) == {"rule", "summary", "action", "link"}
    assert [line["label"] for line in data["chain"]] == ["error", "root cause"]


def test_unrelated_trace_exits_1() -> None:
    done = kctui(str(TRACES / "trace-logback-common-frames-omitted.txt"))
    assert done.returncode == 1
    assert "No diagnosis" in done.stdout.decode()


def test_secrets_in_the_pasted_text_are_masked() -> None:
    text = (TRACES / "log-jdbc-sink-no-driver-password.log").read_bytes()
    for args in ((), ("--json",)):
        done = kctui(*args, stdin=text)
        out = done.stdout.decode()
        assert done.returncode == 0, done.stderr
        assert "password=demo" not in out and "password=********" in out
        assert "No suitable driver" in out


@pytest.mark.parametrize(
    ("stdin", "reason"),
    [
        (b"", "is empty"),
        (b"  \n\t\n", "is empty"),
        (bytes(range(256)) * 40, "is binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(4000), "is binary"),
        (b"\xff\xfe\xfd" * 2000, "is not UTF-8"),
    ],
    ids=["empty", "blank", "bytes", "png", "not-utf8"],
)
def test_unreadable_stdin_exits_2_with_one_line(stdin: bytes, reason: str) -> None:
    done = kctui(stdin=stdin)
    err = done.stderr.decode()
    assert done.returncode == 2
    assert reason in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not done.stdout


def test_a_50_mb_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    big = tmp_path / "worker.log"
    with big.open("wb") as handle:
        line = b"[2024-05-01 10:00:00,000] INFO nothing to see (org.example.Thing:1)\n"
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    done = kctui(str(big))
    err = done.stderr.decode()
    assert done.returncode == 2 and "larger than 8 MiB" in err and "Traceback" not in err


def test_missing_file_and_directory_exit_2(tmp_path: Path) -> None:
    for target, reason in ((tmp_path / "nope.txt", "No such file"), (tmp_path, "directory")):
        done = kctui(str(target))
        assert done.returncode == 2 and reason in done.stderr.decode()


def test_a_few_bad_bytes_are_noted_and_the_rest_explained() -> None:
    text = (SAMPLES / "iceberg-no-space-left-title.txt").read_bytes() + b" caf\xe9\n"
    done = kctui(stdin=text)
    assert done.returncode == 0
    assert "not valid UTF-8 (byte 0xe9" in done.stderr.decode()
    assert "Category: resources" in done.stdout.decode()


def test_decode_input_refuses_what_it_cannot_read() -> None:
    with pytest.raises(InputError, match="larger than"):
        decode_input(b"x", truncated=True)
    with pytest.raises(InputError, match="larger than"):
        decode_input(b"x" * (MAX_INPUT_BYTES + 1))
    assert decode_input("Trace: ok ✓".encode()) == ("Trace: ok ✓", None)


def test_a_dlq_header_dump_gives_its_stage() -> None:
    dump = (
        "__connect.errors.stage=VALUE_CONVERTER\n"
        "__connect.errors.exception.class.name=org.apache.kafka.connect.errors.DataException\n"
        "__connect.errors.exception.message=Converting byte[] to Kafka Connect data failed due "
        "to serialization error: \n"
    )
    found = explain(dump)
    assert found.stage == "VALUE_CONVERTER"
    assert found.diagnosis is not None and found.diagnosis.rule == "converter-not-json"
    data = explanation_json(found)
    assert data["stage"] == "VALUE_CONVERTER" and data["category"] == "serialization"
    assert any(line.startswith("Category: serialization") for line in explanation_lines(found))


def test_the_users_rules_beside_config_decide_and_a_bad_one_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--config`` names where the user's rules.toml sits; its rule wins, and a broken
    file stops with the file, the line and the rule (exit 2, one line)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no other rules.toml
    config = tmp_path / "prod" / "config.toml"
    config.parent.mkdir()
    rules = config.parent / "rules.toml"
    rules.write_text(
        '[[rule]]\nid = "our-oracle-grants"\npriority = 90\nsummary = "Grants again."\n'
        'action = "Ask the DBA team."\n[rule.match]\nmessages = ["ORA-01031"]\n',
        encoding="utf-8",
    )
    sample = str(SAMPLES / "oracle-logminer-ora01031.txt")
    done = kctui(sample, "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "Diagnosis (our-oracle-grants): Grants again." in done.stdout.decode()
    rules.write_text('[[rule]]\nid = "our-oracle-grants"\n\npriority = "high"\n', "utf-8")
    done = kctui(sample, "--config", str(config))
    assert done.returncode == 2
    error = done.stderr.decode()
    assert f"rules file {rules}:4, rule 'our-oracle-grants': 'priority' must be" in error
    assert "Traceback" not in error
