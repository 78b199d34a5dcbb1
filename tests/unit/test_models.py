"""Lenient parsing of Connect answers: missing fields, unknown states, extra fields."""

from __future__ import annotations

import pytest

from kctui.connect.models import (
    ClusterState,
    ConnectorInfo,
    ConnectorOffset,
    ConnectorStatus,
    KafkaVersion,
    PluginInfo,
    ServerInfo,
    TaskInfo,
    TaskStatus,
    ValidationResult,
    first_line,
)

FULL = {
    "demo": {
        "status": {
            "name": "demo",
            "connector": {"state": "RUNNING", "worker_id": "w1:8083", "version": "4.1.0"},
            "tasks": [
                {"id": 1, "state": "FAILED", "worker_id": "w2:8083", "trace": "E: x\n\tat y"},
                {"id": 0, "state": "RUNNING", "worker_id": "w1:8083"},
            ],
            "type": "sink",
        },
        "info": {
            "name": "demo",
            "config": {"connector.class": "org.a.FileSink", "tasks.max": 2, "x": None},
            "tasks": [{"connector": "demo", "task": 0}, {"connector": "demo", "task": 1}],
            "type": "sink",
        },
    }
}


def test_full_cluster_state() -> None:
    state = ClusterState.from_json(FULL, fetched_at=5.0, worker_url="http://w1:8083")
    demo = state.connectors["demo"]
    assert [t.id for t in demo.tasks] == [0, 1]  # sorted by id
    assert demo.failed_task_ids == (1,) and demo.running_task_count == 1
    assert demo.workers == ("w1:8083", "w2:8083") and state.workers == ("w1:8083", "w2:8083")
    assert demo.config["tasks.max"] == "2" and demo.config["x"] == ""
    assert demo.info.short_class == "FileSink" and demo.status.version == "4.1.0"
    assert demo.tasks[1].trace_first_line == "E: x"
    assert [t.id for t in state.failed_tasks] == [1]
    assert (state.fetched_at, state.worker_url) == (5.0, "http://w1:8083")


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        [],
        "garbage",
        {"x": None},
        {"x": {"status": None, "info": None}},
        {"x": {"status": {"connector": "nope", "tasks": "nope"}, "info": {"config": []}}},
        {"x": {"status": {"tasks": [None, 3, {"id": "7", "state": 5}]}}},
    ],
)
def test_odd_payloads_never_raise(payload: object) -> None:
    state = ClusterState.from_json(payload)
    for connector in state.connectors.values():
        assert connector.state == "UNASSIGNED"
        assert all(t.state == "UNASSIGNED" for t in connector.tasks)


def test_numeric_string_task_id_is_kept() -> None:
    status = ConnectorStatus.from_json("x", {"tasks": [{"id": "7", "state": "running"}]})
    assert status.tasks[0].id == 7 and status.tasks[0].state == "RUNNING"


def test_plain_name_list_when_expand_is_not_understood() -> None:
    state = ClusterState.from_json(["a", "b"])
    assert sorted(state.connectors) == ["a", "b"]
    assert state.connectors["a"].state == "UNASSIGNED"


def test_unknown_states_and_extra_fields_are_kept_or_ignored() -> None:
    data = {
        "name": "n",
        "connector": {"state": "HIBERNATING", "worker_id": "w", "shiny_new_field": [1]},
        "tasks": [{"id": 0, "state": "DRAINING", "worker_id": "w", "extra": {"a": 1}}],
        "type": "source",
        "future": True,
    }
    status = ConnectorStatus.from_json("n", data)
    assert status.state == "HIBERNATING" and status.tasks[0].state == "DRAINING"
    assert status.type == "source"


def test_missing_fields_get_neutral_defaults() -> None:
    task = TaskStatus.from_json("c", {})
    assert (task.id, task.state, task.worker_id, task.trace) == (-1, "UNASSIGNED", "", None)
    info = ConnectorInfo.from_json("c", {"tasks": [{"task": "x"}, "bad"]})
    assert info.name == "c" and info.type == "unknown" and info.tasks == (-1,)
    assert TaskStatus.from_json("c", {"trace": ""}).trace is None


@pytest.mark.parametrize(
    ("raw", "parts", "known"),
    [
        ("4.1.0", (4, 1, 0), True),
        ("3.9.1-ce", (3, 9, 1), True),
        ("7.6.0-ccs", (7, 6, 0), True),
        ("3.7", (3, 7, 0), True),
        ("4.2.0-SNAPSHOT", (4, 2, 0), True),
        ("unknown", (0, 0, 0), False),
        (None, (0, 0, 0), False),
        (41, (0, 0, 0), False),
    ],
)
def test_kafka_version(raw: object, parts: tuple[int, int, int], known: bool) -> None:
    version = KafkaVersion.parse(raw)
    assert (version.major, version.minor, version.patch) == parts
    assert version.known is known


@pytest.mark.parametrize(
    ("version", "stop", "alter", "initial", "patch", "plugin_version"),
    [
        ("3.4.0", False, False, False, False, False),
        ("3.5.1", True, False, False, False, False),
        ("3.6.0", True, True, False, False, False),
        ("3.7.2", True, True, True, False, False),
        ("3.8.0", True, True, True, True, False),
        ("4.1.0", True, True, True, True, True),
        ("garbled", True, True, True, True, True),  # unknown: assume new, the call decides
    ],
)
def test_server_features(
    version: str, stop: bool, alter: bool, initial: bool, patch: bool, plugin_version: bool
) -> None:
    info = ServerInfo.from_json({"version": version, "commit": "c", "extra": 1})
    assert info.supports_stop is stop and info.supports_offsets_read is stop
    assert info.supports_offsets_alter is alter
    assert info.supports_initial_state is initial and info.supports_logger_scope is initial
    assert info.supports_patch_config is patch
    assert info.supports_plugin_version is plugin_version
    assert ServerInfo.from_json("not a dict").version.known is False


def test_other_models() -> None:
    task = TaskInfo.from_json("c", {"id": {"connector": "c", "task": 2}, "config": {"a": 1}})
    assert (task.id, task.config) == (2, {"a": "1"})
    sink = ConnectorOffset.from_json(
        {"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": 3}}
    )
    assert sink.is_sink and not ConnectorOffset.from_json({"partition": {"file": "f"}}).is_sink
    assert ConnectorOffset.from_json(None).offset is None
    plugin = PluginInfo.from_json({"class": "a.b.C", "type": "sink"})
    assert plugin.short_name == "C" and plugin.version == ""
    result = ValidationResult.from_json(
        {
            "name": "C",
            "error_count": 1,
            "configs": [
                {"value": {"name": "tasks.max", "errors": ["Invalid value"]}},
                {"value": {"name": "file", "errors": []}},
                "junk",
            ],
        }
    )
    assert not result.valid and result.errors == {"tasks.max": ("Invalid value",)}
    assert ValidationResult.from_json({}).valid


@pytest.mark.parametrize(
    ("text", "expected"), [(None, ""), ("", ""), ("\n\n  a: b \n\tat c", "a: b"), ("x", "x")]
)
def test_first_line(text: str | None, expected: str) -> None:
    assert first_line(text) == expected
