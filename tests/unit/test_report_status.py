"""Headless rendering: connector rows, exit codes, the status table, describe output."""

from __future__ import annotations

import pytest

from kctui import report
from kctui.connect.models import ClusterState, ServerInfo
from kctui.health import Health
from kctui.masking import MASK
from kctui.rows import connector_rows


def entry(state: str, tasks: list[str], config: dict[str, str] | None = None) -> dict:
    return {
        "status": {
            "connector": {"state": state, "worker_id": "w1:8083"},
            "tasks": [
                {
                    "id": i,
                    "state": s,
                    "worker_id": f"w{i % 2 + 1}:8083",
                    "trace": "org.x.Boom: it broke\n\tat org.x.Y" if s == "FAILED" else None,
                }
                for i, s in enumerate(tasks)
            ],  # fmt: skip
            "type": "sink",
        },
        "info": {"config": config or {"connector.class": "org.x.Sink"}, "type": "sink"},
    }


STATE = ClusterState.from_json(
    {
        "zeta-ok": entry("RUNNING", ["RUNNING", "RUNNING"]),
        "alpha-paused": entry("PAUSED", ["PAUSED"]),
        "mid-degraded": entry("RUNNING", ["RUNNING", "FAILED"]),
        "beta-broken": entry("RUNNING", ["FAILED"]),
    },
    worker_url="http://w1:8083",
)
SERVER = ServerInfo.from_json({"version": "4.1.0"})


def test_rows_are_worst_first() -> None:
    rows = connector_rows(STATE)
    assert [r.name for r in rows] == ["beta-broken", "mid-degraded", "alpha-paused", "zeta-ok"]
    degraded = rows[1]
    assert (degraded.tasks_running, degraded.tasks_total) == (1, 2)
    assert degraded.failed_task_ids == (1,) and degraded.health is Health.DEGRADED


@pytest.mark.parametrize(
    ("connectors", "code"),
    [
        ({}, 0),
        ({"a": entry("RUNNING", ["RUNNING"])}, 0),
        ({"a": entry("PAUSED", ["PAUSED"]), "b": entry("STOPPED", [])}, 0),
        ({"a": entry("RUNNING", ["RUNNING", "FAILED"])}, 1),
        ({"a": entry("FAILED", [])}, 1),
        ({"a": entry("RUNNING", ["UNASSIGNED"])}, 1),
    ],
)
def test_exit_code(connectors: dict, code: int) -> None:
    assert report.exit_code(connector_rows(ClusterState.from_json(connectors))) == code


def test_status_text_plain_and_coloured() -> None:
    rows = connector_rows(STATE)
    plain = report.status_text(STATE, rows, cluster="prod", server=SERVER)
    lines = plain.splitlines()
    assert lines[0].startswith("cluster prod (Kafka 4.1.0, 2 workers, via http://w1:8083): 4")
    assert "1 UNHEALTHY, 1 DEGRADED, 1 PAUSED, 1 HEALTHY" in lines[0]
    assert lines[1].split() == [
        "NAME", "TYPE", "STATE", "TASKS", "FAILED", "WORKERS", "HEALTH", "REASON"
    ]  # fmt: skip
    assert lines[2].split()[:7] == [
        "beta-broken",
        "sink",
        "RUNNING",
        "0/1",
        "1",
        "w1:8083",
        "UNHEALTHY",
    ]
    assert "org.x.Boom: it broke" in lines[2]
    assert "\x1b[" not in plain
    coloured = report.status_text(STATE, rows, cluster="prod", server=SERVER, color=True)
    assert "\x1b[1;31mbeta-broken" in coloured and "\x1b[32mzeta-ok" in coloured


def test_status_text_cuts_reasons_to_the_width() -> None:
    rows = connector_rows(STATE)
    text = report.status_text(STATE, rows, cluster="p", server=None, width=90)
    assert all(len(line) <= 90 for line in text.splitlines()[1:])
    assert "…" in text


