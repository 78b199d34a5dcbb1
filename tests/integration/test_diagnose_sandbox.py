"""Diagnoses of failures produced live on the real sandbox cluster.

The demo's failing sink (a file in a missing directory) and the DLQ sink's dead letters
(JsonConverter on bytes that are not JSON) are diagnosed; this module also creates, on
the spot, a DLQ that cannot be created, an SMT naming a missing field, an SMT failing
into a DLQ, an invalid RegexRouter and a transform class that is not installed, and
checks the rule each one gets. With ``KCTUI_CAPTURE_DIAGNOSE_FIXTURES=1`` it also saves
what the cluster answered as ``tests/fixtures/diagnose/sandbox-*`` (the unit tests' copies).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from kctui.configfile import write_cluster
from kctui.connect.client import ConnectClient
from kctui.connect.errors import BadRequest, ConnectError
from kctui.connect.models import ConnectorStatus
from kctui.diagnose import diagnose
from kctui.dlq.reader import DlqReader
from kctui.dlq.records import DeadLetter
from kctui.sandbox import scenario
from kctui.sandbox.cluster import Sandbox
from kctui.settings import ClusterConfig
from tests import polling
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diagnose"
CAPTURE = os.environ.get("KCTUI_CAPTURE_DIAGNOSE_FIXTURES") == "1"
FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"
PREFIX = "test-diagnose-"


def capture(name: str, text: str) -> None:
    if CAPTURE:
        (FIXTURES / name).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def failed_status(cluster: ClusterConfig, name: str) -> ConnectorStatus:
    async def fetch() -> ConnectorStatus:
        async with ConnectClient(cluster) as client:
            return await client.connector_status(name)

    return await polling.poll(
        f"a FAILED task of {name}",
        fetch,
        lambda s: any(t.state == "FAILED" and t.trace for t in s.tasks),
        timeout=90,
        tolerate=(ConnectError,),
    )


async def create(cluster: ClusterConfig, name: str, config: Mapping[str, str]) -> None:
    async with ConnectClient(cluster) as client:
        await client.create(name, config)


@pytest.fixture(scope="module")
def cluster(sandbox_cluster: ClusterConfig) -> Iterator[ClusterConfig]:
    yield sandbox_cluster

    async def cleanup() -> None:
        async with ConnectClient(sandbox_cluster) as client:
            for name in (await client.cluster_state()).connectors:
                if name.startswith(PREFIX):
                    await client.delete(name)

    run(cleanup())


def task_trace(status: ConnectorStatus) -> str:
    return next(t.trace for t in status.tasks if t.state == "FAILED" and t.trace)


def test_demo_failing_sink_missing_directory(cluster: ClusterConfig) -> None:
    status = run(failed_status(cluster, scenario.FAILING_SINK))
    trace = task_trace(status)
    capture("sandbox-file-sink-missing-dir.txt", trace)
    found = diagnose(trace, connector_class=FILE_SINK)
    assert found is not None and found.rule == "file-not-found"


def dead_letter_headers(dl: DeadLetter) -> dict[str, str | None]:
    return dict(dl.error_headers)


def test_demo_dlq_sink_dead_letters_not_json(sandbox_cluster: ClusterConfig) -> None:
    with DlqReader(sandbox_cluster) as reader:
        page = reader.newest(scenario.DLQ_TOPIC, 20)
    assert page.dead_letters
    capture(
        "sandbox-dlq-not-json.json", json.dumps(dead_letter_headers(page.dead_letters[0]), indent=2)
    )
    for dl in page.dead_letters:
        found = diagnose(dl.stacktrace or dl.exception_message, stage=dl.stage)
        assert found is not None and found.rule == "converter-not-json", dl.stacktrace


def test_dlq_that_cannot_be_created(cluster: ClusterConfig, sandbox: Sandbox) -> None:
    name = PREFIX + "dlq-rf3"
    run(create(cluster, name, {
        "connector.class": FILE_SINK,
        "tasks.max": "1",
        "topics": scenario.LINES_TOPIC,
        "file": str(sandbox.files_dir / "diagnose-rf3.txt"),
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": PREFIX + "dlq-rf3-dlq",  # replication factor 3
    }))  # fmt: skip
    trace = task_trace(run(failed_status(cluster, name)))
    capture("sandbox-dlq-init-failed.txt", trace)
    found = diagnose(trace)
    assert found is not None and found.rule == "dlq-init-failed"


def test_smt_naming_a_missing_field(cluster: ClusterConfig, sandbox: Sandbox) -> None:
    name = PREFIX + "smt-field"
    run(create(cluster, name, {
        "connector.class": FILE_SOURCE,
        "tasks.max": "1",
        "file": str(scenario.source_file(sandbox.files_dir)),
        "topic": PREFIX + "smt-field",
        "transforms": "hoist,pick",
        "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
        "transforms.hoist.field": "line",
        "transforms.pick.type": "org.apache.kafka.connect.transforms.ExtractField$Value",
        "transforms.pick.field": "no_such_field",
    }))  # fmt: skip
    trace = task_trace(run(failed_status(cluster, name)))
    capture("sandbox-smt-unknown-field.txt", trace)
    found = diagnose(trace)
    assert found is not None and found.rule == "smt-unknown-field"


def test_smt_failure_into_a_dlq(cluster: ClusterConfig, sandbox_cluster: ClusterConfig) -> None:
    name = PREFIX + "smt-dlq"
    dlq = PREFIX + "smt-dlq-dlq"
    run(create(cluster, name, {
        "connector.class": FILE_SINK,
        "tasks.max": "1",
        "topics": scenario.LINES_TOPIC,
        "file": "/dev/null",
        "transforms": "pick",
        "transforms.pick.type": "org.apache.kafka.connect.transforms.ExtractField$Value",
        "transforms.pick.field": "line",  # the lines are plain strings: no map to extract from
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true",
    }))  # fmt: skip
    with DlqReader(sandbox_cluster) as reader:

        def dead_letters() -> list[DeadLetter]:
            try:
                return list(reader.newest(dlq, 5).dead_letters)
            except Exception:  # the topic appears with the first dead letter
                return []

        polling.wait_until(lambda: bool(dead_letters()), timeout=90, what=f"dead letters in {dlq}")
        dl = dead_letters()[0]
    assert dl.stage == "TRANSFORMATION"
    capture("sandbox-smt-dlq-header.json", json.dumps(dead_letter_headers(dl), indent=2))
    found = diagnose(dl.stacktrace or dl.exception_message, stage=dl.stage)
    assert found is not None and found.rule == "smt-needs-structured-data"
    unknown = diagnose("no rule knows this message", stage=dl.stage)  # the stage alone
    assert unknown is not None and unknown.rule == "smt-failed-dlq"


def rejected(cluster: ClusterConfig, name: str, config: Mapping[str, str]) -> BadRequest:
    with pytest.raises(BadRequest) as raised:
        run(create(cluster, name, config))
    return raised.value


def test_invalid_regexrouter_is_refused_with_a_diagnosis(cluster: ClusterConfig) -> None:
    error = rejected(cluster, PREFIX + "regex", {
        "connector.class": FILE_SOURCE,
        "file": "/dev/null",
        "topic": PREFIX + "regex",
        "transforms": "route",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "orders-([0-9]+",
        "transforms.route.replacement": "$1",
    })  # fmt: skip
    capture(
        "sandbox-regexrouter-invalid.json",
        json.dumps({"error_code": error.status, "message": error.detail}),
    )
    found = diagnose(error.detail)
    assert found is not None and found.rule == "smt-regex-invalid"


def test_transform_not_installed_is_refused_with_a_diagnosis(cluster: ClusterConfig) -> None:
    error = rejected(cluster, PREFIX + "nosuch", {
        "connector.class": FILE_SOURCE,
        "file": "/dev/null",
        "topic": PREFIX + "nosuch",
        "transforms": "mask",
        "transforms.mask.type": "com.example.kafka.MaskEverything",
    })  # fmt: skip
    capture(
        "sandbox-transform-class-not-found.json",
        json.dumps({"error_code": error.status, "message": error.detail}),
    )
    found = diagnose(error.detail)
    assert found is not None and found.rule == "class-not-found"


def kctui(args: list[str], config: Path) -> subprocess.CompletedProcess[str]:
    return run_kctui(*args, config=config)


@pytest.fixture(scope="module")
def config_file(sandbox_config_file: Path) -> Path:
    return sandbox_config_file


def test_describe_json_carries_the_diagnosis_next_to_the_failed_task(
    cluster: ClusterConfig, config_file: Path
) -> None:
    run(failed_status(cluster, scenario.FAILING_SINK))
    result = kctui(["describe", scenario.FAILING_SINK, "--json"], config_file)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    failed = [t for t in data["tasks"] if t["state"] == "FAILED"]
    assert failed and failed[0]["diagnosis"]["rule"] == "file-not-found"
    assert set(failed[0]["diagnosis"]) == {"rule", "summary", "action", "link"}
    assert data["diagnosis"] is None  # the connector itself is RUNNING: nothing to explain


def test_describe_text_shows_the_diagnosis(cluster: ClusterConfig, config_file: Path) -> None:
    run(failed_status(cluster, scenario.FAILING_SINK))
    result = kctui(["describe", scenario.FAILING_SINK], config_file)
    assert "Diagnosis (file-not-found)" in result.stdout
    assert "does not exist on the worker" in result.stdout


def test_triage_json_carries_the_diagnosis(cluster: ClusterConfig, config_file: Path) -> None:
    run(failed_status(cluster, scenario.FAILING_SINK))
    result = kctui(["triage", "--format", "json"], config_file)
    data: dict[str, Any] = json.loads(result.stdout)
    finding = next(f for f in data["findings"] if f["name"] == scenario.FAILING_SINK)
    assert finding["failed_tasks"][0]["diagnosis"]["rule"] == "file-not-found"
    assert finding["connector_diagnosis"] is None
    text = kctui(["triage"], config_file).stdout
    assert "Diagnosis (file-not-found)" in text


def test_a_bad_user_rule_file_is_a_clear_error(
    cluster: ClusterConfig, sandbox: Sandbox, tmp_path: Path
) -> None:
    run(failed_status(cluster, scenario.FAILING_SINK))
    config = tmp_path / "config.toml"
    write_cluster(config, "sandbox", sandbox.cluster_table(), make_current=True)
    rules = tmp_path / "rules.toml"  # beside the config file
    rules.write_text(
        '[[rule]]\nid = "ours"\nsummary = "s"\naction = "a"\n[rule.match]\nmessages = ["(x"]\n'
    )
    result = kctui(["describe", scenario.FAILING_SINK], config)
    assert result.returncode == 2
    # the file, the line of the bad key (6: messages = ...), the rule and what is wrong
    assert f"rules file {rules}:6, rule 'ours': 'messages' regex '(x' is invalid" in result.stderr
    assert "Traceback" not in result.stderr


def test_dlq_summary_cli_diagnoses_each_group(config_file: Path) -> None:
    result = kctui(["dlq", "--summary", "--json"], config_file)
    assert result.returncode == 0, result.stderr
    topics = {t["topic"]: t for t in json.loads(result.stdout)["topics"]}
    groups = topics[scenario.DLQ_TOPIC]["groups"]
    assert groups and all(g["diagnosis"]["rule"] == "converter-not-json" for g in groups)
    text = kctui(["dlq", "--summary"], config_file).stdout
    assert "DIAGNOSIS" in text and "Diagnosis (converter-not-json)" in text


def test_demo_avro_sink_dead_letters_are_schema_registry_wire_format(
    sandbox_cluster: ClusterConfig,
) -> None:
    """Cross-signal: the JsonConverter fails on Avro records (magic byte 0, schema id), and
    the diagnosis says so with the schema id instead of 'not JSON'."""
    from kctui.diagnose.dlq import diagnose_dead_letter, pair_diagnoses
    from kctui.dlq.wire import split_wire

    with DlqReader(sandbox_cluster) as reader:
        polling.wait_until(
            lambda: sum(e - b for b, e in reader.bounds(scenario.AVRO_DLQ_TOPIC).values())
            >= scenario.AVRO_RECORDS,
            timeout=90, interval=0.5, what="the Avro dead letters",
        )  # fmt: skip
        page = reader.newest(scenario.AVRO_DLQ_TOPIC, scenario.AVRO_RECORDS)
    assert page.dead_letters
    for dl in page.dead_letters:
        frame = split_wire(dl.record.value)
        assert frame is not None
        found = diagnose_dead_letter(dl)
        assert found is not None and found.rule == "converter-schema-registry-wire-format"
        assert f"schema id {frame.schema_id}" in found.summary
        assert "Avro" in found.summary  # the reader asked the sandbox's registry
        assert "AvroConverter" in found.action and found.category == "serialization"
    groups = pair_diagnoses(page.dead_letters)
    assert {d.rule for d in groups.values()} == {"converter-schema-registry-wire-format"}


def test_dlq_summary_cli_says_wire_format_for_the_avro_sink(config_file: Path) -> None:
    result = kctui(["dlq", scenario.AVRO_DLQ_TOPIC, "--summary", "--json"], config_file)
    assert result.returncode == 0, result.stderr
    topics = {t["topic"]: t for t in json.loads(result.stdout)["topics"]}
    groups = topics[scenario.AVRO_DLQ_TOPIC]["groups"]
    assert groups
    assert {g["diagnosis"]["rule"] for g in groups} == {"converter-schema-registry-wire-format"}


def test_explain_reads_a_live_status_answer(
    cluster: ClusterConfig, config_file: Path, tmp_path: Path
) -> None:
    """A status answer saved as JSON, and the same trace behind compose prefixes, both
    explain the failing sink."""
    status = run(failed_status(cluster, scenario.FAILING_SINK))
    answer = {"name": scenario.FAILING_SINK,
              "connector": {"state": "RUNNING", "worker_id": "w"},
              "tasks": [{"id": t.id, "state": t.state, "worker_id": t.worker_id, "trace": t.trace}
                        for t in status.tasks]}  # fmt: skip
    saved = tmp_path / "status.json"
    saved.write_text(json.dumps(answer), encoding="utf-8")
    trace = next(t.trace for t in status.tasks if t.trace)
    prefixed = tmp_path / "compose.log"
    prefixed.write_text("\n".join(f"connect-1  | {line}" for line in trace.splitlines()))
    for path in (saved, prefixed):
        result = kctui(["explain", str(path), "--json"], config_file)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["diagnosis"]["rule"] == "file-not-found"
        assert data["category"] == "missing-resource"
