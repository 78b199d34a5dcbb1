"""One connector: its tasks with the selected trace, and its config (masked by default)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from kctui.connect.models import Connector, TaskStatus
from kctui.diagnose import diagnose
from kctui.masking import mask_text
from kctui.settings import xdg_dir
from kctui.ui.actions import CONNECTOR_BINDINGS, ConnectorActions
from kctui.ui.messages import (
    ActionProgress,
    ClusterStateChanged,
    ClusterUnreachable,
    FollowChanged,
    MetricsChanged,
    WorkerHealthChanged,
)
from kctui.ui.screens.base import KctuiScreen
from kctui.ui.screens.overview import banner_text
from kctui.ui.widgets.config_view import ConfigView
from kctui.ui.widgets.diagnosis_view import DiagnosisView
from kctui.ui.widgets.status_bar import StatusBar
from kctui.ui.widgets.task_list import TaskList
from kctui.ui.widgets.trace_view import TraceView


def trace_dir() -> Path:
    return xdg_dir("state") / "kctui" / "traces"


class ConnectorScreen(ConnectorActions, KctuiScreen[None]):
    """Detail of ``name``; follows the app's refreshes like the overview."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Help", id="app.help", key_display="?"),
        Binding("escape", "back", "Back", id="app.back", key_display="esc"),
        Binding("1", "tab('tab-tasks')", "Tasks", id="detail.tab-tasks", show=False),
        Binding("2", "tab('tab-config')", "Config", id="detail.tab-config", show=False),
        Binding("w", "save_trace", "Save trace", id="detail.save-trace"),
        Binding("v", "reveal", "Reveal secrets", id="detail.reveal"),
        *CONNECTOR_BINDINGS,
    ]

    def __init__(self, name: str, task_id: int | None = None) -> None:
        super().__init__()
        self.connector_name = name
        self.initial_task = task_id
        self.revealed = False
        self.connector: Connector | None = None
        self.restart_line: str | None = None  # from kctui watch's files, read in a worker

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static(id="banner", classes="banner")
        yield Static(id="detail-header")
        with TabbedContent(initial="tab-tasks"):
            with TabPane("Tasks & trace (1)", id="tab-tasks"):
                yield TaskList(id="detail-tasks")
                yield DiagnosisView(id="diagnosis")
                yield TraceView(id="trace")
            with TabPane("Config (2)", id="tab-config"):
                yield ConfigView(id="config-view")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        app = self.kctui
        self.query_one(StatusBar).show(app.status_info())
        self.connector = (
            app.session.state.connectors.get(self.connector_name) if app.session.state else None
        )
        self._render_connector(first=True)
        self.query_one(TaskList).focus()
        self._load_restart_line()

    @work(thread=True, exclusive=True, group="restart-line", exit_on_error=False)
    def _load_restart_line(self) -> None:
        """Read ``kctui watch``'s restart state off the UI thread; re-render when it changed."""
        from kctui.operate.restart_history import connector_restart_summary

        app = self.kctui
        line = connector_restart_summary(app.cluster, self.connector_name, time.time())
        if line != self.restart_line:
            self.app.call_from_thread(self._show_restart_line, line)

    def _show_restart_line(self, line: str | None) -> None:
        self.restart_line = line
        self._render_connector()

    # ------------------------------------------------------------------ selection

    def selected_connector(self) -> Connector | None:
        return self.connector

    def selected_task(self) -> TaskStatus | None:
        return self.query_one(TaskList).selected_task

    # ------------------------------------------------------------------ rendering

    def _render_connector(self, *, first: bool = False) -> None:
        connector = self.connector
        tasks = self.query_one(TaskList)
        self._render_header()
        if connector is None:
            tasks.show(None)
            return
        tasks.show(connector)
        if (
            first
            and self.initial_task is not None
            and str(self.initial_task) in {str(t.id) for t in connector.tasks}
        ):
            tasks.move_cursor(row=tasks.get_row_index(str(self.initial_task)))
        self._show_trace()
        self.query_one(ConfigView).show(connector.config, connector.type, revealed=self.revealed)
        self.refresh_bindings_if_needed()

    def _render_header(self) -> None:
        """Name, state and health (as its row says: REST rollup and metric rules)."""
        connector = self.connector
        header = self.query_one("#detail-header", Static)
        if connector is None:
            header.update(Content.styled(f"{self.connector_name}: not in the cluster", "$error"))
            return
        verdict = self.session.verdict(connector)
        header.update(
            Content.assemble(
                (connector.name, "bold"),
                f"  {connector.type}  {connector.info.connector_class or '?'}\n",
                f"state {connector.state}  health ",
                (verdict.health.value, "bold"),
                f": {verdict.reason if self.revealed else mask_text(verdict.reason)}",
                *self._outcome_parts(),
                *self._restart_parts(),
            )
        )

    def _outcome_parts(self) -> list[tuple[str, str] | str]:
        outcome = self.kctui.session.outcomes.get(self.connector_name)
        return ["\n", ("last action: ", "$text-muted"), (outcome, "$accent")] if outcome else []

    def _restart_parts(self) -> list[tuple[str, str] | str]:
        return ["\n", (self.restart_line, "$text-muted")] if self.restart_line else []

    def _show_trace(self) -> None:
        connector = self.connector
        if connector is None:
            return
        task = self.selected_task()
        if task is not None and task.trace:
            source, trace = f"{connector.name} task {task.id}", task.trace
        elif connector.status.trace:
            source, trace = f"connector {connector.name}", connector.status.trace
        elif task is not None:
            source, trace = f"{connector.name} task {task.id}", None
        else:
            source, trace = f"connector {connector.name}", None
        self.query_one(TraceView).show(source, trace, revealed=self.revealed)
        self.query_one(DiagnosisView).show(
            diagnose(
                trace, connector_class=connector.info.connector_class, rules=self.session.rules
            )
        )

    # ------------------------------------------------------------------ messages

    def on_cluster_state_changed(self, message: ClusterStateChanged) -> None:
        self.query_one("#banner").display = False
        self.query_one(StatusBar).show(self.kctui.status_info())
        previous = self.connector
        self.connector = message.state.connectors.get(self.connector_name)
        if previous is not None and self.connector is None:
            self.app.notify(f"{self.connector_name} is no longer in the cluster")
            if self.app.screen is self:
                self.app.pop_screen()
            return
        if self.connector != previous:
            self._render_connector()
        self._load_restart_line()  # "next in N min" moves on even when the connector does not

    def on_action_progress(self, message: ActionProgress) -> None:
        if self.connector_name in message.connectors:
            self._render_connector()

    def on_follow_changed(self, message: FollowChanged) -> None:
        self.query_one(StatusBar).show(self.kctui.status_info())
        if message.settled and message.connector == self.connector_name:
            self._render_connector()

    def on_metrics_changed(self, message: MetricsChanged) -> None:
        self.query_one(StatusBar).show(self.kctui.status_info())
        self._render_header()

    def on_worker_health_changed(self, message: WorkerHealthChanged) -> None:
        self.query_one(StatusBar).show(self.kctui.status_info())

    def on_cluster_unreachable(self, message: ClusterUnreachable) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(banner_text(message, self.kctui.session.state))
        banner.display = True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_trace()
        self.refresh_bindings_if_needed()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one(TraceView).focus()

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        """Switch tab and move the focus into it (focus elsewhere would switch it back)."""
        self.query_one(TabbedContent).active = tab
        target = self.query_one(ConfigView) if tab == "tab-config" else self.query_one(TaskList)
        target.focus()

    def action_reveal(self) -> None:
        """Toggle masking of the config and the trace; revealed text lives on screen only."""
        self.revealed = not self.revealed
        if self.connector is not None:
            self.query_one(ConfigView).show(
                self.connector.config, self.connector.type, revealed=self.revealed
            )
        self._show_trace()

    def action_save_trace(self) -> None:
        view = self.query_one(TraceView)
        if not view.trace_text:
            self.app.notify("No trace to save here.", severity="warning")
            return
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", view.source).strip("-")
        path = trace_dir() / f"{safe}-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(view.trace_text + "\n", encoding="utf-8")
        except OSError as exc:
            self.app.notify(f"Cannot save the trace: {exc}", severity="error")
            return
        self.app.notify(str(path), title="trace saved")
