# ruff: noqa: E501  (the case table keeps one case per row)
"""Health rules that use metrics: lag, growing errors, running ratio (table-driven)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kctui.connect.models import Connector, ConnectorInfo, ConnectorStatus, TaskStatus
from kctui.health import Health, rollup, rollup_with_metrics
from kctui.metrics.model import (
    MetricsSnapshot,
    SinkTaskMetrics,
    TaskErrorMetrics,
    TaskMetrics,
    WorkerSnapshot,
)


def connector(
    name: str = "orders", state: str = "RUNNING", tasks: tuple[str, ...] = ("RUNNING",)
) -> Connector:
    statuses = tuple(
        TaskStatus(connector=name, id=i, state=s, worker_id="worker-2",
                   trace="org.apache.kafka.connect.errors.DataException: bad\n\tat x" if s == "FAILED" else None)
        for i, s in enumerate(tasks)
    )  # fmt: skip
    return Connector(
        name=name,
        status=ConnectorStatus(
            name=name, state=state, worker_id="worker-1", type="sink", tasks=statuses
        ),
        info=ConnectorInfo(name=name),
    )


@dataclass(frozen=True)
class T:
    """A task's metrics in a test row."""

    lag: float | None = None
    errors: float | None = 0.0
    ratio: float | None = 1.0
    status: str = "running"


def snapshot(*tasks: T, name: str = "orders", sink_lag: int | None = None) -> MetricsSnapshot:
    metrics = {}
    for task_id, t in enumerate(tasks):
        metrics[(name, task_id)] = TaskMetrics(
            values={"status": t.status, "running-ratio": t.ratio},
            connector=name,
            task=task_id,
            worker="worker-1",
            sink=SinkTaskMetrics({"sink-record-lag-max": t.lag}),
            errors=TaskErrorMetrics({"total-record-errors": t.errors}),
        )
    worker = WorkerSnapshot(worker="worker-1", url="u", fetched_at=1.0, tasks=metrics)
    return MetricsSnapshot(
        workers=(worker,), fetched_at=1.0, sink_lag={name: sink_lag} if sink_lag is not None else {}
    )


CASES = [
    # id, REST task states, current, previous, threshold, health, reason fragments
    ("healthy", ("RUNNING",), snapshot(T(lag=5)), None, 10_000, Health.HEALTHY,
     ["all 1 tasks running"]),
    ("no metrics", ("RUNNING",), None, None, 10_000, Health.HEALTHY, ["all 1 tasks running"]),
    ("lag over threshold", ("RUNNING",), snapshot(T(lag=25_000)), None, 10_000, Health.DEGRADED,
     ["lag 25,000 > 10,000"]),
    ("lag at threshold is fine", ("RUNNING",), snapshot(T(lag=10_000)), None, 10_000, Health.HEALTHY, []),
    ("kafka lag wins over jmx", ("RUNNING",), snapshot(T(lag=1), sink_lag=50_000), None, 10_000,
     Health.DEGRADED, ["lag 50,000 > 10,000"]),
    ("custom threshold", ("RUNNING", "RUNNING"), snapshot(T(lag=600), T(lag=20)), None, 500,
     Health.DEGRADED, ["lag 600 > 500"]),
    ("nan lag ignored", ("RUNNING",), snapshot(T(lag=None)), None, 0, Health.HEALTHY, []),
    ("errors growing", ("RUNNING",), snapshot(T(errors=12)), snapshot(T(errors=2)), 10_000,
     Health.DEGRADED, ["task 0 record errors growing: +10"]),
    ("errors steady", ("RUNNING",), snapshot(T(errors=340)), snapshot(T(errors=340)), 10_000,
     Health.HEALTHY, []),
    ("errors without previous", ("RUNNING",), snapshot(T(errors=340)), None, 10_000, Health.HEALTHY, []),
    ("running ratio drops", ("RUNNING",), snapshot(T(ratio=0.4)), snapshot(T(ratio=0.99)), 10_000,
     Health.DEGRADED, ["task 0 running ratio 0.40 (was 0.99)"]),
    ("running ratio low, no history", ("RUNNING",), snapshot(T(ratio=0.5)), None, 10_000,
     Health.DEGRADED, ["task 0 running ratio 0.50"]),
    ("running ratio recovering", ("RUNNING",), snapshot(T(ratio=0.6)), snapshot(T(ratio=0.3)), 10_000,
     Health.HEALTHY, []),
    ("paused task ratio ignored", ("RUNNING",), snapshot(T(ratio=0.0, status="paused")), None, 10_000,
     Health.HEALTHY, []),
    ("failed task keeps its reason and adds lag", ("RUNNING", "FAILED"),
     snapshot(T(lag=30_000), T(status="failed")), None, 10_000, Health.DEGRADED,
     ["1 of 2 tasks failed", "task 1 FAILED on worker-2: org.apache.kafka.connect.errors.DataException: bad",
      "lag 30,000 > 10,000"]),
    ("all failed stays unhealthy", ("FAILED",), snapshot(T(lag=30_000, status="failed")), None, 10_000,
     Health.UNHEALTHY, ["all tasks failed"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tasks", "current", "previous", "threshold", "health", "fragments"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rollup_with_metrics(
    tasks: tuple[str, ...],
    current: MetricsSnapshot | None,
    previous: MetricsSnapshot | None,
    threshold: int,
    health: Health,
    fragments: list[str],
) -> None:
    verdict = rollup_with_metrics(
        connector(tasks=tasks), current, previous=previous, lag_threshold=threshold
    )
    assert verdict.health == health
    for fragment in fragments:
        assert fragment in verdict.reason


@pytest.mark.parametrize("state", ["PAUSED", "STOPPED"])
def test_paused_and_stopped_ignore_metrics(state: str) -> None:
    c = connector(state=state, tasks=("PAUSED",) if state == "PAUSED" else ())
    verdict = rollup_with_metrics(c, snapshot(T(lag=99_999, ratio=0.0)), lag_threshold=10)
    assert verdict == rollup(c)


def test_rollup_unchanged_without_metrics() -> None:
    c = connector(tasks=("RUNNING", "FAILED"))
    assert rollup_with_metrics(c, None) == rollup(c)
    assert rollup(c).health == Health.DEGRADED
