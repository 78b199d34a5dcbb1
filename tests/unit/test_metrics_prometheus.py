"""Prometheus pages and Jolokia answers -> the JMX model, on real exporter output.

The scrapes were captured from one sandbox worker with the real JMX exporter and each
real rules file (tests/fixtures/metrics/PROVENANCE.md); the Jolokia answer is the real
agent's on the same worker. Static values (states, types, counts) must agree across all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctui.metrics import jolokia, presets, prometheus
from kctui.metrics.model import WorkerSnapshot
from kctui.metrics.parse import build_worker_snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures" / "metrics"
SCRAPES = {
    "scrape-strimzi-example-rules.prom": "strimzi",
    "scrape-jmx_exporter-example-rules.prom": "jmx-exporter",
    "scrape-confluent-rules.prom": "confluent",
    "scrape-sandbox-agent.prom": "strimzi",
}


def snapshot_of_page(name: str, preset: str | None = None) -> WorkerSnapshot:
    page, notes = prometheus.read_page((FIXTURES / name).read_text(), preset)
    return build_worker_snapshot("w1", "u", page.records, fetched_at=0.0, notes=notes)


def jolokia_snapshot() -> WorkerSnapshot:
    request = json.loads((FIXTURES / "jolokia-bulk-request.json").read_text())
    records, notes = jolokia.parse_answer(
        (FIXTURES / "jolokia-bulk-read.json").read_text(), request
    )
    return build_worker_snapshot("w1", "u", records, fetched_at=0.0, notes=notes)


@pytest.mark.parametrize(("name", "expected"), sorted(SCRAPES.items()))
def test_the_preset_is_detected_from_the_names_of_a_real_scrape(name: str, expected: str) -> None:
    page, notes = prometheus.read_page((FIXTURES / name).read_text())
    assert page.preset.name == expected
    assert page.unmapped_connect == 0, notes
    assert page.mapped > 100


def test_the_jolokia_answer_has_every_group_of_the_worker() -> None:
    snap = jolokia_snapshot()
    assert snap.worker_metrics is not None and snap.worker_metrics.connector_count == 4
    assert snap.rebalance is not None and snap.rebalance.leader
    assert {name for name, _ in snap.tasks} == {"demo-dlq-sink", "demo-paused", "demo-source"}
    assert snap.connectors["demo-dlq-sink"].type == "sink"


@pytest.mark.parametrize("name", sorted(SCRAPES))
def test_static_values_agree_with_jolokia_on_the_same_worker(name: str) -> None:
    page = snapshot_of_page(name)
    reference = jolokia_snapshot()
    assert set(page.tasks) == set(reference.tasks)
    for key, task in reference.tasks.items():
        mapped = page.tasks[key]
        if SCRAPES[name] != "confluent":  # its rules export no task state (a string)
            assert mapped.status == task.status, key
        assert (mapped.sink is None) == (task.sink is None), key
        if task.sink is not None and mapped.sink is not None:
            assert mapped.sink.number("partition-count") == task.sink.number("partition-count")
        assert mapped.errors is not None and task.errors is not None
        assert mapped.errors.record_errors == task.errors.record_errors, key
    assert page.worker_metrics is not None and reference.worker_metrics is not None
    for attribute in ("connector-count", "task-count", "connector-startup-attempts-total"):
        assert page.worker_metrics.number(attribute) == reference.worker_metrics.number(attribute)
    assert page.rebalance is not None and reference.rebalance is not None
    assert page.rebalance.epoch == reference.rebalance.epoch
    assert page.rebalance.rebalancing is False
    for connector, metrics in reference.connectors.items():
        if metrics.task_counts:
            assert page.connectors[connector].task_counts == metrics.task_counts
        if SCRAPES[name] != "jmx-exporter":  # its rules drop the string attributes
            assert page.connectors[connector].status == metrics.status
            assert page.connectors[connector].type == metrics.type


def test_a_named_preset_overrides_detection_and_unmapped_samples_are_counted() -> None:
    text = (FIXTURES / "scrape-confluent-rules.prom").read_text()
    page, notes = prometheus.read_page(text, "strimzi")
    assert page.preset.name == "strimzi"
    assert page.unmapped_connect > 50  # the reporter-style names it does not know
    assert any("not mapped by preset strimzi" in note for note in notes)


def test_the_sample_pasted_in_strimzi_issue_6199_reads_as_worker_metrics() -> None:
    snap = snapshot_of_page("issue-strimzi-6199.prom")
    assert snap.worker_metrics is not None and snap.worker_metrics.connector_count == 2


def test_a_real_strimzi_metrics_reporter_page_agrees_with_rest() -> None:
    page, notes = prometheus.read_page(
        (FIXTURES / "scrape-strimzi-metrics-reporter.prom").read_text()
    )
    assert page.preset.name == "strimzi-reporter" and page.unmapped_connect == 0, notes
    snap = build_worker_snapshot("127.0.0.1:29385", "u", page.records, fetched_at=0.0)
    rest = json.loads((FIXTURES / "reporter-worker-rest-status.json").read_text())
    expected = {
        (name, task["id"]): task["state"].lower()
        for name, entry in rest.items()
        for task in entry["status"]["tasks"]
        if task["worker_id"] == "127.0.0.1:29385"
    }
    assert {key: task.status for key, task in snap.tasks.items()} == expected
    source = snap.tasks[("probe-source", 0)].source
    assert source is not None and source.write_total == 60.0  # ``_total`` cut by the reporter
    assert snap.connectors["demo-stopped"].status == "stopped"
    assert snap.rebalance is not None and snap.rebalance.leader == "http://127.0.0.1:29384/"
    assert snap.worker_metrics is not None and snap.worker_metrics.task_count == 4


def test_strimzi_reporter_names_map_back_with_total_restored() -> None:
    # Lines built from the reporter's naming code (see PROVENANCE.md), not a capture.
    text = (
        'kafka_connect_sink_task_metrics_sink_record_read{connector="s",task="0"} 12.0\n'
        'kafka_connect_sink_task_metrics_sink_record_read_rate{connector="s",task="0"} 1.5\n'
        "kafka_connect_connector_task_metrics_status_info"
        '{connector="s",task="0",status="running"} 1.0\n'
        "kafka_connect_connector_metrics_connector_type_info"
        '{connector="s",connector_type="sink"} 1.0\n'
        "kafka_connect_connect_worker_metrics_connector_count 1.0\n"
        "kafka_connect_connect_worker_rebalance_metrics_rebalancing 0.0\n"
        'kafka_connect_task_error_metrics_total_record_errors{connector="s",task="0"} 3.0\n'
    )
    page, _ = prometheus.read_page(text)
    assert page.preset.name == "strimzi-reporter"
    snap = build_worker_snapshot("w", "u", page.records, fetched_at=0.0)
    task = snap.tasks[("s", 0)]
    assert task.sink is not None and task.sink.number("sink-record-read-total") == 12.0
    assert task.sink.read_rate == 1.5 and task.status == "running"
    assert task.errors is not None and task.errors.record_errors == 3.0
    assert snap.connectors["s"].type == "sink"


def test_connector_names_with_commas_and_quotes_survive_the_mbean_round_trip() -> None:
    text = (
        'kafka_connect_connector_task_status{connector="a,b=\\"c\\"",task="2",status="failed"} 1\n'
    )
    page, _ = prometheus.read_page(text)
    snap = build_worker_snapshot("w", "u", page.records, fetched_at=0.0)
    assert snap.tasks[('a,b="c"', 2)].status == "failed"


def test_nan_and_infinities_become_not_available() -> None:
    text = (
        'kafka_connect_connector_task_status{connector="c",task="0",status="running"} 1\n'
        'kafka_connect_connector_task_running_ratio{connector="c",task="0"} NaN\n'
        'kafka_connect_connector_task_batch_size_max{connector="c",task="0"} +Inf\n'
    )
    page, _ = prometheus.read_page(text)
    snap = build_worker_snapshot("w", "u", page.records, fetched_at=0.0)
    task = snap.tasks[("c", 0)]
    assert task.running_ratio is None and task.number("batch-size-max") is None


def test_one_broken_line_costs_only_that_line() -> None:
    good = (FIXTURES / "scrape-sandbox-agent.prom").read_text()
    lines = good.splitlines()
    lines.insert(len(lines) // 2, "kafka_connect_worker_task_count{oops 1")
    page, notes = prometheus.read_page("\n".join(lines) + "\n")
    assert page.mapped == 169
    assert "1 unreadable lines skipped" in notes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty page"),
        ("<!DOCTYPE html><html><body>Sign in</body></html>", "answered HTML"),
        ('{"status": 200}', "answered JSON"),
        ("\x00\x01binary garbage \xff", "not Prometheus text"),
        ("jvm_threads_current 12\n", "no Kafka Connect metrics on this page"),
        ('kafka_connect_other_thing{x="1"} 2\n', "no sample matches a known preset"),
    ],
)
def test_pages_that_are_not_connect_metrics_say_what_they_are(text: str, reason: str) -> None:
    with pytest.raises(prometheus.ExpositionError, match=reason):
        prometheus.read_page(text)


def test_every_preset_maps_the_task_groups_of_its_real_rules_file() -> None:
    # The rule files' ``name:`` templates, expanded for one sink task attribute.
    expected = {
        "strimzi": "kafka_connect_sink_task_sink_record_read_total",
        "jmx-exporter": "kafka_connect_sink_task_sink_record_read_total",
        "confluent": "kafka_connect_sink_task_metrics_sink_record_read_total",
        "strimzi-reporter": "kafka_connect_sink_task_metrics_sink_record_read",
    }
    for preset_name, metric in expected.items():
        mapped = presets.map_sample(
            presets.BY_NAME[preset_name], metric, {"connector": "c", "task": "0"}, 5.0
        )
        assert [(m.group, m.attribute, m.task) for m in mapped] == [
            ("sink-task-metrics", "sink-record-read-total", "0")
        ], preset_name


def test_jolokia_errors_other_than_missing_mbeans_are_noted() -> None:
    request = jolokia.bulk_request()
    answer = [
        {"status": 404, "error_type": "javax.management.InstanceNotFoundException"},
        {"status": 403, "error": "Access denied by policy"},
        {
            "status": 200,
            "value": {"kafka.connect:type=connect-worker-metrics": {"task-count": 3}},
        },
    ]
    records, notes = jolokia.parse_answer(json.dumps(answer), request)
    assert [(r.attribute, r.value) for r in records] == [("task-count", 3.0)]
    assert notes == ("1 reads failed: Access denied by policy",)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html><title>Login</title></html>", "answered HTML"),
        ("not json at all", "not JSON"),
        ('{"status": 403, "error": "Forbidden by policy"}', "Forbidden by policy"),
    ],
)
def test_jolokia_answers_that_cannot_be_used(body: str, reason: str) -> None:
    with pytest.raises(jolokia.JolokiaError, match=reason):
        jolokia.parse_answer(body, jolokia.bulk_request())
