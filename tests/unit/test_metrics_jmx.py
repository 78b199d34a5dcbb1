"""Parsing jmxquery's answers and wrapping its failure modes (fake runners, no JVM)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kctui.metrics import catalog
from kctui.metrics.jmx import (
    JmxError,
    JmxRequest,
    build_command,
    fetch_cluster,
    fetch_worker,
    parse_output,
    run_jar,
)
from kctui.metrics.lag import compute_lags, sink_group
from kctui.metrics.parse import coerce_value, parse_mbean_name
from kctui.settings import ClusterConfig, JmxEndpoint
from tests import polling

DATA = Path(__file__).parent / "data"
W1 = JmxEndpoint(worker="w1:8083", url="service:jmx:rmi:///jndi/rmi://w1:9999/jmxrmi")
W2 = JmxEndpoint(worker="w2:8083", url="service:jmx:rmi:///jndi/rmi://w2:9999/jmxrmi")


def line(mbean: str, attribute: str, type_: str, value: str | None) -> str:
    """One entry exactly as the jar prints it (values unescaped)."""
    text = f'{{"mBeanName" : "{mbean}", "attribute" : "{attribute}", "attributeType" : "{type_}"'
    return text + (f', "value" : {value}}}' if value is not None else "}")


def jar_output(*entries: str) -> str:
    return "[\n" + ", \n".join(entries) + "]\n"


SINK = "kafka.connect:type=sink-task-metrics,connector=orders,task=1"
TASK = "kafka.connect:type=connector-task-metrics,connector=orders,task=1"
ERRORS = "kafka.connect:type=task-error-metrics,connector=orders,task=1"
REBALANCE = "kafka.connect:type=connect-worker-rebalance-metrics"
WORKER = "kafka.connect:type=connect-worker-metrics"
HEALTHY_OUTPUT = jar_output(
    line(SINK, "sink-record-send-rate", "Double", "12.5"),
    line(SINK, "sink-record-send-total", "Double", '"4200.0"'),  # a float sent as a string
    line(SINK, "sink-record-lag-max", "Double", "NaN"),
    line(SINK, "put-batch-max-time-ms", "Double", "-Infinity"),
    line(TASK, "status", "String", '"running"'),
    line(TASK, "running-ratio", "Double", '"nan"'),
    line(ERRORS, "total-record-errors", "Double", "7.0"),
    line(ERRORS, "deadletterqueue-produce-requests", "Double", "7.0"),
    line(REBALANCE, "rebalancing", "Double", "0.0"),
    line(REBALANCE, "leader-name", "String", '"http://w1:8083/"'),
    line(WORKER, "connector-count", "Double", "3.0"),
    line(WORKER + ",connector=orders", "connector-failed-task-count", "Double", "0.0"),
    line("kafka.connect:type=connector-metrics,connector=orders", "status", "String", '"running"'),
    line(
        "kafka.connect:type=connector-metrics,connector=orders",
        "connector-type",
        "String",
        '"sink"',
    ),
)


def fake_runner(output: str | BaseException, calls: list[JmxRequest] | None = None):
    def run(request: JmxRequest) -> str:
        if calls is not None:
            calls.append(request)
        if isinstance(output, BaseException):
            raise output
        return output

    return run


# --------------------------------------------------------------------------- parsing


def test_clean_output_parses_with_nan_infinity_and_string_floats() -> None:
    snapshot = fetch_worker(W1, runner=fake_runner(HEALTHY_OUTPUT))
    assert snapshot.error is None
    task = snapshot.tasks[("orders", 1)]
    assert task.worker == "w1:8083"
    assert task.status == "running"
    assert task.running_ratio is None  # "nan" string
    assert task.sink is not None
    assert task.throughput == 12.5
    assert task.sink.number("sink-record-send-total") == 4200.0
    assert task.lag is None  # NaN
    assert task.sink.number("put-batch-max-time-ms") is None  # -Infinity
    assert task.errors is not None and task.errors.dlq_requests == 7.0
    assert snapshot.rebalance is not None and snapshot.rebalance.rebalancing is False
    assert snapshot.rebalance.leader == "http://w1:8083/"
    assert snapshot.worker_metrics is not None and snapshot.worker_metrics.connector_count == 3.0
    orders = snapshot.connectors["orders"]
    assert orders.status == "running" and orders.type == "sink"
    assert orders.task_count("failed") == 0.0


def test_real_unescaped_output_is_read_leniently() -> None:
    """Captured from the jar: a String attribute holding a quote and a newline breaks JSON."""
    text = (DATA / "jmxquery_unescaped.out").read_text()
    with pytest.raises(ValueError):
        json.loads(text)
    parsed = parse_output(text)
    statuses = {r.mbean: r.value for r in parsed.records if r.attribute == "Status"}
    assert statuses["kafka.connect:type=connector-metrics,connector=weird"] == (
        'has "quote" and\nnewline'
    )
    assert statuses["kafka.connect:type=connector-metrics,connector=plain"] == "running"
    assert len(parsed.records) == 14
    assert parsed.lenient == 1 and parsed.skipped == 0
    assert "leniently" in parsed.notes[0]


def test_broken_status_string_keeps_the_other_metrics() -> None:
    output = jar_output(
        line(TASK, "status", "String", '"failed: "bad" \n value"'),
        line(SINK, "sink-record-send-rate", "Double", "3.0"),
    )
    snapshot = fetch_worker(W1, runner=fake_runner(output))
    assert snapshot.error is None
    task = snapshot.tasks[("orders", 1)]
    assert task.status == 'failed: "bad" \n value'
    assert task.throughput == 3.0
    assert snapshot.notes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kafka.connect:type=x", ("kafka.connect", {"type": "x"})),
        (
            "kafka.connect:type=sink-task-metrics,connector=a-b,task=3",
            ("kafka.connect", {"type": "sink-task-metrics", "connector": "a-b", "task": "3"}),
        ),
        (
            'kafka.connect:type=connector-metrics,connector="we,ird\\"name"',
            ("kafka.connect", {"type": "connector-metrics", "connector": 'we,ird"name'}),
        ),
    ],
)
def test_parse_mbean_name(name: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_mbean_name(name) == expected


@pytest.mark.parametrize(
    ("group", "name", "raw", "expected"),
    [
        (catalog.SINK_TASK, "sink-record-send-rate", 1, 1.0),
        (catalog.SINK_TASK, "sink-record-send-rate", "2.5", 2.5),
        (catalog.SINK_TASK, "sink-record-send-rate", "NaN", None),
        (catalog.SINK_TASK, "sink-record-send-rate", float("inf"), None),
        (catalog.SINK_TASK, "sink-record-send-rate", "junk", None),
        (catalog.TASK, "status", "running", "running"),
        (catalog.TASK, "status", 5, "5"),
        (catalog.REBALANCE, "rebalancing", "true", True),
        (catalog.SINK_TASK, "unknown-attr", "text", "text"),
        (catalog.SINK_TASK, "sink-record-send-rate", None, None),
    ],
)
def test_coerce_value(group: str, name: str, raw: object, expected: object) -> None:
    assert coerce_value(group, name, raw) == expected


# --------------------------------------------------------------------------- failures

REFUSED = (
    '{ "error": "connection-error", "message":"Failed to retrieve RMIServer stub: '
    "javax.naming.ServiceUnavailableException [Root exception is java.rmi.ConnectException: "
    "Connection refused to host: 127.0.0.1; nested exception is: \n\tjava.net.ConnectException: "
    'Connection refused]"}\n'
)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (JmxError("connection refused: nothing listens"), "connection refused"),
        (
            subprocess.CalledProcessError(2, ["java"], output=REFUSED.encode()),
            "connection refused",
        ),
        (AttributeError("'NoneType' object has no attribute 'decode'"), "no answer within 4 s"),
        (subprocess.TimeoutExpired(["java"], 4), "no answer within 4 s"),
        (json.JSONDecodeError("Expecting value", "x", 0), "unreadable answer"),
        (FileNotFoundError(2, "No such file", "java"), "java not found"),
        (RuntimeError("boom"), "RuntimeError: boom"),
    ],
)
def test_runner_failures_become_the_worker_message(failure: BaseException, expected: str) -> None:
    snapshot = fetch_worker(W1, runner=fake_runner(failure), timeout=4)
    assert not snapshot.ok
    assert snapshot.error is not None and expected in snapshot.error
    assert snapshot.tasks == {}


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (REFUSED, "connection refused"),
        ('{ "error": "bad-query", "message":"Key properties cannot be empty"}', "Key properties"),
        ("", "empty answer"),
        ("Exception in thread main", "unreadable answer"),
        (
            '{ "error": "connection-error", "message":"Authentication failed! Invalid username"}',
            "authentication failed",
        ),
    ],
)
def test_error_answers(output: str, expected: str) -> None:
    snapshot = fetch_worker(W1, runner=fake_runner(output))
    assert snapshot.error is not None and expected in snapshot.error


def test_no_mbeans_is_a_note_not_an_error() -> None:
    snapshot = fetch_worker(W1, runner=fake_runner("[\n]\n"))
    assert snapshot.ok
    assert snapshot.tasks == {} and snapshot.worker_metrics is None
    assert any("no Kafka Connect MBeans" in note for note in snapshot.notes)


def test_one_call_per_worker_with_wildcards_and_one_failing_worker() -> None:
    calls: list[JmxRequest] = []

    def runner(request: JmxRequest) -> str:
        calls.append(request)
        if "w2" in request.url:
            raise subprocess.CalledProcessError(2, ["java"], output=REFUSED.encode())
        return HEALTHY_OUTPUT

    cluster = ClusterConfig(name="c", urls=("http://w1:8083",), jmx=(W1, W2))
    snapshot = fetch_cluster(cluster, runner=runner, timeout=3)
    assert len(calls) == 2
    assert all(c.queries == catalog.query_patterns() for c in calls)
    assert all(q.endswith(",*") for q in calls[0].queries)
    assert [w.worker for w in snapshot.workers] == ["w1:8083", "w2:8083"]
    assert snapshot.workers[0].ok and not snapshot.workers[1].ok
    assert snapshot.failed_workers[0].error is not None
    assert "connection refused" in snapshot.failed_workers[0].error
    assert snapshot.task("orders", 1) is not None
    assert snapshot.summary("orders").dlq_requests == 7.0


def test_auth_from_env_reaches_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCTUI_TEST_JMX_PW", "s3cret")
    endpoint = JmxEndpoint(worker="w", url=W1.url, username="ops", password_env="KCTUI_TEST_JMX_PW")
    calls: list[JmxRequest] = []
    fetch_worker(endpoint, runner=fake_runner(HEALTHY_OUTPUT, calls))
    assert calls[0].username == "ops" and calls[0].password == "s3cret"
    assert "s3cret" not in repr(calls[0])
    command = build_command(calls[0], java="java", jar="/x.jar")
    assert command[command.index("-u") + 1] == "ops"
    assert command[command.index("-p") + 1] == "s3cret"
    assert command[-1] == "".join(q + ";" for q in catalog.query_patterns())


def test_missing_password_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KCTUI_NO_SUCH_VAR", raising=False)
    endpoint = JmxEndpoint(worker="w", url=W1.url, username="ops", password_env="KCTUI_NO_SUCH_VAR")
    snapshot = fetch_worker(endpoint, runner=fake_runner(HEALTHY_OUTPUT))
    assert snapshot.error is not None and "KCTUI_NO_SUCH_VAR" in snapshot.error


def test_own_deadline_kills_a_query_that_never_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_java = tmp_path / "java"
    fake_java.write_text("#!/bin/sh\nexec sleep 30\n")
    fake_java.chmod(0o755)
    monkeypatch.setenv("KCTUI_JAVA", str(fake_java))
    request = JmxRequest(url=W1.url, queries=("kafka.connect:type=x,*",), timeout=0.5)
    with pytest.raises(JmxError, match="no answer within 0.5 s"):
        run_jar(request)


def test_compute_lags_and_group_names() -> None:
    groups = {
        "orders": sink_group("orders"),
        "custom": sink_group("custom", {"consumer.override.group.id": "g"}),
    }
    assert groups == {"orders": "connect-orders", "custom": "g"}
    committed = {"connect-orders": {("t", 0): 90, ("t", 1): 5}, "g": {}}
    lags = compute_lags(groups, committed, {("t", 0): 100, ("t", 1): 5})
    assert lags["orders"].total == 10 and lags["orders"].max == 10
    assert "custom" not in lags  # nothing committed yet: unknown, not zero


def test_patterns_for_one_connector() -> None:
    patterns = catalog.query_patterns(connector="orders")
    assert "kafka.connect:type=sink-task-metrics,connector=orders,*" in patterns
    assert "kafka.connect:type=connect-worker-metrics" in patterns
    assert "kafka.connect:type=connect-worker-metrics,connector=orders" in patterns
    quoted = catalog.query_patterns(connector='a,b"c*')
    assert 'kafka.connect:type=connector-metrics,connector="a,b\\"c\\*"' in quoted
    assert catalog.query_patterns(connector="a/b") == catalog.query_patterns()


def test_fetch_worker_for_one_connector_sends_its_patterns() -> None:
    calls: list[JmxRequest] = []
    fetch_worker(W1, runner=fake_runner(HEALTHY_OUTPUT, calls), connector="orders")
    assert calls[0].queries == catalog.query_patterns(connector="orders")


def test_missing_worker_groups_are_noted() -> None:
    """An older worker without the rebalance MBean: data shown, the gap named."""
    output = jar_output(line(SINK, "sink-record-send-rate", "Double", "1.0"))
    snapshot = fetch_worker(W1, runner=fake_runner(output))
    assert snapshot.ok and snapshot.tasks
    assert any(
        "MBeans missing: connect-worker-metrics, connect-worker-rebalance-metrics" in n
        for n in snapshot.notes
    )
    assert not any(
        "missing" in n for n in fetch_worker(W1, runner=fake_runner(HEALTHY_OUTPUT)).notes
    )


def test_close_kills_queries_under_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaving the screen (or quitting) must not wait for a silent port's deadline."""
    import threading
    import time

    from kctui.metrics.sources import MetricsSource

    fake_java = tmp_path / "java"
    fake_java.write_text("#!/bin/sh\nexec sleep 30\n")
    fake_java.chmod(0o755)
    monkeypatch.setenv("KCTUI_JAVA", str(fake_java))
    cluster = ClusterConfig(name="c", urls=("http://w1:8083",), jmx=(W1,), timeout=30)
    source = MetricsSource(cluster, source="jmx")
    results = []
    thread = threading.Thread(target=lambda: results.append(source.fetch()))
    started = time.monotonic()
    thread.start()
    polling.wait_until(
        lambda: bool(source._jar._live),  # type: ignore[union-attr]
        timeout=10,
        interval=0.01,
        what="the JMX query to start",
    )
    source.close()
    thread.join(timeout=10)
    assert not thread.is_alive() and time.monotonic() - started < 10
    assert results[0].workers[0].error == "jmx: query cancelled"  # the source is named


def test_connector_metrics_merge_over_workers() -> None:
    one = jar_output(
        line(
            "kafka.connect:type=connector-metrics,connector=orders", "status", "String", '"running"'
        )
    )
    two = jar_output(
        line(WORKER + ",connector=orders", "connector-running-task-count", "Double", "2.0")
    )

    def runner(request: JmxRequest) -> str:
        return one if "w1" in request.url else two

    cluster = ClusterConfig(name="c", urls=("http://w1:8083",), jmx=(W1, W2))
    merged = fetch_cluster(cluster, runner=runner).connector("orders")
    assert merged is not None and merged.status == "running"
    assert merged.task_count("running") == 2.0
