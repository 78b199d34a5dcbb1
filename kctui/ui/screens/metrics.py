"""The metrics screen: per-worker JMX state and per-task (or per-connector) rates and errors.

Polls on a timer; each poll is a thread worker (jmxquery is blocking) that posts one
:class:`MetricsScreen.Updated` message with a frozen snapshot. A worker whose JMX
fails shows its message in its row; the other workers still show. The timer skips
while another screen (a modal) is on top.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from kctui.config import ClusterConfig
from kctui.connect.models import ClusterState, Connector
from kctui.health import HealthVerdict, rollup_with_metrics
from kctui.metrics.history import MetricsHistory
from kctui.metrics.model import MetricsSnapshot
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


class MetricsSource(Protocol):
    """Where snapshots come from: JMX in the app, a fake in tests. ``fetch`` blocks."""

    @property
    def configured(self) -> bool: ...

    def fetch(self, configs: Any = None, connector: str | None = None) -> MetricsSnapshot: ...

    def close(self) -> None: ...


class MetricsScreen(KctuiScreen[None]):
    """Metrics of one connector's tasks (``connector``) or of all connectors (None)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="app.back"),
        Binding("r", "refresh", "Refresh", id="metrics.refresh"),
        Binding("a", "all_connectors", "All connectors", id="metrics.all"),
    ]

    @dataclass
    class Updated(Message):
        """A poll finished: the new snapshot (a newer one replaces an unhandled older one)."""

        snapshot: MetricsSnapshot

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, MetricsScreen.Updated)

    def __init__(
        self,
        cluster: ClusterConfig,
        connector: str | None = None,
        *,
        source: MetricsSource | None = None,
        interval: float | None = None,
    ) -> None:
        super().__init__()
        self.cluster = cluster
        self.connector = connector
        if source is None:
            from kctui.metrics.sources import MetricsSource as Source

            source = Source(cluster)
        self.source = source
        self.interval = interval if interval is not None else cluster.refresh_seconds
        self.history = MetricsHistory()
        self.polls = 0
        self._fetching = False

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
        if not self.source.configured:
            notes.update(
                f"No metrics sources configured for cluster '{self.cluster.name}': add "
                f"[[clusters.{self.cluster.name}.metrics]] entries (worker, source, url: "
                "a Prometheus exporter, a Jolokia agent or remote JMX) or "
                f"[[clusters.{self.cluster.name}.jmx]] entries to the config file "
                "(see docs/metrics.md)."
            )
            return
        self.query_one("#metrics-tasks", MetricsTable).focus()
        notes.update(f"Reading {', '.join(getattr(self.source, 'sources', ('JMX',)))}…")
        self.action_refresh()
        self.set_interval(self.interval, self._tick)

    def on_unmount(self) -> None:
        self.source.close()

    # ------------------------------------------------------------------ polling

    def _tick(self) -> None:
        if not self.is_current or self._fetching:
            return
        latest = self.history.latest
        if latest is not None:
            from kctui.ui.metrics_poller import next_delay

            waited = time.time() - (latest.fetched_at or 0.0)
            if waited < next_delay(self.interval, latest) - 0.5:
                return  # a slow (big) cluster is polled less often
        self.action_refresh()

    def action_refresh(self) -> None:
        if not self.source.configured or self._fetching:
            return
        self._fetching = True
        self._fetch(self._configs(), self.connector)

    def _rest_state(self) -> ClusterState | None:
        state = self.session.state
        return state if isinstance(state, ClusterState) else None

    def _configs(self) -> dict[str, Any]:
        state = self._rest_state()
        if state is None:
            return {}
        return {name: dict(c.config) for name, c in state.connectors.items()}

    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False)
    def _fetch(self, configs: dict[str, Any], connector: str | None) -> None:
        try:
            snapshot = self.source.fetch(configs, connector)
        finally:
            self._fetching = False
        self.post_message(self.Updated(snapshot))

    # ------------------------------------------------------------------ showing

    def on_metrics_screen_updated(self, message: Updated) -> None:
        snapshot = message.snapshot
        self.polls += 1
        self.history.add(snapshot)
        self.history.forget(set(snapshot.connector_names))
        answers = self.session.worker_health or ()
        health = {answer.address: answer for answer in answers}
        self.query_one("#metrics-workers", MetricsTable).show(worker_rows(snapshot, health))
        self._show_tasks()
        self._show_notes(snapshot)
        self._show_health()

    def _rest_connector(self) -> Connector | None:
        state = self._rest_state()
        if state is None or self.connector is None:
            return None
        return state.connectors.get(self.connector)

    def _show_tasks(self) -> None:
        snapshot = self.history.latest
        table = self.query_one("#metrics-tasks", MetricsTable)
        table.set_columns(self._task_columns())
        if snapshot is None:
            return
        if self.connector:
            rows = task_rows(self.connector, snapshot, self.history, self._rest_connector())
        else:
            state = self._rest_state()
            types = {n: c.type for n, c in state.connectors.items()} if state else {}
            rows = connector_rows(snapshot, self.history, types, self._verdicts())
        table.show(rows)

    def _verdict(self, connector: Connector) -> HealthVerdict:
        return rollup_with_metrics(
            connector,
            self.history.latest,
            previous=self.history.previous,
            lag_threshold=self.cluster.lag_threshold,
        )

    def _verdicts(self) -> dict[str, HealthVerdict]:
        state = self._rest_state()
        if state is None:
            return {}
        return {name: self._verdict(c) for name, c in state.connectors.items()}

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
        snapshot = self.history.latest
        name = name or self.connector
        if name is None or snapshot is None:
            line.update("")
            return
        lag = snapshot.lag_of(name)
        lag_text = f"lag {fmt_count(lag)}" if lag is not None else "lag n/a"
        state = self._rest_state()
        rest = state.connectors.get(name) if state is not None else None
        if rest is None:
            line.update(f"{name}: health unknown (no REST state) · {lag_text}")
            return
        verdict = self._verdict(rest)
        line.update(f"{name} {verdict.health.value}: {verdict.reason} · {lag_text}")
        line.set_class(verdict.health.is_problem, "-problem")
        line.set_class(not verdict.health.is_problem, "-fine")

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
        self.action_refresh()  # the last poll may hold only the previous selection

    def action_all_connectors(self) -> None:
        self._select_connector(None)

    def action_back(self) -> None:
        self.app.pop_screen()
