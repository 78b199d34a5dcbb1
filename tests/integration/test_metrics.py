"""Metrics against the sandbox workers' real JMX (ports base+73, base+74)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from msgspec.structs import replace

from kctui.metrics.history import MetricsHistory
from kctui.metrics.jmx import fetch_cluster
from kctui.metrics.model import MetricsSnapshot
from kctui.metrics.sources import MetricsSource
from kctui.settings import ClusterConfig, JmxEndpoint

pytestmark = pytest.mark.integration


def poll(fetch, condition, *, timeout: float = 60.0) -> MetricsSnapshot:
    """Fetch until ``condition(snapshot)`` holds, or fail with the last snapshot's state."""
    deadline = time.monotonic() + timeout
    snapshot = fetch()
    while not condition(snapshot):
        if time.monotonic() > deadline:
            errors = [w.error for w in snapshot.workers]
            raise AssertionError(f"condition not met within {timeout:g}s; worker errors {errors}")
        snapshot = fetch()
    return snapshot


def test_rates_of_healthy_source_and_sink_move(sandbox_cluster: ClusterConfig) -> None:
    source = MetricsSource(sandbox_cluster, source="jmx")
    history = MetricsHistory()

    def fetch() -> MetricsSnapshot:
        snapshot = source.fetch()
        history.add(snapshot)
        return snapshot

    def moved(_: MetricsSnapshot) -> bool:
        src = history.rate("demo-source", None, "source-record-write-total")
        sink = history.rate("demo-sink", None, "sink-record-send-total")
        return bool(src and src > 0 and sink and sink > 0)

    try:
        snapshot = poll(fetch, moved)
    finally:
        source.close()
    assert all(w.ok for w in snapshot.workers), [w.error for w in snapshot.workers]
    assert len(history.values("demo-source", None, "source-record-write-total")) >= 2
    source_tasks = snapshot.tasks_of("demo-source")
    sink_tasks = snapshot.tasks_of("demo-sink")
    assert [t.task for t in sink_tasks] == [0, 1]
    assert source_tasks[0].source is not None and source_tasks[0].status == "running"
    assert all(t.sink is not None for t in sink_tasks)
    summary = snapshot.summary("demo-sink")
    assert summary.throughput is not None and summary.throughput >= 0
    assert "demo-sink" in snapshot.sink_lag  # consumer-group lag read from Kafka


def test_dlq_connector_counts_and_failed_task(
    sandbox_cluster: ClusterConfig, fresh_dead_letters: int
) -> None:
    snapshot = fetch_cluster(sandbox_cluster)
    dlq = snapshot.summary("demo-dlq-sink")
    assert dlq.dlq_requests is not None and dlq.dlq_requests > 0
    assert dlq.record_errors is not None and dlq.record_errors > 0
    failing = snapshot.tasks_of("demo-failing-sink")
    assert [t.status for t in failing] == ["failed"]
    assert failing[0].worker in {e.worker for e in sandbox_cluster.jmx}
    connector = snapshot.connector("demo-failing-sink")
    assert connector is not None and connector.task_count("failed") == 1.0
    rebalances = [w.rebalance for w in snapshot.workers if w.rebalance is not None]
    assert rebalances and all(r.rebalancing is False for r in rebalances)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (kernel backlog) and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()


def with_broken_second_worker(cluster: ClusterConfig, port: int) -> ClusterConfig:
    good = cluster.jmx[0]
    broken = JmxEndpoint(
        worker="broken-worker", url=f"service:jmx:rmi:///jndi/rmi://127.0.0.1:{port}/jmxrmi"
    )
    return replace(cluster, jmx=(good, broken))


def test_closed_port_is_reported_and_the_other_worker_still_answers(
    sandbox_cluster: ClusterConfig,
) -> None:
    cluster = with_broken_second_worker(sandbox_cluster, free_port())
    snapshot = fetch_cluster(cluster, timeout=15)
    good, broken = snapshot.workers
    assert good.ok and good.tasks, good.error
    assert broken.error is not None and "connection refused" in broken.error
    assert snapshot.failed_workers == (broken,)


def test_silent_port_times_out_and_the_other_worker_still_answers(
    sandbox_cluster: ClusterConfig, silent_port: int
) -> None:
    cluster = with_broken_second_worker(sandbox_cluster, silent_port)
    started = time.monotonic()
    snapshot = fetch_cluster(cluster, timeout=4)
    elapsed = time.monotonic() - started
    good, broken = snapshot.workers
    assert good.ok and good.tasks, good.error
    assert broken.error == "no answer within 4 s"
    assert elapsed < 15  # our own deadline, not jmxquery's or RMI's


def test_one_connector_query_with_special_characters_in_its_name(
    sandbox_cluster: ClusterConfig,
) -> None:
    """MBean names quote such values; the per-connector patterns and the parser must agree."""
    name = 'test-metrics-q,x="y*'
    path = f"{sandbox_cluster.urls[0]}/connectors/{quote(name, safe='')}"
    config = {
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "topic": "test-metrics-idle",
        "file": "/dev/null",
    }
    assert httpx.put(f"{path}/config", json=config, timeout=30).status_code in (200, 201)
    try:
        snapshot = poll(
            lambda: fetch_cluster(sandbox_cluster, connector=name),
            lambda s: (
                bool(s.tasks_of(name)) and getattr(s.connector(name), "type", None) == "source"
            ),
        )
        assert snapshot.connector_names == (name,)  # only this connector was asked for
        assert [t.status for t in snapshot.tasks_of(name)] == ["running"]
        connector = snapshot.connector(name)
        assert connector is not None and connector.type == "source"
        assert all(w.worker_metrics is not None for w in snapshot.workers)
    finally:
        httpx.delete(path, timeout=30)


def test_sink_lag_after_switching_from_one_connector_to_all(
    sandbox_cluster: ClusterConfig,
) -> None:
    """The lag reader is kept across refreshes; new topics must not break it."""
    source = MetricsSource(sandbox_cluster, source="jmx")
    try:
        one = source.fetch(connector="demo-sink")
        assert set(one.sink_lag) == {"demo-sink"}, one.lag_error
        everything = source.fetch()
    finally:
        source.close()
    assert everything.lag_error is None
    assert {"demo-sink", "demo-dlq-sink", "demo-paused"} <= set(everything.sink_lag)
    assert everything.lag_of("demo-paused") is not None
