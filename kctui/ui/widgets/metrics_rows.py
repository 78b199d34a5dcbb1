"""Rows of the metrics tables, built from snapshots (pure: no Textual, no I/O).

A row is a key and a tuple of :class:`Cell`; a cell names a style ("FAILED", "muted"...)
that the table resolves from the theme, so colours follow the theme everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kctui.connect.models import Connector
from kctui.connect.worker_health import WorkerHealth
from kctui.health import HealthVerdict
from kctui.metrics.history import MetricsHistory
from kctui.metrics.model import MetricsSnapshot, TaskMetrics, WorkerSnapshot
from kctui.ui.widgets.sparkline import sparkline

NONE = "–"
TREND_WIDTH = 20


@dataclass(frozen=True)
class Cell:
    text: str
    style: str | None = None
    right: bool = False


Row = tuple[str, tuple[Cell, ...]]

WORKER_COLUMNS = (
    ("worker", "Worker", 22),
    ("health", "Health", 14),
    ("jmx", "Source", 0),
    ("connectors", "Conn", 5),
    ("tasks", "Tasks", 5),
    ("startup", "Start fail c/t", 14),
    ("rebalancing", "Rebalancing", 11),
    ("since", "Since rebal.", 12),
    ("epoch", "Epoch", 6),
)
TASK_COLUMNS = (
    ("task", "Task", 5),
    ("worker", "Worker", 20),
    ("state", "State", 10),
    ("rate", "Rec/s", 9),
    ("trend", "Trend", TREND_WIDTH),
    ("lag", "Lag", 9),
    ("errors", "Errors", 8),
    ("dlq", "DLQ sent", 9),
    ("dlq_failed", "DLQ fail", 8),
    ("ratio", "Run %", 6),
)
CONNECTOR_COLUMNS = (
    ("name", "Connector", 0),
    ("health", "Health", 10),
    ("type", "Type", 6),
    ("tasks", "Tasks", 5),
    ("rate", "Rec/s", 9),
    ("trend", "Trend", TREND_WIDTH),
    ("lag", "Lag", 9),
    ("errors", "Errors", 8),
    ("dlq", "DLQ sent", 9),
)


def fmt_count(value: float | None) -> str:
    return NONE if value is None else f"{int(round(value)):,}"


def fmt_rate(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_duration_ms(ms: float | None) -> str:
    if ms is None or ms < 0:
        return NONE
    seconds = int(ms // 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    return f"{hours // 24}d {hours % 24}h"


def _count_cell(value: float | None, bad_style: str = "FAILED") -> Cell:
    style = bad_style if value else "muted"
    return Cell(fmt_count(value), style, right=True)


def worker_rows(
    snapshot: MetricsSnapshot, health: Mapping[str, WorkerHealth] | None = None
) -> list[Row]:
    """One row per worker: its own health (GET /health, by worker id) and its metrics;
    a worker that answers /health but has no metrics source still gets a row."""
    health = health or {}
    rows: list[Row] = []
    for worker in snapshot.workers:
        rows.append((worker.worker, _worker_cells(worker, health.get(worker.worker))))
    seen = {w.worker for w in snapshot.workers}
    blank = Cell(NONE, "muted", right=True)
    for worker_id, answer in sorted(health.items()):
        if worker_id not in seen:
            cells = (Cell(worker_id), _health_cell(answer), Cell("no metrics source", "muted"))
            rows.append((worker_id, (*cells, *(blank,) * 6)))
    return rows


def _health_cell(answer: WorkerHealth | None) -> Cell:
    if answer is None:
        return Cell(NONE, "muted")
    style = "RUNNING" if answer.status == "healthy" else "muted" if answer.healthy else "FAILED"
    return Cell(answer.label, style)


def _worker_cells(worker: WorkerSnapshot, answer: WorkerHealth | None = None) -> tuple[Cell, ...]:
    if worker.error is not None:
        blank = Cell(NONE, "muted", right=True)
        return (
            Cell(worker.worker),
            _health_cell(answer),
            Cell(worker.error, "FAILED"),
            *(blank,) * 6,
        )
    wm, rb = worker.worker_metrics, worker.rebalance
    took = f"{worker.elapsed:.1f}s" if worker.elapsed >= 1 else f"{worker.elapsed * 1000:.0f} ms"
    jmx = f"{worker.source} ok in {took}" + (
        f" ({'; '.join(worker.notes)})" if worker.notes else ""
    )
    startup = NONE
    if wm is not None:
        startup = (
            f"{fmt_count(wm.connector_startup_failures)}/{fmt_count(wm.task_startup_failures)}"
        )
    failed_startups = bool(wm and (wm.connector_startup_failures or wm.task_startup_failures))
    rebalancing = rb.rebalancing if rb is not None else None
    return (
        Cell(worker.worker),
        _health_cell(answer),
        Cell(jmx, "DEGRADED" if worker.notes else "muted"),
        Cell(fmt_count(wm.connector_count if wm else None), right=True),
        Cell(fmt_count(wm.task_count if wm else None), right=True),
        Cell(startup, "FAILED" if failed_startups else "muted", right=True),
        Cell(
            NONE if rebalancing is None else ("yes" if rebalancing else "no"),
            "DEGRADED" if rebalancing else "muted",
        ),
        Cell(fmt_duration_ms(rb.time_since_last_rebalance_ms if rb else None), right=True),
        Cell(NONE if rb is None or rb.epoch is None else str(int(rb.epoch)), "muted", right=True),
    )


def _task_cells(task: TaskMetrics, history: MetricsHistory) -> tuple[Cell, ...]:
    state = (task.status or "unknown").upper()
    rates = history.throughput_rates(task.connector, task.task)
    rate = rates[-1] if rates else task.throughput
    errors = task.errors
    ratio = task.running_ratio
    return (
        Cell(str(task.task), right=True),
        Cell(task.worker, "muted"),
        Cell(state, state),
        Cell(fmt_rate(rate), right=True),
        Cell(sparkline(rates, TREND_WIDTH), "accent"),
        Cell(fmt_count(task.lag), right=True),
        _count_cell(errors.record_errors if errors else None),
        _count_cell(errors.dlq_requests if errors else None, "DEGRADED"),
        _count_cell(errors.dlq_failures if errors else None),
        Cell(NONE if ratio is None else f"{ratio * 100:.0f}", right=True),
    )


def task_rows(
    connector: str,
    snapshot: MetricsSnapshot,
    history: MetricsHistory,
    rest: Connector | None = None,
) -> list[Row]:
    """One row per task: JMX metrics, or the REST state when no worker reported the task."""
    rows: list[Row] = []
    seen = set()
    for task in snapshot.tasks_of(connector):
        seen.add(task.task)
        rows.append((str(task.task), _task_cells(task, history)))
    failed_workers = {w.worker: w.error for w in snapshot.failed_workers}
    for status in rest.tasks if rest is not None else ():
        if status.id in seen:
            continue
        why = "no metrics"
        if status.worker_id in failed_workers:
            why = f"no metrics: metrics of {status.worker_id} failed"
        blank = Cell(NONE, "muted", right=True)
        rows.append(
            (
                str(status.id),
                (
                    Cell(str(status.id), right=True),
                    Cell(status.worker_id, "muted"),
                    Cell(status.state, status.state),
                    Cell(why, "muted"),
                    *(blank,) * 6,
                ),
            )
        )
    rows.sort(key=lambda row: int(row[0]))
    return rows


def connector_rows(
    snapshot: MetricsSnapshot,
    history: MetricsHistory,
    types: Mapping[str, str] | None = None,
    verdicts: Mapping[str, HealthVerdict] | None = None,
) -> list[Row]:
    """One row per connector seen in JMX; health from ``verdicts`` (REST + metrics) if given."""
    rows: list[Row] = []
    types = types or {}
    verdicts = verdicts or {}
    for name in snapshot.connector_names:
        summary = snapshot.summary(name)
        connector = snapshot.connector(name)
        kind = types.get(name) or (connector.type if connector and connector.type else NONE)
        rates = history.throughput_rates(name)
        rate = rates[-1] if rates else summary.throughput
        verdict = verdicts.get(name)
        health = (
            Cell(verdict.health.value, verdict.health.value) if verdict else Cell(NONE, "muted")
        )
        rows.append(
            (
                name,
                (
                    Cell(name),
                    health,
                    Cell(kind, "muted"),
                    Cell(str(summary.task_count), right=True),
                    Cell(fmt_rate(rate), right=True),
                    Cell(sparkline(rates, TREND_WIDTH), "accent"),
                    Cell(fmt_count(summary.lag), right=True),
                    _count_cell(summary.record_errors),
                    _count_cell(summary.dlq_requests, "DEGRADED"),
                ),
            )
        )
    return rows
