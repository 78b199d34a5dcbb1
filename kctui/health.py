"""One health value per connector, with its reason in words (pure functions).

A connector can be RUNNING while all its tasks are FAILED, so the health looks at the
tasks, not only at the connector state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from kctui.connect.models import (
    FAILED,
    PAUSED,
    RESTARTING,
    RUNNING,
    STOPPED,
    UNASSIGNED,
    Connector,
    first_line,
)


class Health(StrEnum):
    """Health values, in the order an operator wants to see them (worst first)."""

    UNHEALTHY = "UNHEALTHY"
    DEGRADED = "DEGRADED"
    RESTARTING = "RESTARTING"
    UNASSIGNED = "UNASSIGNED"
    PAUSED = "PAUSED"
    STOPPED = "STOPPED"
    HEALTHY = "HEALTHY"

    @property
    def rank(self) -> int:
        return list(Health).index(self)

    @property
    def is_problem(self) -> bool:
        return self in (Health.UNHEALTHY, Health.DEGRADED, Health.UNASSIGNED)


@dataclass(frozen=True)
class HealthVerdict:
    health: Health
    reason: str


def _task_failure_reason(connector: Connector) -> str:
    failed = [t for t in connector.tasks if t.state == FAILED]
    parts = []
    for task in failed[:3]:
        where = f" on {task.worker_id}" if task.worker_id else ""
        trace = first_line(task.trace)
        parts.append(f"task {task.id} FAILED{where}" + (f": {trace}" if trace else ""))
    if len(failed) > 3:
        parts.append(f"and {len(failed) - 3} more failed tasks")
    return "; ".join(parts)


def rollup(connector: Connector) -> HealthVerdict:
    """The connector's health from its state and its tasks' states."""
    state = connector.state
    tasks = connector.tasks
    failed = [t for t in tasks if t.state == FAILED]
    if state == FAILED:
        trace = first_line(connector.status.trace)
        return HealthVerdict(Health.UNHEALTHY, "connector FAILED" + (f": {trace}" if trace else ""))
    if state == STOPPED:
        return HealthVerdict(Health.STOPPED, "connector STOPPED")
    if state == PAUSED:
        return HealthVerdict(Health.PAUSED, "connector PAUSED")
    if state == RESTARTING or any(t.state == RESTARTING for t in tasks):
        return HealthVerdict(Health.RESTARTING, "restarting")
    if tasks and len(failed) == len(tasks):
        return HealthVerdict(
            Health.UNHEALTHY, "all tasks failed: " + _task_failure_reason(connector)
        )
    if failed:
        return HealthVerdict(
            Health.DEGRADED,
            f"{len(failed)} of {len(tasks)} tasks failed: " + _task_failure_reason(connector),
        )
    if state == UNASSIGNED or any(t.state == UNASSIGNED for t in tasks):
        return HealthVerdict(Health.UNASSIGNED, "waiting for a worker (UNASSIGNED)")
    if state == RUNNING and not tasks:
        return HealthVerdict(Health.UNHEALTHY, "connector RUNNING but has no tasks")
    if state == RUNNING and all(t.state == RUNNING for t in tasks):
        return HealthVerdict(Health.HEALTHY, f"all {len(tasks)} tasks running")
    if all(t.state == PAUSED for t in tasks):
        return HealthVerdict(Health.PAUSED, "tasks PAUSED")
    if state == RUNNING and all(t.state in (RUNNING, PAUSED) for t in tasks):
        paused = sum(1 for t in tasks if t.state == PAUSED)
        return HealthVerdict(
            Health.PAUSED, f"{paused} of {len(tasks)} tasks PAUSED (pausing or resuming)"
        )
    task_states = ", ".join(f"task {t.id} {t.state}" for t in tasks) or "no tasks"
    return HealthVerdict(Health.UNASSIGNED, f"connector state {state} ({task_states})")


# --------------------------------------------------------------------------- with metrics


class MetricsView(Protocol):
    """What the metric rules need from :class:`kctui.metrics.model.MetricsSnapshot`."""

    def tasks_of(self, connector: str) -> tuple[Any, ...]: ...

    def lag_of(self, connector: str) -> float | None: ...


RUNNING_RATIO_FLOOR = 0.9


def _count(value: float) -> str:
    return f"{int(round(value)):,}"


def metric_reasons(
    name: str,
    metrics: MetricsView | None,
    *,
    previous: MetricsView | None = None,
    lag_threshold: int = 10_000,
    running_ratio_floor: float = RUNNING_RATIO_FLOOR,
) -> list[str]:
    """Reasons in words why the connector's metrics look unhealthy (empty when fine).

    DEGRADED signs: sink lag (consumer-group lag from Kafka, else the tasks'
    ``sink-record-lag-max``) above ``lag_threshold``;
    record errors that grew since the ``previous`` sample; a running task whose
    running ratio fell below ``running_ratio_floor`` (and, with a previous sample, fell).
    """
    if metrics is None:
        return []
    tasks = metrics.tasks_of(name)
    before = {t.task: t for t in previous.tasks_of(name)} if previous is not None else {}
    reasons: list[str] = []
    lag = metrics.lag_of(name)
    if lag is not None and lag > lag_threshold:
        reasons.append(f"lag {_count(lag)} > {_count(lag_threshold)}")
    for task in tasks:
        old = before.get(task.task)
        if old is None:
            continue
        for metric, label in (
            ("total-record-errors", "record errors"),
            ("total-record-failures", "record failures"),
        ):
            now, then = task.value(metric), old.value(metric)
            if now is not None and then is not None and now > then:
                reasons.append(f"task {task.task} {label} growing: +{_count(now - then)}")
                break
    for task in tasks:
        ratio = task.running_ratio
        if task.status != "running" or ratio is None or ratio >= running_ratio_floor:
            continue
        old = before.get(task.task)
        old_ratio = old.running_ratio if old is not None else None
        if old_ratio is not None and ratio >= old_ratio:
            continue
        was = f" (was {old_ratio:.2f})" if old_ratio is not None else ""
        reasons.append(f"task {task.task} running ratio {ratio:.2f}{was}")
    return reasons


def rollup_with_metrics(
    connector: Connector,
    metrics: MetricsView | None,
    *,
    previous: MetricsView | None = None,
    lag_threshold: int = 10_000,
    running_ratio_floor: float = RUNNING_RATIO_FLOOR,
) -> HealthVerdict:
    """:func:`rollup`, made DEGRADED by the metric rules when REST alone says HEALTHY.

    A verdict that is already worse (or PAUSED, STOPPED...) keeps its health; a DEGRADED
    one gains the metric reasons after its own.
    """
    verdict = rollup(connector)
    if verdict.health not in (Health.HEALTHY, Health.DEGRADED):
        return verdict
    reasons = metric_reasons(
        connector.name,
        metrics,
        previous=previous,
        lag_threshold=lag_threshold,
        running_ratio_floor=running_ratio_floor,
    )
    return with_metric_reasons(verdict, reasons)


def with_metric_reasons(verdict: HealthVerdict, reasons: Sequence[str]) -> HealthVerdict:
    """The REST ``verdict`` made DEGRADED by the metric ``reasons`` (of
    :func:`metric_reasons`) when it is HEALTHY or DEGRADED; any other keeps its health."""
    if not reasons or verdict.health not in (Health.HEALTHY, Health.DEGRADED):
        return verdict
    if verdict.health == Health.DEGRADED:
        return HealthVerdict(Health.DEGRADED, "; ".join([verdict.reason, *reasons]))
    return HealthVerdict(Health.DEGRADED, "; ".join(reasons))
