"""The three metrics sources of the sandbox workers agree: JMX, the Prometheus JMX
exporter javaagent and the Jolokia agent give the same values for the same MBean
attribute (static values exactly; monotonic totals between two Prometheus scrapes)."""

from __future__ import annotations

from kctui.metrics.model import WorkerSnapshot
from kctui.metrics.sources import MetricsSource
from kctui.sandbox.cluster import Sandbox
from kctui.settings import ClusterConfig
from tests.polling import wait_until

TOTALS = (
    ("sink", "sink-record-read-total"),
    ("sink", "sink-record-send-total"),
    ("source", "source-record-poll-total"),
    ("source", "source-record-write-total"),
    ("errors", "total-record-errors"),
    ("errors", "deadletterqueue-produce-requests"),
)


def total(snapshot: WorkerSnapshot, key: tuple[str, int], group: str, name: str) -> float | None:
    task = snapshot.tasks.get(key)
    metrics = getattr(task, group, None) if task is not None else None
    return metrics.number(name) if metrics is not None else None


def static_view(snapshot: WorkerSnapshot) -> dict[str, object]:
    """Values that do not move while nothing rebalances."""
    wm, rb = snapshot.worker_metrics, snapshot.rebalance
    return {
        "tasks": {key: task.status for key, task in snapshot.tasks.items()},
        "partitions": {
            key: task.sink.number("partition-count")
            for key, task in snapshot.tasks.items()
            if task.sink is not None
        },
        "connectors": {
            name: (c.status, c.type, dict(c.task_counts)) for name, c in snapshot.connectors.items()
        },
        "worker": None if wm is None else (wm.connector_count, wm.task_count),
        "epoch": None if rb is None else rb.epoch,
    }


def test_the_sandbox_lists_every_source_of_every_worker(
    sandbox: Sandbox, sandbox_cluster: ClusterConfig
) -> None:
    endpoints = sandbox_cluster.metric_endpoints()
    workers = {e.worker for e in endpoints}
    assert len(workers) == 2
    for worker in workers:
        assert sorted(e.source for e in endpoints if e.worker == worker) == [
            "jmx", "jolokia", "prometheus",
        ]  # fmt: skip
    status = "\n".join(sandbox.status_lines())
    for port in (*sandbox.ports.worker_prometheus, *sandbox.ports.worker_jolokia):
        assert f"127.0.0.1:{port}/" in status


def test_every_source_gives_the_same_values_for_the_same_attribute(
    sandbox_cluster: ClusterConfig,
) -> None:
    source = MetricsSource(sandbox_cluster)
    compared: list[str] = []

    def agree() -> bool:
        compared.clear()
        for worker in {e.worker for e in sandbox_cluster.metric_endpoints()}:
            by_source = {
                e.source: e for e in sandbox_cluster.metric_endpoints() if e.worker == worker
            }
            before = source.read(by_source["prometheus"])
            jolokia = source.read(by_source["jolokia"])
            jmx = source.read(by_source["jmx"])
            after = source.read(by_source["prometheus"])
            for snap in (before, jolokia, jmx, after):
                assert snap.ok, snap.error
            views = [static_view(s) for s in (before, jolokia, jmx, after)]
            if any(view != views[0] for view in views):
                compared.append(f"{worker}: static values differ (rebalance?): {views}")
                return False
            assert before.tasks, f"no tasks on {worker}"
            for key in before.tasks:
                for group, name in TOTALS:
                    low = total(before, key, group, name)
                    high = total(after, key, group, name)
                    if low is None:
                        assert high is None and total(jmx, key, group, name) is None
                        continue
                    assert high is not None
                    for label, snap in (("jolokia", jolokia), ("jmx", jmx)):
                        value = total(snap, key, group, name)
                        assert value is not None, (label, key, name)
                        if not low <= value <= high:
                            compared.append(f"{label} {key} {name}: {low} <= {value} <= {high}?")
                            return False
                    compared.append(f"{worker} {key} {name}")
        return True

    try:
        wait_until(agree, timeout=90, interval=1.0, what="three sources to agree")
    finally:
        source.close()
    assert len(compared) >= 8  # at least the sink and source tasks' totals were compared


def test_the_console_source_reads_each_worker_once_from_the_cheapest_source(
    sandbox_cluster: ClusterConfig,
) -> None:
    source = MetricsSource(sandbox_cluster)
    try:
        snapshot = source.fetch()
    finally:
        source.close()
    assert [w.source for w in snapshot.workers] == ["jolokia", "jolokia"]
    assert all(w.ok and not w.notes for w in snapshot.workers)
    assert "demo-sink" in snapshot.connector_names
    assert snapshot.summary("demo-sink").task_count == 2
