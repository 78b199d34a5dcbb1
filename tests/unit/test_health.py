"""Health rollup rules, table-driven: one health per connector that reflects its tasks."""

from __future__ import annotations

import pytest

from kctui.connect.models import Connector, ConnectorInfo, ConnectorStatus, TaskStatus
from kctui.health import Health, rollup


def connector(state: str, *task_states: str, trace: str | None = None) -> Connector:
    tasks = tuple(
        TaskStatus(
            connector="c",
            id=i,
            state=s,
            worker_id=f"w{i}:8083",
            trace=f"java.lang.IllegalStateException: task {i} broke\n\tat x"
            if s == "FAILED"
            else None,
        )
        for i, s in enumerate(task_states)
    )
    status = ConnectorStatus(name="c", state=state, worker_id="w0:8083", trace=trace, tasks=tasks)
    return Connector(name="c", status=status, info=ConnectorInfo(name="c"))


@pytest.mark.parametrize(
    ("state", "tasks", "health", "reason_part"),
    [
        ("RUNNING", ("RUNNING", "RUNNING"), Health.HEALTHY, "all 2 tasks running"),
        (
            "RUNNING",
            ("RUNNING", "FAILED"),
            Health.DEGRADED,
            "1 of 2 tasks failed: task 1 FAILED on w1:8083",
        ),
        ("RUNNING", ("FAILED", "FAILED"), Health.UNHEALTHY, "all tasks failed"),
        ("RUNNING", ("FAILED",), Health.UNHEALTHY, "IllegalStateException: task 0 broke"),
        ("FAILED", ("RUNNING",), Health.UNHEALTHY, "connector FAILED"),
        ("RUNNING", (), Health.UNHEALTHY, "no tasks"),
        ("PAUSED", ("PAUSED", "PAUSED"), Health.PAUSED, "PAUSED"),
        ("PAUSED", ("FAILED",), Health.PAUSED, "PAUSED"),
        ("STOPPED", (), Health.STOPPED, "STOPPED"),
        ("RESTARTING", ("RESTARTING",), Health.RESTARTING, "restarting"),
        ("RUNNING", ("RUNNING", "RESTARTING"), Health.RESTARTING, "restarting"),
        ("UNASSIGNED", (), Health.UNASSIGNED, "UNASSIGNED"),
        ("RUNNING", ("RUNNING", "UNASSIGNED"), Health.UNASSIGNED, "waiting for a worker"),
        ("RUNNING", ("UNASSIGNED", "FAILED"), Health.DEGRADED, "1 of 2 tasks failed"),
        ("RUNNING", ("PAUSED",), Health.PAUSED, "tasks PAUSED"),
        ("SOMETHING_NEW", ("RUNNING",), Health.UNASSIGNED, "SOMETHING_NEW (task 0 RUNNING)"),
        ("RUNNING", ("RUNNING", "PAUSED"), Health.PAUSED, "1 of 2 tasks PAUSED (pausing or"),
        ("RUNNING", ("RUNNING", "DRAINING"), Health.UNASSIGNED, "task 1 DRAINING"),
    ],
)
def test_rollup(state: str, tasks: tuple[str, ...], health: Health, reason_part: str) -> None:
    verdict = rollup(connector(state, *tasks))
    assert verdict.health is health
    assert reason_part in verdict.reason


def test_connector_trace_first_line_is_the_reason() -> None:
    verdict = rollup(connector("FAILED", trace="\norg.x.BoomException: no route\n\tat a.b"))
    assert verdict.reason == "connector FAILED: org.x.BoomException: no route"


def test_many_failed_tasks_are_summarised() -> None:
    verdict = rollup(connector("RUNNING", *["FAILED"] * 5, "RUNNING"))
    assert verdict.health is Health.DEGRADED
    assert verdict.reason.startswith("5 of 6 tasks failed")
    assert "and 2 more failed tasks" in verdict.reason


def test_order_and_problem_flags() -> None:
    assert [h.rank for h in Health] == sorted(h.rank for h in Health)
    assert Health.UNHEALTHY.rank < Health.DEGRADED.rank < Health.HEALTHY.rank
    problems = {h for h in Health if h.is_problem}
    assert problems == {Health.UNHEALTHY, Health.DEGRADED, Health.UNASSIGNED}
