"""Runtime log levels: every logger's level on each worker, and setting one (KIP-495/976).

Levels are read with ``GET /admin/loggers`` on each worker URL. A level is set for one
worker (``scope=worker``, on that worker) or for the whole cluster (``scope=cluster``,
3.7+, applied by every worker shortly after).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Input, Label, Select, Static
from textual.worker import Worker

from kctui.connect.protocol import ConnectApi
from kctui.operate.loggers import (
    LEVELS,
    WorkerLoggers,
    level_rows,
    loggers_of,
    worker_client,
    worker_urls,
)
from kctui.settings import ClusterConfig
from kctui.ui.screens.base import KctuiModalScreen, KctuiScreen

CLUSTER = "cluster"


@dataclass(frozen=True)
class LevelRequest:
    """What the user asked for in the dialog: logger, level, and ``cluster`` or a worker URL."""

    logger: str
    level: str
    target: str


class SetLevelScreen(KctuiModalScreen[LevelRequest | None]):
    """Logger name, level and scope (cluster, or one worker); ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.close")]

    def __init__(
        self, logger: str, level: str, workers: Sequence[str], cluster_scope: bool
    ) -> None:
        super().__init__()
        self.logger = logger
        self.level = level if level in LEVELS else "DEBUG"
        self.worker_levels = list(workers)
        self.cluster_scope = cluster_scope

    def compose(self) -> ComposeResult:
        targets = [("whole cluster", CLUSTER)] if self.cluster_scope else []
        targets += [(f"worker {url}", url) for url in self.worker_levels]
        with Vertical():
            yield Label("Set a log level (enter in the name field applies)")
            yield Input(self.logger, placeholder="logger, e.g. org.apache.kafka.connect.file",
                        id="level-logger")  # fmt: skip
            yield Select([(level, level) for level in LEVELS], value=self.level,
                         allow_blank=False, id="level-level")  # fmt: skip
            yield Select(targets, value=targets[0][1], allow_blank=False, id="level-target")
            yield Static("", id="level-error")
            with Horizontal():
                yield Button("Apply", id="level-apply", variant="primary")
                yield Button("Cancel", id="level-cancel-button")

    def on_mount(self) -> None:
        self.query_one("#level-logger", Input).focus()

    def _submit(self) -> None:
        logger = self.query_one("#level-logger", Input).value.strip()
        if not logger:
            self.query_one("#level-error", Static).update("a logger name is needed (or root)")
            return
        level = str(self.query_one("#level-level", Select).value)
        target = str(self.query_one("#level-target", Select).value)
        self.dismiss(LevelRequest(logger, level, target))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "level-apply":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LoggersScreen(KctuiScreen[None]):
    """Every logger with its level on each worker; ``enter`` sets the selected one's level."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="app.back", key_display="esc"),
        Binding("enter", "set_level", "Set level", id="loggers.set-level"),
        Binding("n", "new_logger", "Set other logger", id="loggers.new"),
        Binding("slash", "filter", "Filter", id="loggers.filter", key_display="/"),
        Binding("ctrl+r", "reload", "Reload", id="loggers.reload", show=False),
    ]

    class Loaded(Message):
        def __init__(self, workers: list[WorkerLoggers], cluster_scope: bool) -> None:
            super().__init__()
            self.worker_levels = workers
            self.cluster_scope = cluster_scope

    def __init__(self, cluster: ClusterConfig, *, logger: str | None = None) -> None:
        super().__init__(id="loggers")
        self.cluster = cluster
        self.initial_logger = logger
        self.worker_levels: list[WorkerLoggers] = []
        self.rows: list[tuple[str, list[str]]] = []
        self.all_rows: list[tuple[str, list[str]]] = []
        self.filter_text = ""
        self.cluster_scope = True

    def compose(self) -> ComposeResult:
        yield Static("Reading log levels from every worker...", id="loggers-summary")
        yield Input(placeholder="filter loggers: text in the name", id="loggers-filter")
        yield DataTable(id="loggers-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="loggers-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#loggers-filter").display = False
        self.query_one(DataTable).focus()
        self.load()

    @property
    def client(self) -> ConnectApi:
        return self.session.api

    def urls(self) -> list[str]:
        state = self.session.state
        workers = list(state.workers) if state is not None else []
        return worker_urls(list(self.cluster.urls), workers)

    @work(exclusive=True, group="loggers-load", exit_on_error=False)
    async def load(self) -> None:
        server = await self.client.server_info()
        workers = [await loggers_of(self.client, url) for url in self.urls()]
        self.post_message(self.Loaded(workers, server.supports_logger_scope))

    def on_loggers_screen_loaded(self, message: Loaded) -> None:
        self.worker_levels = message.worker_levels
        self.cluster_scope = message.cluster_scope
        self.all_rows = level_rows(self.worker_levels)
        self._render_rows()

    def _render_rows(self) -> None:
        needle = self.filter_text.lower()
        self.rows = [row for row in self.all_rows if needle in row[0].lower()]
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_columns("LOGGER", *[w.url.split("://", 1)[-1] for w in self.worker_levels])
        for name, levels in self.rows:
            table.add_row(name, *[level or "-" for level in levels], key=name)
        wanted = self.initial_logger
        names = [name for name, _ in self.rows]
        if wanted in names:
            table.move_cursor(row=names.index(wanted))
            self.initial_logger = None
        elif self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        problems = [f"{w.url}: {w.error}" for w in self.worker_levels if w.error]
        summary = f"{len(self.all_rows)} loggers on {len(self.worker_levels)} workers"
        if self.filter_text:
            summary += f"; {len(self.rows)} match '{self.filter_text}'"
        if not self.cluster_scope:
            summary += " (cluster scope needs Kafka Connect 3.7: set levels per worker)"
        if problems:
            summary += "\n" + "\n".join(problems)
        self.query_one("#loggers-summary", Static).update(summary)
        self.refresh_bindings()

    def selected_logger(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row][0]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("set_level", "new_logger") and self.session.read_only:
            return False
        if action == "set_level":
            return True if self.selected_logger() is not None else None
        return True

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Shown here too (the app's notice comes from KctuiScreen)."""
        self.query_one("#loggers-result", Static).update(f"failed: {worker.error}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.check_action("set_level", ()):
            self.action_set_level()

    def action_back(self) -> None:
        box = self.query_one("#loggers-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    def action_filter(self) -> None:
        box = self.query_one("#loggers-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "loggers-filter":
            self.filter_text = event.value.strip()
            self._render_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "loggers-filter":
            self.query_one(DataTable).focus()

    def action_reload(self) -> None:
        self.load()

    def action_set_level(self) -> None:
        self._ask(self.selected_logger() or "")

    def action_new_logger(self) -> None:
        self._ask("")

    def _ask(self, logger: str) -> None:
        current = ""
        for name, levels in self.rows:
            if name == logger:
                current = next((level for level in levels if level), "")
        dialog = SetLevelScreen(
            logger, "DEBUG" if current != "DEBUG" else "INFO", self.urls(), self.cluster_scope
        )
        self.app.push_screen(dialog, self._apply)

    def _apply(self, request: LevelRequest | None) -> None:
        if request is None:
            return
        self.run_worker(self._set(request), group="loggers-set", exit_on_error=False,
                        name=f"set {request.logger}")  # fmt: skip

    async def _set(self, request: LevelRequest) -> None:
        if request.target == CLUSTER:
            await self.client.set_logger_level(request.logger, request.level, scope="cluster")
            where = "every worker (cluster scope, applied asynchronously)"
        else:
            one, owned = worker_client(self.client, request.target)
            try:
                scope = "worker" if self.cluster_scope else None
                await one.set_logger_level(request.logger, request.level, scope=scope)
            finally:
                if owned:
                    await one.aclose()
            where = request.target
        text = f"{request.logger} set to {request.level} on {where}"
        self.query_one("#loggers-result", Static).update(text)
        self.app.notify(text, title="log level")
        self.initial_logger = request.logger
        if request.target == CLUSTER:
            await self._wait_applied(request)
        self.load()

    async def _wait_applied(self, request: LevelRequest, timeout: float = 10.0) -> None:
        """Cluster scope is applied by each worker in turn: wait until all show it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answers = [await loggers_of(self.client, url) for url in self.urls()]
            if all(w.error or w.levels.get(request.logger) == request.level for w in answers):
                return
            await asyncio.sleep(0.3)
