"""No credential from a real trace, log line or DLQ error header reaches any headless output:
describe (text, JSON), triage (text, Markdown, JSON), ``kctui logs``, ``kctui dlq`` and the
DLQ export. Samples: tests/fixtures/traces/PROVENANCE.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctui import report
from kctui.cli import main
from kctui.commands.dlq import _print_page
from kctui.connect.models import ClusterState
from kctui.dlq.export import dumps_line, export_jsonl
from kctui.dlq.pages import Page
from kctui.dlq.records import (
    H_EXCEPTION,
    H_MESSAGE,
    H_STACKTRACE,
    H_TOPIC,
    KafkaRecord,
    decode_dead_letter,
)
from kctui.triage import build_report, render_json, render_markdown, render_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "traces"
JDBC_LOG = (FIXTURES / "log-jdbc-sink-no-driver-password.log").read_text()
JDBC_TRACE = JDBC_LOG.split("\n", 1)[1]  # the trace without its log header line
CAMEL_LOG = (FIXTURES / "log-camel-aws-secret.log").read_text()
AMPERSAND = json.loads((FIXTURES / "validate-jdbc-password-ampersand.txt").read_text())["message"]
SECRETS = ("password=demo", "wJalrXUtnFEMI", "!Pn@QK", "OQ^o2")


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def state() -> ClusterState:
    return ClusterState.from_json(
        {
            "jdbc-sink": {
                "status": {
                    "connector": {"state": "FAILED", "worker_id": "w1", "trace": JDBC_TRACE},
                    "tasks": [{"id": 0, "state": "FAILED", "worker_id": "w2", "trace": JDBC_TRACE}],
                    "type": "sink",
                },
                "info": {
                    "config": {"connector.class": "JdbcSinkConnector"},
                    "tasks": [],
                    "type": "sink",
                },  # fmt: skip
            }
        }
    )


def test_describe_text_and_json() -> None:
    connector = state().connectors["jdbc-sink"]
    text = report.describe_text(connector, cluster="prod")
    document = report.describe_json(connector, cluster="prod")
    assert "No suitable driver found" in text and "password=********" in text
    assert document["trace_summary"] == [
        "error: ConnectException: java.sql.SQLException: No suitable driver found for "
        "jdbc:mysql://172.151.30.117:3306/demo?user=demo&password=********"
    ]
    assert_clean(text)
    assert_clean(json.dumps(document))


def test_triage_every_format() -> None:
    log_lines = {"jdbc-sink": JDBC_LOG.splitlines() + CAMEL_LOG.splitlines()}
    triage = build_report("prod", state(), log_lines=log_lines)
    (finding,) = triage.findings
    assert finding.failed_tasks[0].summary[0].endswith("password=********")
    as_json = json.dumps(render_json(triage))
    for rendered in (render_text(triage), render_markdown(triage), as_json):
        assert "No suitable driver found" in rendered and "secretKey=********" in rendered
        assert_clean(rendered)


def test_kctui_logs_prints_masked_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "connect.log"
    log.write_text(CAMEL_LOG + JDBC_LOG, encoding="utf-8")
    assert main(["logs", str(log), "--color", "never"]) == 0
    printed = capsys.readouterr().out
    assert "camel.component.aws-s3.secretKey=********" in printed
    assert "No suitable driver found" in printed
    assert_clean(printed)


def dead_letter() -> KafkaRecord:
    headers = [
        (H_TOPIC, b"orders"),
        (H_EXCEPTION, b"org.apache.kafka.connect.errors.ConnectException"),
        (H_MESSAGE, AMPERSAND.encode()),
        (H_STACKTRACE, JDBC_TRACE.encode()),
    ]
    payload = b'{"note": "password=demo stays: the payload is the user\'s data"}'
    return KafkaRecord("dlq", 0, 5, 1_700_000_000_000, b"k", payload, tuple(headers))


def test_kctui_dlq_table_json_and_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dl = decode_dead_letter(dead_letter())
    page = Page(topic="dlq", dead_letters=(dl,), ranges=((0, 5, 6),), bounds=((0, 5, 6),))
    _print_page(page, as_json=False)
    table = capsys.readouterr().out
    assert "Connector configuration is invalid" in table
    assert_clean(table)
    line = dumps_line(dl)
    exported = json.loads(line)
    assert exported["connect"]["stacktrace"].startswith("org.apache.kafka.connect.errors.")
    assert "password=********" in exported["error_headers"][H_MESSAGE]
    # The record payload is the user's data: exported exactly, not masked.
    assert "password=demo stays" in exported["value"]["text"]
    exported.pop("value")
    assert_clean(json.dumps(exported))
    path = tmp_path / "out.jsonl"
    assert export_jsonl([dl], path) == 1
    assert_clean(json.dumps(json.loads(path.read_text())["error_headers"]))


def test_cli_error_lines_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCTUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("KCTUI_URL", raising=False)
    code = main(["--url", "http://admin:hunter2@127.0.0.1:9/", "describe", "x"])
    err = capsys.readouterr().err
    assert code != 0 and "127.0.0.1:9" in err
    assert "hunter2" not in err and "admin:********@" in err
