"""The cluster overview: status bar, connector table (unhealthy first), tasks of the selection."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Input, Static

from kctui.connect.models import ClusterState, Connector, TaskStatus
from kctui.masking import mask_text
from kctui.ui.actions import CONNECTOR_BINDINGS, ConnectorActions
from kctui.ui.bulk_actions import BULK_BINDINGS, BulkActions
from kctui.ui.messages import (
    ActionProgress,
    ClusterStateChanged,
    ClusterUnreachable,
    FollowChanged,
    MetricsChanged,
    WorkerHealthChanged,
)
from kctui.ui.screens.base import KctuiScreen
from kctui.ui.view import RowFilter, filtered
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.status_bar import StatusBar
from kctui.ui.widgets.task_list import TaskList


def banner_text(message: ClusterUnreachable, shown: ClusterState | None) -> Content:
    """What failed, when the next try is, and how old the rows on screen are."""
    stale = ""
    if shown is not None:
        stale = " Showing the state of " + time.strftime(
            "%H:%M:%S.", time.localtime(shown.fetched_at)
        )
    return Content.assemble(
        (message.title, "bold"),
        f": {message.error}. Retrying in {message.retry_in:.0f} s "
        f"(attempt {message.failures}); ctrl+r retries now.{stale}",
    )


class OverviewScreen(BulkActions, ConnectorActions, KctuiScreen[None]):
    """What is broken, at a glance; every lifecycle key acts on the highlighted row."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Help", id="app.help", key_display="?"),
        Binding("slash", "filter", "Filter", id="overview.filter", key_display="/"),
        Binding(
            "escape", "clear", "Clear/back", id="overview.clear", key_display="esc", show=False
        ),
        Binding("enter", "open_detail", "Detail", id="overview.detail"),
        *CONNECTOR_BINDINGS,
        *BULK_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__(id="overview")
        self.marked: set[str] = set()
        self.row_filter = RowFilter.compile("")
        self._reason: Content | str | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static(id="banner", classes="banner")
        yield Input(placeholder="filter: text or regex on name, class, state, worker", id="filter")
        yield ConnectorTable(id="connectors")
        yield Static(id="reason")
        yield TaskList(id="tasks")
        yield Footer(compact=True)

    @property
    def table(self) -> ConnectorTable:
        return self.query_one(ConnectorTable)

    @property
    def tasks(self) -> TaskList:
        return self.query_one(TaskList)

    def on_mount(self) -> None:
        app = self.kctui
        self.query_one("#filter").display = False
        self.query_one("#banner").display = False
        self.table.focus()
        self._show_status()
        if app.session.state is not None:
            self.apply_state(app.session.state)

    # ------------------------------------------------------------------ selection

    def selected_connector(self) -> Connector | None:
        app = self.kctui
        name = self.table.selected_name
        if app.session.state is None or name is None:
            return None
        return app.session.state.connectors.get(name)

    def selected_task(self) -> TaskStatus | None:
        task = self.tasks.selected_task
        connector = self.selected_connector()
        if task is None or connector is None or task.connector != connector.name:
            return None
        return task

    # ------------------------------------------------------------------ updates

    def apply_state(self, state: ClusterState) -> None:
        rows = filtered(self.kctui.session.rows(state), self.row_filter)
        self.table.show(rows)
        self._show_actions()
        self._show_selection()
        self._show_status()
        self._show_filter_result(len(rows), len(state.connectors))
        self.refresh_bindings_if_needed()

    def _show_status(self) -> None:
        self.query_one(StatusBar).show(self.kctui.status_info())

    def _set_reason(self, content: Content | str) -> None:
        """Update the line under the table only when it changes (an update costs a layout)."""
        if content != self._reason:
            self._reason = content
            self.query_one("#reason", Static).update(content)

    def _show_selection(self) -> None:
        connector = self.selected_connector()
        self.tasks.show(connector)
        if connector is None:
            self._set_reason("")
            return
        verdict = self.session.verdict(connector)  # as its row says: REST + metric rules
        parts: list[tuple[str, str] | str] = [
            (connector.name, "bold"),
            ": ",
            mask_text(verdict.reason) or verdict.health.value,
        ]
        outcome = self.kctui.session.outcomes.get(connector.name)
        if outcome:
            parts += ["\n", ("last action: ", "$text-muted"), (outcome, "$accent")]
        self._set_reason(Content.assemble(*parts))

    def _show_filter_result(self, shown: int, total: int) -> None:
        if not self.row_filter.text:
            return
        note = f"filter '{self.row_filter.text}': {shown} of {total} connectors"
        if self.row_filter.error:
            note += f" ({self.row_filter.error})"
        self._set_reason(Content.styled(note, "$accent"))

    # ------------------------------------------------------------------ messages

    def on_cluster_state_changed(self, message: ClusterStateChanged) -> None:
        self.query_one("#banner").display = False
        self.apply_state(message.state)

    def on_cluster_unreachable(self, message: ClusterUnreachable) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(banner_text(message, self.kctui.session.state))
        banner.display = True

    def on_metrics_changed(self, message: MetricsChanged) -> None:
        """Metrics arrived (kctui.ui.metrics_poller): throughput and lag columns, and the
        health of every row judged again with the metric rules (its order too)."""
        state = self.session.state
        if state is not None:
            self.apply_state(state)
        cells = self.session.metrics.table_cells(self.table.names)
        if cells is not None:
            self.table.show_metrics(cells)

    def on_worker_health_changed(self, message: WorkerHealthChanged) -> None:
        self._show_status()

    def on_action_progress(self, message: ActionProgress) -> None:
        """An action moved on (retrying, accepted, failed, settled): show it at once."""
        self._show_actions()
        selected = self.selected_connector()
        if selected is not None and selected.name in message.connectors:
            self._show_selection()

    def _show_actions(self) -> None:
        app = self.kctui
        self.table.show_actions(
            {
                name: (text, app.session.outcome_kinds.get(name, "ok"))
                for name, text in app.session.outcomes.items()
            }
        )

    def on_follow_changed(self, message: FollowChanged) -> None:
        self._show_status()
        if message.settled:
            self._show_selection()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.table:
            self._show_selection()
        self.refresh_bindings_if_needed()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_detail()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.row_filter = RowFilter.compile(event.value)
        app = self.kctui
        if app.session.state is not None:
            self.apply_state(app.session.state)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    # ------------------------------------------------------------------ actions

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.display:
            box.value = ""
            box.display = False
            self.row_filter = RowFilter.compile("")
            app = self.kctui
            if app.session.state is not None:
                self.apply_state(app.session.state)
            self._show_selection()
        self.table.focus()

    def action_open_detail(self) -> None:
        from kctui.ui.screens.connector import ConnectorScreen

        connector = self.selected_connector()
        if connector is None:
            return
        task = self.selected_task()
        self.app.push_screen(ConnectorScreen(connector.name, task.id if task else None))
