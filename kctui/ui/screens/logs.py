"""The log screen: worker logs of the cluster, merged, filtered, followed.

One thread worker drives a :class:`~kctui.logs.feed.LogFeed` (follow files and commands,
index big files backwards, apply filters) and posts rows to the :class:`LogView`; another
reads the records the view is about to draw (:class:`RecordLoader`). The UI thread never
reads a file.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from kctui.diagnose import diagnose
from kctui.diagnose.model import Rule
from kctui.logs.feed import LogFeed
from kctui.logs.filters import FilterError, LogFilter
from kctui.logs.patterns import LEVELS
from kctui.logs.sources import Notice
from kctui.settings import ClusterConfig
from kctui.ui.screens.base import KctuiScreen
from kctui.ui.session import rules_of
from kctui.ui.widgets.diagnosis_view import DiagnosisView
from kctui.ui.widgets.log_loader import RecordLoader
from kctui.ui.widgets.log_view import LogView

POLL_SECONDS = 0.25
MAX_PENDING = 6  # back-pressure: row messages not yet handled by the UI
LEVEL_CYCLE: tuple[str | None, ...] = (None, "DEBUG", "INFO", "WARN", "ERROR")


@dataclass
class RowsReset(Message):
    rows: array[int]
    failure_rows: array[int]
    version: int
    scanning: bool
    progress: float = 1.0
    growing: tuple[int, ...] = ()  # the records that may have changed since the last rows


@dataclass
class LayoutsFound(Message):
    """The layouts of the sources (detected or configured), for the status line."""

    layouts: tuple[str, ...]


@dataclass
class RowsAppended(Message):
    rows: array[int]
    failure_rows: array[int]
    version: int


@dataclass
class SourceNotices(Message):
    notices: tuple[Notice, ...]


class LogScreen(KctuiScreen[None]):
    """Worker logs; ``connector``/``task`` filter them, ``around_failure`` opens at the failure."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="app.back"),
        Binding("f", "follow", "Follow", id="logs.follow"),
        Binding("n", "failure(1)", "Next failure", id="logs.next-failure"),
        Binding("N", "failure(-1)", "Prev failure", id="logs.previous-failure"),
        Binding("slash", "filter", "Filter", key_display="/", id="logs.filter"),
        Binding("v", "level", "Level", id="logs.level"),
        Binding("x", "failures_only", "Only failures", id="logs.failures-only"),
        Binding("w", "worker", "Worker", id="logs.worker"),
        Binding("r", "restart_sources", "Restart cmd", id="logs.restart"),
    ]

    def __init__(
        self,
        cluster: ClusterConfig,
        connector: str | None = None,
        task: int | None = None,
        around_failure: bool = False,
        *,
        feed: LogFeed | None = None,
        max_command_lines: int = 100_000,
        log_filter: LogFilter | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        """``log_filter`` presets every filter (``kctui logs --failures --level …``); ``rules``
        diagnose failure records (the command's; the shipped ones when None)."""
        super().__init__()
        self.cluster = cluster
        self._rules = tuple(rules) if rules is not None else None
        self.feed = feed or LogFeed(cluster.logs, max_command_lines=max_command_lines)
        self.loader = RecordLoader(self.feed)
        self.log_filter = log_filter or LogFilter(connector=connector, task=task)
        self.around_failure = around_failure
        self.filter_version = 0
        self.scanning = True
        self.progress = 0.0
        self.layouts: tuple[str, ...] = ()
        self._layouts_posted: tuple[str, ...] = ()
        self.notices: list[Notice] = []
        self._wake = threading.Event()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._jumped = False
        self._closed = False

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The diagnosis rules: those given (``kctui logs``), else the console session's."""
        if self._rules is None:
            self._rules = rules_of(self)
        return self._rules

    def compose(self) -> ComposeResult:
        yield Static(id="log-title")
        yield Input(
            placeholder="text, or /regular expression/ (enter applies, empty clears)",
            id="log-filter",
        )
        yield Static(id="log-notice")
        view = LogView(self.loader, id="log-view")
        view.show_worker = len(self.feed.workers) > 1
        yield view
        yield DiagnosisView(id="log-diagnosis")
        yield Static(id="log-status")
        yield Footer()

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self._update_title()
        self._update_status()
        self.view.focus()
        self._read_records()
        if not self.cluster.logs and not self.feed.sources:
            self._show_notice(
                f"No log sources configured for cluster '{self.cluster.name}': add "
                f"[[clusters.{self.cluster.name}.logs]] entries (see docs/logs.md).",
                "warning",
            )
            return
        self._pump()

    def on_unmount(self) -> None:
        self._closed = True
        self._wake.set()
        self.loader.close()

    @work(thread=True, exclusive=True, group="log-records", exit_on_error=False)
    def _read_records(self) -> None:
        """Read the records the view asks for (the UI thread never waits for a file)."""
        worker = get_current_worker()
        self.loader.run(self.view.deliver, cancelled=lambda: worker.is_cancelled)

    # ------------------------------------------------------------------ the pump (thread)

    def _post_rows(self, message: Message) -> None:
        with self._pending_lock:
            self._pending += 1
        self.post_message(message)

    def _handled(self) -> None:
        with self._pending_lock:
            self._pending = max(0, self._pending - 1)

    @work(thread=True, exclusive=True, group="log-pump", exit_on_error=False)
    def _pump(self) -> None:
        worker = get_current_worker()
        state = {"built": -1, "errors": 0}
        try:
            while not worker.is_cancelled and not self._closed:
                try:
                    scanning = self._pump_once(state)
                except Exception as exc:  # noqa: BLE001 - a bad source must not stop the view
                    state["errors"] += 1
                    notice = Notice("logs", f"reading logs failed: {exc}", "error")
                    if state["errors"] <= 3:
                        self.post_message(SourceNotices((notice,)))
                    scanning = False
                while self._pending > MAX_PENDING and not self._closed:
                    self._wake.wait(0.05)
                if not scanning and state["built"] == self.filter_version:
                    self._wake.wait(POLL_SECONDS)
                    self._wake.clear()
        finally:
            self.feed.close()

    def _pump_once(self, state: dict[str, int]) -> bool:
        """One step of the feed; posts new rows; True while big files are still being indexed."""
        step = self.feed.step()
        flt, version = self.log_filter, self.filter_version
        if step.notices:
            self.post_message(SourceNotices(step.notices))
        layouts = tuple(self.feed.layout_labels())
        if layouts != self._layouts_posted:
            self._layouts_posted = layouts
            self.post_message(LayoutsFound(layouts))
        if version != state["built"] or step.changed:
            rows = self.feed.build(flt)
            state["built"] = version
            progress = self.feed.progress()
            growing = self.feed.growing()
            reset = RowsReset(
                rows.rows, rows.failure_rows, version, step.scanning, progress, growing
            )
            self._post_rows(reset)
        elif step.appended:
            new = self.feed.select_new(step.appended, flt)
            if new.rows:
                self._post_rows(RowsAppended(new.rows, new.failure_rows, version))
        return step.scanning

    # ------------------------------------------------------------------ messages

    def on_layouts_found(self, message: LayoutsFound) -> None:
        self.layouts = message.layouts
        self._update_status()

    def on_rows_reset(self, message: RowsReset) -> None:
        self._handled()
        if message.version != self.filter_version:
            return
        self.scanning, self.progress = message.scanning, message.progress
        self.view.reset_rows(message.rows, message.failure_rows, growing=message.growing)
        # The backward scan finds the latest failure first: no need to wait for the whole file.
        found = bool(message.failure_rows) or not message.scanning
        if self.around_failure and not self._jumped and found:
            self._jumped = True
            self._jump_to_last_failure()
        self._update_status()

    def on_rows_appended(self, message: RowsAppended) -> None:
        self._handled()
        if message.version == self.filter_version:
            self.view.append_rows(message.rows, message.failure_rows)
            self._update_status()

    def on_source_notices(self, message: SourceNotices) -> None:
        for notice in message.notices:
            self.notices.append(notice)
            self._show_notice(f"{notice.worker}: {notice.message}", notice.severity)
            if notice.severity == "error":
                self.notify(f"{notice.worker}: {notice.message}", severity="error", timeout=8)
        del self.notices[:-20]

    @on(LogView.StateChanged)
    def _view_changed(self) -> None:
        self._update_status()
        self._show_diagnosis()

    def _show_diagnosis(self) -> None:
        """Beside the failure record under the cursor: what it usually means."""
        view = self.view
        found = None
        if 0 <= view.cursor < len(view.rows):
            packed = view.rows[view.cursor]
            loaded = view.record(packed)  # None until read: the view says when it comes
            if loaded is not None and loaded.header.is_failure:
                trace = view.trace(packed) if loaded.count else ()
                if trace is None:
                    view.record(packed, trace=True)
                else:
                    text = "\n".join([loaded.header.text, *trace])
                    found = diagnose(text, rules=self.rules)
        self.query_one(DiagnosisView).show(found)

    def _jump_to_last_failure(self) -> None:
        view = self.view
        if view.failure_rows:
            view.move_to(view.failure_rows[-1], expand=True)
        else:
            what = self.log_filter.connector or "the cluster"
            self.notify(f"No failure line found for {what} in the worker logs", severity="warning")

    # ------------------------------------------------------------------ display

    def _show_notice(self, text: str, severity: str) -> None:
        notice = self.query_one("#log-notice", Static)
        notice.update(text)
        notice.set_class(True, "-shown")
        notice.set_class(severity == "error", "-error")

    def _update_title(self) -> None:
        sources = self.feed.sources
        what = ", ".join(s.worker for s in sources) or "no sources"
        self.query_one("#log-title", Static).update(f"Logs · {self.cluster.name} · {what}")

    def filter_summary(self) -> str:
        flt = self.log_filter
        parts = []
        if flt.worker:
            parts.append(f"worker {flt.worker}")
        if flt.connector:
            parts.append(f"connector {flt.connector}")
        if flt.task is not None:
            parts.append(f"task {flt.task}")
        if flt.min_level:
            parts.append(f"level ≥ {flt.min_level}")
        if flt.failures_only:
            parts.append("only failures")
        if flt.text:
            parts.append(f"/{flt.text}/" if flt.regex else f"“{flt.text}”")
        return ", ".join(parts)

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        view = self.view
        parts = [f"{len(view.rows):,} records", f"{len(view.failure_rows)} failures"]
        if view.follow:
            parts.append("following")
        else:
            parts.append(f"paused: {view.new_lines:,} new lines (f follows)")
        summary = self.filter_summary()
        if summary:
            parts.append(f"filter: {summary}")
        if self.layouts:
            parts.append(f"layout: {', '.join(self.layouts)}")
        if self.scanning:
            parts.append(f"indexing {self.progress:.0%}")
        status = self.query_one("#log-status", Static)
        status.update(" · ".join(parts))
        status.set_class(not view.follow, "-paused")

    # ------------------------------------------------------------------ filters

    def set_filter(self, log_filter: LogFilter) -> None:
        """Apply a new filter; rows are rebuilt off the UI thread."""
        self.log_filter = log_filter
        self.filter_version += 1
        self._wake.set()
        self._update_status()

    def action_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.add_class("-shown")
        flt = self.log_filter
        box.value = f"/{flt.text}/" if flt.regex and flt.text else flt.text
        box.focus()

    @on(Input.Submitted, "#log-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        regex = len(value) >= 2 and value.startswith("/") and value.endswith("/")
        text = value[1:-1] if regex else value
        try:
            new = replace(self.log_filter, text=text, regex=regex)
        except FilterError as exc:
            self.notify(str(exc), severity="error")
            return
        event.input.remove_class("-shown")
        self.view.focus()
        self.set_filter(new)

    def action_close(self) -> None:
        box = self.query_one("#log-filter", Input)
        if box.has_class("-shown"):
            box.remove_class("-shown")
            self.view.focus()
            return
        if len(self.app.screen_stack) <= 2:  # the log viewer on its own (kctui logs FILE)
            self.app.exit()
            return
        self.app.pop_screen()

    def action_level(self) -> None:
        current = self.log_filter.min_level
        index = LEVEL_CYCLE.index(current) if current in LEVEL_CYCLE else 0
        self.set_filter(
            replace(self.log_filter, min_level=LEVEL_CYCLE[(index + 1) % len(LEVEL_CYCLE)])
        )

    def action_failures_only(self) -> None:
        self.set_filter(replace(self.log_filter, failures_only=not self.log_filter.failures_only))

    def action_worker(self) -> None:
        workers: list[str | None] = [None, *self.feed.workers]
        current = self.log_filter.worker
        index = workers.index(current) if current in workers else 0
        self.set_filter(replace(self.log_filter, worker=workers[(index + 1) % len(workers)]))

    # ------------------------------------------------------------------ moving

    def action_follow(self) -> None:
        self.view.resume_follow()

    def action_failure(self, direction: int) -> None:
        if not self.view.next_failure(direction):
            where = "after" if direction > 0 else "before"
            self.notify(f"No failure {where} this line", severity="information", timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restart_sources":
            return True if any(s.command for s in self.feed.sources) else None
        if action == "worker":
            return True if len(self.feed.workers) > 1 else None
        return True

    def action_restart_sources(self) -> None:
        self.feed.request_restart()
        self._wake.set()


__all__ = ["LEVELS", "LogScreen"]
