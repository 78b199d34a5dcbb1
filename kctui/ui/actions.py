"""Connector lifecycle keys shared by the overview and the detail screen.

A screen mixes in :class:`ConnectorActions` and provides ``selected_connector()`` and
``selected_task()``. Requests run in app workers (one error handler shows failures);
the client enforces read-only, the UI only hides what it would refuse.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.binding import Binding

from kctui.connect.models import (
    FAILED,
    PAUSED,
    STOPPED,
    ClusterState,
    Connector,
    ConnectorStatus,
    TaskStatus,
)
from kctui.connect.protocol import ConnectApi
from kctui.connect.retries import RetryNotice, retry_listener
from kctui.errors import KctuiError
from kctui.ui.operate_actions import OPERATE_ACTIONS, OPERATE_BINDINGS, OperateActions
from kctui.ui.view import failed_tasks, with_connector_status, with_task_restarting

MUTATING_ACTIONS = frozenset(
    {"pause", "resume", "restart", "restart_task", "stop", "delete", "restart_failed"}
)

# Actions on the selected connector (hidden while nothing is selected).
CONNECTOR_ACTIONS = frozenset(
    {"pause", "resume", "restart", "restart_task", "stop", "delete", "dlq", "logs_failure"}
)

CONNECTOR_BINDINGS = [
    Binding("p", "pause", "Pause", id="connector.pause"),
    Binding("r", "resume", "Resume", id="connector.resume"),
    Binding("R", "restart", "Restart", id="connector.restart"),
    Binding("t", "restart_task", "Restart task", id="connector.restart-task"),
    Binding("s", "stop", "Stop", id="connector.stop"),
    Binding("ctrl+d", "delete", "Delete", id="connector.delete"),
    Binding("F", "restart_failed", "Restart all failed", id="connector.restart-failed", show=False),
    Binding("D", "dlq", "DLQ", id="connector.dlq", show=False),
    Binding("l", "logs", "Logs", id="connector.logs", show=False),
    Binding("L", "logs_failure", "Logs at failure", id="connector.logs-failure", show=False),
    Binding("m", "metrics", "Metrics", id="connector.metrics", show=False),
    *OPERATE_BINDINGS,
]

AnswerT = TypeVar("AnswerT")
# One request to the cluster, and what its answer shows until the next refresh.
Call = Callable[[ConnectApi], Awaitable[AnswerT]]
Overlay = Callable[[ClusterState, AnswerT], ClusterState]


def _restart_answer(state: ClusterState, answer: ConnectorStatus | None) -> ClusterState:
    return with_connector_status(state, answer) if answer is not None else state


class ConnectorActions(OperateActions):
    """Actions on the selected connector/task; mixed into a Screen."""

    def selected_connector(self) -> Connector | None:
        raise NotImplementedError

    def selected_task(self) -> TaskStatus | None:
        raise NotImplementedError

    # ------------------------------------------------------------------ enabling

    _bindings_key: object = None

    def refresh_bindings_if_needed(self) -> None:
        """Refresh the footer only when what enables a key changed (a refresh of the
        footer recomposes it, which costs more than a whole unchanged refresh)."""
        connector = self.selected_connector()
        task = self.selected_task()
        key = (
            connector.name if connector else None,
            connector.state if connector else None,
            bool(connector and connector.dlq_topic),
            (task.id, task.state) if task else None,
            bool(failed_tasks(self.kctui.session.state)),
            self.kctui.read_only,
            self.kctui.session.server_info,
        )
        if key != self._bindings_key:
            self._bindings_key = key
            self.refresh_bindings()  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """False hides a key (read-only, or the opposite action applies); None greys it."""
        app = self.kctui
        if action in MUTATING_ACTIONS and app.read_only:
            return False
        connector = self.selected_connector()
        if action in OPERATE_ACTIONS:
            return self.check_operate_action(action, connector)
        state = connector.state if connector is not None else None
        if connector is None and action in CONNECTOR_ACTIONS:
            return False  # nothing selected (empty or unreachable cluster): keep the footer short
        if action == "pause":
            return connector is not None and state not in (PAUSED, STOPPED)
        if action == "resume":
            return connector is not None and state in (PAUSED, STOPPED)
        if action == "stop":
            if connector is None or state == STOPPED:
                return None
            return (
                None
                if app.session.server_info and not app.session.server_info.supports_stop
                else True
            )
        if action in ("restart", "delete"):
            return (
                True if connector is not None and (action == "delete" or state != STOPPED) else None
            )
        if action == "restart_task":
            return True if self.selected_task() is not None else None
        if action == "restart_failed":
            return True if failed_tasks(app.session.state) else None
        if action == "dlq":
            return True if connector is not None and connector.dlq_topic else None
        if action == "logs_failure":
            task = self.selected_task()
            failed = (task is not None and task.state == FAILED) or state == FAILED
            return True if failed else None
        return True

    # ------------------------------------------------------------------ requests

    def _request(
        self,
        label: str,
        names: list[str],
        call: Call[AnswerT],
        overlay: Overlay[AnswerT] | None = None,
    ) -> None:
        """Send one mutating request in a worker; show the result and follow the state.

        ``overlay`` turns the answer into what the table shows until the next refresh
        (Connect answered RESTARTING, or accepted a task restart).
        """
        app = self.kctui

        def retrying(notice: RetryNotice) -> None:
            text = f"{label}: {notice}"
            app.set_outcome(names, text, "pending")
            if notice.attempt == 2:  # say it at once; the row and detail keep counting
                app.notify(text, title="cluster rebalancing", severity="warning")

        async def run() -> None:
            app.set_outcome(names, f"{label}: sent", "pending")
            try:
                with retry_listener(retrying):
                    result = await call(app.session.api)
            except Exception as exc:
                reason = str(exc) if isinstance(exc, KctuiError) else type(exc).__name__
                app.set_outcome(names, f"{label} failed: {reason}", "failed")
                raise  # the app's one handler shows it as a notice too
            app.set_outcome(names, f"{label}: accepted, following its state", "pending")
            app.notify(label, title="accepted")
            for name in names:
                app.poller.follow(name, label)
            if overlay is not None and app.session.state is not None:
                app.poller.overlay(overlay(app.session.state, result))
            app.poller.refresh_now()

        app.run_worker(run(), name=label, group="action", exit_on_error=False)

    def action_pause(self) -> None:
        if (c := self.selected_connector()) is not None:
            self._request(f"pause {c.name}", [c.name], lambda client: client.pause(c.name))

    def action_resume(self) -> None:
        if (c := self.selected_connector()) is not None:
            self._request(f"resume {c.name}", [c.name], lambda client: client.resume(c.name))

    def action_restart(self) -> None:
        if (c := self.selected_connector()) is not None:
            self._request(
                f"restart {c.name} and its failed tasks",
                [c.name],
                lambda client: client.restart(c.name, include_tasks=True, only_failed=True),
                _restart_answer,
            )

    def action_restart_task(self) -> None:
        task = self.selected_task()
        if task is not None:
            self._request(
                f"restart task {task.connector}/{task.id}",
                [task.connector],
                lambda client: client.restart_task(task.connector, task.id),
                lambda state, _: with_task_restarting(state, task.connector, [task.id]),
            )

    def action_stop(self) -> None:
        from kctui.ui.screens.modals import ConfirmScreen

        if (c := self.selected_connector()) is None:
            return
        question = f"Stop {c.name}? Its tasks are shut down until you resume it (r)."

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._request(f"stop {c.name}", [c.name], lambda client: client.stop(c.name))

        self.kctui.push_screen(ConfirmScreen("Stop connector", question), confirmed)

    def action_delete(self) -> None:
        from kctui.ui.screens.modals import TypedConfirmScreen

        if (c := self.selected_connector()) is None:
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._request(f"delete {c.name}", [c.name], lambda client: client.delete(c.name))

        self.kctui.push_screen(TypedConfirmScreen("Delete connector", c.name), confirmed)

    def action_restart_failed(self) -> None:
        from kctui.ui.screens.modals import ConfirmScreen

        tasks = failed_tasks(self.kctui.session.state)
        if not tasks:
            self.kctui.notify("No FAILED task in the cluster.")
            return
        lines = [f"  {t.connector} task {t.id} on {t.worker_id or '?'}" for t in tasks]
        question = f"Restart these {len(tasks)} FAILED tasks?\n" + "\n".join(lines)

        async def restart_all(client: ConnectApi) -> list[TaskStatus]:
            errors: list[str] = []
            restarted: list[TaskStatus] = []
            for task in tasks:
                try:
                    await client.restart_task(task.connector, task.id)
                    restarted.append(task)
                except Exception as exc:  # noqa: BLE001 - report all, keep going
                    errors.append(f"{task.connector}/{task.id}: {exc}")
            if errors:
                self.kctui.notify(
                    "\n".join(errors[:5]), title="some restarts failed", severity="error"
                )
            return restarted

        def confirmed(ok: bool | None) -> None:
            if ok:
                names = sorted({t.connector for t in tasks})
                self._request(f"restart {len(tasks)} failed tasks", names, restart_all, overlay)

        def overlay(state: ClusterState, restarted: list[TaskStatus]) -> ClusterState:
            for task in restarted:
                state = with_task_restarting(state, task.connector, [task.id])
            return state

        self.kctui.push_screen(ConfirmScreen("Restart every failed task", question), confirmed)

    # ------------------------------------------------------------------ other features

    def action_dlq(self) -> None:
        connector = self.selected_connector()
        topic = connector.dlq_topic if connector is not None else None
        self.kctui.open_dlq(topic)

    def action_logs(self) -> None:
        connector = self.selected_connector()
        task = self.selected_task()
        self.kctui.open_logs(
            connector.name if connector else None,
            task.id
            if task is not None and connector and task.connector == connector.name
            else None,
        )

    def action_logs_failure(self) -> None:
        connector = self.selected_connector()
        task = self.selected_task()
        self.kctui.open_logs(
            connector.name if connector else None,
            task.id if task is not None else None,
            around_failure=True,
        )

    def action_metrics(self) -> None:
        connector = self.selected_connector()
        self.kctui.open_metrics(connector.name if connector else None)
