"""The metrics screen: per-worker state and per-task (or per-connector) rates and errors.

It does not poll: the console's one metrics service (``session.metrics``, fed by the
metrics poller) holds the snapshots and their history, and the screen asks it for a read
of its connector (or of all) whenever ``MetricsChanged`` arrives; ``r`` asks for a poll at
once. A worker whose metrics fail shows its message in its row; the others still show.
The health shown is the one every screen shows (REST rollup and metric rules).
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Label, Static

from kctui.metrics.model import MetricsSnapshot
from kctui.settings import ClusterConfig
from kctui.ui.messages import MetricsChanged, WorkerHealthChanged
from kctui.ui.metrics_service import MetricsRead
from kctui.ui.screens.base import KctuiScreen
from kctui.ui.widgets.metrics_rows import (
    CONNECTOR_COLUMNS,
    TASK_COLUMNS,
    WORKER_COLUMNS,
    connector_rows,
    fmt_count,
    task_rows,
    worker_rows,
)
from kctui.ui.widgets.metrics_tables import MetricsTable


class MetricsScreen(KctuiScreen[None]):
    """Metrics of one connector's tasks (``connector``) or of all connectors (None)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="app.back"),
        Binding("r", "refresh", "Refresh", id="metrics.refresh"),
        Binding("a", "all_connectors", "All connectors", id="metrics.all"),
    ]

    def __init__(self, cluster: ClusterConfig, connector: str | None = None) -> None:
        super().__init__()
        self.cluster = cluster
        self.connector = connector
        self.polls = 0  # metrics updates shown since the screen opened

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="metrics-title")
        yield Static("", id="metrics-health", classes="metrics-line")
        yield Static("", id="metrics-notes", classes="metrics-line")
        yield Label("Workers", classes="metrics-heading")
        yield MetricsTable(WORKER_COLUMNS, id="metrics-workers")
        yield Label(self._tasks_heading(), id="metrics-tasks-heading", classes="metrics-heading")
        yield MetricsTable(self._task_columns(), id="metrics-tasks")
        yield Footer()

    def _title(self) -> str:
        what = f"connector {self.connector}" if self.connector else "all connectors"
        return f"Metrics · cluster {self.cluster.name} · {what}"

    def _tasks_heading(self) -> str:
        if self.connector:
            return f"Tasks of {self.connector}"
        return "Connectors (enter: show tasks)"

    def _task_columns(self) -> tuple[tuple[str, str, int], ...]:
        return TASK_COLUMNS if self.connector else CONNECTOR_COLUMNS

    def on_mount(self) -> None:
        notes = self.query_one("#metrics-notes", Static)
        service = self.session.metrics
        if not service.configured:
            notes.update(
                f"No metrics sources configured for cluster '{self.cluster.name}': add "
                f"[[clusters.{self.cluster.name}.metrics]] entries (worker, source, url: "
                "a Prometheus exporter, a Jolokia agent or remote JMX) or "
                f"[[clusters.{self.cluster.name}.jmx]] entries to the config file "
                "(see docs/metrics.md)."
            )
            return
        self.query_one("#metrics-tasks", MetricsTable).focus()
        notes.update(f"Reading {', '.join(service.source_kinds) or 'metrics'}…")
        if service.latest is not None:
            self._show_all()  # what the console already has, at once
        service.poll_now()

    # ------------------------------------------------------------------ showing

    def action_refresh(self) -> None:
        if self.session.metrics.configured:
            self.session.metrics.poll_now()

    def on_metrics_changed(self, message: MetricsChanged) -> None:
        self.polls += 1
        self._show_all()

    def on_worker_health_changed(self, message: WorkerHealthChanged) -> None:
        snapshot = self.session.metrics.latest
        if snapshot is not None:
            self._show_workers(snapshot)

    def _read(self, connector: str | None = None) -> MetricsRead:
        """The service's read of ``connector`` (default: the screen's own scope)."""
        return self.session.metrics.read(connector or self.connector, self.session.state)

    def _show_all(self) -> None:
        snapshot = self.session.metrics.latest
        if snapshot is None:
            return
        self._show_workers(snapshot)
        self._show_tasks()
        self._show_notes(snapshot)
        self._show_health()

    def _show_workers(self, snapshot: MetricsSnapshot) -> None:
        health = {answer.address: answer for answer in self.session.worker_health or ()}
        self.query_one("#metrics-workers", MetricsTable).show(worker_rows(snapshot, health))

    def _show_tasks(self) -> None:
        read = self._read()
        table = self.query_one("#metrics-tasks", MetricsTable)
        table.set_columns(self._task_columns())
        if read.snapshot is None:
            return
        state = self.session.state
        if self.connector:
            rest = state.connectors.get(self.connector) if state is not None else None
            rows = task_rows(self.connector, read.snapshot, read.history, rest)
        else:
            types = {n: c.type for n, c in state.connectors.items()} if state else {}
            rows = connector_rows(read.snapshot, read.history, types, read.verdicts)
        table.show(rows)

    def _show_notes(self, snapshot: MetricsSnapshot) -> None:
        lines = [f"worker {w.worker}: {w.error}" for w in snapshot.failed_workers]
        if snapshot.lag_error:
            lines.append(snapshot.lag_error)
        stamp = time.strftime("%H:%M:%S", time.localtime(snapshot.fetched_at or time.time()))
        ok = sum(1 for w in snapshot.workers if w.ok)
        lines.append(f"{ok} of {len(snapshot.workers)} workers answered at {stamp}")
        self.query_one("#metrics-notes", Static).update("\n".join(lines))

    def _show_health(self, name: str | None = None) -> None:
        """The verdict and reason of the shown connector (or of the highlighted row)."""
        line = self.query_one("#metrics-health", Static)
        name = name or self.connector or self._highlighted()
        read = self._read(name) if name is not None else None
        if name is None or read is None or read.snapshot is None:
            line.update("")
            return
        lag = read.snapshot.lag_of(name)
        lag_text = f"lag {fmt_count(lag)}" if lag is not None else "lag n/a"
        verdict = read.verdicts.get(name)
        if verdict is None:
            line.update(f"{name}: health unknown (no REST state) · {lag_text}")
            return
        line.update(f"{name} {verdict.health.value}: {verdict.reason} · {lag_text}")
        line.set_class(verdict.health.is_problem, "-problem")
        line.set_class(not verdict.health.is_problem, "-fine")

    def _highlighted(self) -> str | None:
        """The connector row under the cursor (all-connectors view), if any."""
        table = self.query_one("#metrics-tasks", MetricsTable)
        if self.connector is not None or not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - the cursor is outside the rows
            return None
        return str(key.value) if key.value is not None else None

    # ------------------------------------------------------------------ actions

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "metrics-tasks" and self.connector is None:
            self._show_health(event.row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "metrics-tasks" or self.connector is not None:
            return
        if event.row_key.value:
            self._select_connector(event.row_key.value)

    def _select_connector(self, name: str | None) -> None:
        self.connector = name
        self.query_one("#metrics-title", Static).update(self._title())
        self.query_one("#metrics-tasks-heading", Label).update(self._tasks_heading())
        self._show_tasks()
        self._show_health()

    def action_all_connectors(self) -> None:
        self._select_connector(None)

    def action_back(self) -> None:
        self.app.pop_screen()
