"""One health value per connector, with its reason in words (pure functions).

A connector can be RUNNING while all its tasks are FAILED, so the health looks at the
tasks, not only at the connector state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
    return HealthVerdict(Health.UNASSIGNED, f"connector state {state}")