def test_narrow_terminal_drops_the_workers_column_first() -> None:
    rows = connector_rows(STATE)
    wide = report.status_text(STATE, rows, cluster="p", server=None, width=200)
    narrow = report.status_text(STATE, rows, cluster="p", server=None, width=80)
    assert "WORKERS" in wide.splitlines()[1] and "WORKERS" not in narrow.splitlines()[1]
    assert all(len(line) <= 80 for line in narrow.splitlines()[1:])
    assert "all tasks failed: task 0" in narrow


def test_empty_cluster() -> None:
    empty = ClusterState.from_json({})
    assert report.status_text(empty, [], cluster="p", server=None).endswith("no connectors")
    document = report.status_json(empty, [], cluster="p", server=None)
    assert document["connectors"] == [] and document["summary"]["connectors"] == 0


SMT_CONFIG = {
    "connector.class": "org.x.JdbcSink",
    "connection.url": "jdbc:postgresql://db/app?user=u&password=pw",
    "connection.password": "pw",
    "transforms": "route, mask ,unwrap",
    "transforms.unwrap.type": "io.debezium.ExtractNewRecordState",
    "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
    "transforms.route.regex": "(.*)",
    "transforms.route.replacement": "copy-$1",
    "transforms.route.predicate": "isOrders",
    "transforms.route.negate": "true",
    "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
    "transforms.mask.fields": "ssn",
    "transforms.mask.replacement.password": "secret-in-smt",
    "errors.tolerance": "all",
    "errors.deadletterqueue.topic.name": "dlq",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
}


def test_transform_chain_keeps_order_and_settings() -> None:
    steps = report.transform_chain(SMT_CONFIG)
    assert [s.alias for s in steps] == ["route", "mask", "unwrap"]
    route = steps[0]
    assert route.type.endswith("RegexRouter") and route.predicate == "isOrders" and route.negate
    assert dict(route.settings) == {"regex": "(.*)", "replacement": "copy-$1"}
    assert report.transform_chain({"transforms": "x"})[0].type == "(type not set)"
    assert report.transform_chain({}) == []


def test_describe_masks_secrets_everywhere() -> None:
    state = ClusterState.from_json({"sink": entry("RUNNING", ["FAILED"], SMT_CONFIG)})
    connector = state.connectors["sink"]
    document = report.describe_json(connector, cluster="prod")
    assert document["config"]["connection.password"] == MASK
    assert document["config"]["connection.url"].endswith(f"password={MASK}")
    assert document["transforms"][1]["settings"]["replacement.password"] == MASK
    assert document["converters"] == {
        "key": "worker default",
        "value": "org.apache.kafka.connect.json.JsonConverter",
        "header": "worker default",
    }
    assert document["errors"]["errors.tolerance"] == "all" and document["dlq_topic"] == "dlq"
    text = report.describe_text(connector, cluster="prod")
    assert "pw" not in text.replace("password", "") and "secret-in-smt" not in text
    assert "1. route  org.apache.kafka.connect.transforms.RegexRouter  if not isOrders" in text
    assert "org.x.Boom: it broke" in text and "\tat org.x.Y" in text
    assert "dead letter queue: topic dlq" in text


def test_credentials_in_traces_are_masked() -> None:
    trace = "java.sql.SQLException: cannot open jdbc:mysql://db/app?user=u&password=hunter2\n\tat x"
    data = entry("RUNNING", ["RUNNING"])
    data["status"]["tasks"][0].update(state="FAILED", trace=trace)
    data["status"]["connector"]["trace"] = "failed at https://ops:hunter2@registry:8081"
    connector = ClusterState.from_json({"c": data}).connectors["c"]
    text = report.describe_text(connector, cluster="p")
    rows = connector_rows(ClusterState.from_json({"c": data}))
    assert "hunter2" not in text and "hunter2" not in rows[0].reason
    assert f"password={MASK}" in text and f"https://ops:{MASK}@registry:8081" in text
