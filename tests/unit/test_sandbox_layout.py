"""Port planning, version specs, property files and the scenario's settle check (pure)."""

from __future__ import annotations

import pytest

from kctui.sandbox import layout, scenario
from kctui.sandbox.jars import matches_spec, newest_matching, resolve_version


def test_default_ports_avoid_a_real_kafka_on_the_same_host() -> None:
    plan = layout.plan_ports()
    used = set(plan.named().values())
    assert plan.worker_rest == (29083, 29084)
    assert plan.worker_jmx == (29073, 29074)
    assert plan.worker_prometheus == (29040, 29041)
    assert plan.worker_jolokia == (29050, 29051)
    assert plan.broker == 29092
    assert used.isdisjoint({8083, 9092, 9093, 9999, 2181})
    assert len(used) == len(plan.named())


@pytest.mark.parametrize("base", [1024, 20000, 31000, 65335])
def test_port_base_moves_every_port_without_collisions(base: int) -> None:
    plan = layout.plan_ports(base)
    values = list(plan.named().values())
    assert len(values) == len(set(values))
    assert all(base <= port < base + 100 for port in values)


@pytest.mark.parametrize("base", [0, 80, 1023, 65400])
def test_port_base_out_of_range_is_refused(base: int) -> None:
    with pytest.raises(ValueError, match="port-base"):
        layout.plan_ports(base)


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("4.3.1", "4.x", True),
        ("3.9.2", "4.x", False),
        ("3.9.2", "3.9.x", True),
        ("3.10.0", "3.9.x", False),
        ("3.9.2", "3.9.2", True),
        ("3.9.20", "3.9.2", False),
        ("4.0.0-rc1", "4.x", False),
    ],
)
def test_version_specs(version: str, spec: str, expected: bool) -> None:
    assert matches_spec(version, spec) is expected


def test_newest_matching_compares_numerically() -> None:
    versions = {"4.0.2", "4.10.0", "4.9.1", "3.9.2"}
    assert newest_matching(versions, "4.x") == "4.10.0"
    assert newest_matching(versions, "3.9.x") == "3.9.2"
    assert newest_matching(versions, "2.x") is None


def test_exact_version_needs_no_network(tmp_path) -> None:
    assert resolve_version("3.9.2", tmp_path) == "3.9.2"


def test_broker_properties_are_single_node_kraft(tmp_path) -> None:
    text = layout.broker_properties(layout.plan_ports(30000), tmp_path / "data")
    props = dict(line.split("=", 1) for line in text.splitlines())
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:30093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:30092,CONTROLLER://127.0.0.1:30093"
    assert props["offsets.topic.replication.factor"] == "1"


def test_workers_share_a_group_and_differ_in_rest_port(tmp_path) -> None:
    plan = layout.plan_ports()
    first, second = (
        dict(
            line.split("=", 1) for line in layout.worker_properties(plan, i).splitlines()
        )
        for i in (0, 1)
    )
    assert first["group.id"] == second["group.id"]
    assert first["listeners"] != second["listeners"]
    assert first["rest.advertised.port"] == "29083"
    assert int(first["scheduled.rebalance.max.delay.ms"]) <= 30000


def test_cluster_id_is_22_url_safe_characters() -> None:
    ids = {layout.new_cluster_id() for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) == 22 and "=" not in i and "+" not in i and "/" not in i for i in ids)


def test_malformed_orders_are_mostly_not_json() -> None:
    import json

    records = scenario.malformed_orders()
    bad = 0
    for _key, value, _headers in records:
        try:
            json.loads(value)
        except ValueError:
            bad += 1
    assert bad == scenario.MALFORMED_RECORDS
    assert len(records) - bad == scenario.VALID_RECORDS


def _status(state: str, tasks: list[str]) -> dict:
    return {"status": {"connector": {"state": state}, "tasks": [{"state": t} for t in tasks]}}


def test_unsettled_names_what_is_missing() -> None:
    states = {
        scenario.SOURCE: _status("RUNNING", ["RUNNING"]),
        scenario.SINK: _status("RUNNING", ["RUNNING", "RUNNING"]),
        scenario.DLQ_SINK: _status("RUNNING", ["RUNNING", "UNASSIGNED"]),
        scenario.SMT_SOURCE: _status("RUNNING", ["RUNNING"]),
        scenario.FAILING_SINK: _status("RUNNING", ["FAILED"]),
        scenario.PAUSED: _status("RUNNING", ["RUNNING"]),
        scenario.STOPPED: _status("STOPPED", []),
        scenario.AVRO_SINK: _status("RUNNING", ["RUNNING"]),
    }
    assert scenario.unsettled(states) == [
        f"{scenario.DLQ_SINK} running",
        f"{scenario.PAUSED} PAUSED",
    ]
    states[scenario.DLQ_SINK] = _status("RUNNING", ["RUNNING", "RUNNING"])
    states[scenario.PAUSED] = _status("PAUSED", ["PAUSED"])
    assert scenario.unsettled(states) == []


def test_a_cluster_id_never_starts_with_a_dash() -> None:
    """StorageTool reads ``-t -qPc...`` as an option (seen in a CI run): such ids are drawn
    again, as Kafka's Uuid.randomUuid does."""
    draws = iter([b"\xf8" + bytes(15), b"\x01" * 16])  # the first encodes to "-A..."
    cluster_id = layout.new_cluster_id(lambda: next(draws))
    assert cluster_id == "AQEBAQEBAQEBAQEBAQEBAQ"
    assert not any(layout.new_cluster_id().startswith("-") for _ in range(2000))
