"""The DLQ browser: dead letters of a topic decoded, grouped, filtered, exported.

All Kafka reads run in one exclusive thread worker (kafka-python blocks) that talks back
only by messages (:mod:`kctui.ui.screens.dlq_read`); ``esc`` cancels a running read. The
worker also folds each page into the topic's running summary, so a group click or a
filter change only filters the page on screen. The reader never joins a consumer group
and never commits (see ``kctui.dlq.reader``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Footer, Static
from textual.worker import get_current_worker

from kctui.diagnose.model import Rule
from kctui.dlq.pages import Page
from kctui.dlq.protocol import CancelCheck, DlqSource, Progress
from kctui.dlq.records import DeadLetter, group_value
from kctui.errors import KctuiError
from kctui.settings import ClusterConfig
from kctui.ui.screens.base import KctuiScreen
from kctui.ui.screens.dlq_actions import DlqPromptActions
from kctui.ui.screens.dlq_modals import DlqOriginalScreen
from kctui.ui.screens.dlq_read import (
    DlqDone,
    DlqFold,
    DlqOriginalLoaded,
    DlqOverview,
    DlqPageLoaded,
    DlqRead,
    DlqReadFailed,
    DlqReadProgress,
    DlqRedrivePlanned,
    DlqTopicsLoaded,
    Job,
    PageRead,
    SourceRead,
)
from kctui.ui.screens.dlq_redrive import DlqRedriveActions
from kctui.ui.session import rules_of
from kctui.ui.widgets.dlq_detail import DlqDetail
from kctui.ui.widgets.dlq_summary import DlqStatus, DlqSummary
from kctui.ui.widgets.dlq_table import DlqTable, DlqTopicTable

PAGE_SIZE = 500


class DlqScreen(DlqPromptActions, DlqRedriveActions, KctuiScreen[None]):
    """Opened by the app as ``DlqScreen(cluster, dlq_topics=..., topic=...)``."""

    BINDINGS = [
        Binding("escape", "back", "Back/cancel", id="app.back"),
        Binding("o", "original", "Original", id="dlq.original"),
        Binding("x", "export", "Export", id="dlq.export"),
        Binding("space", "mark", "Mark", id="dlq.mark"),
        Binding("R", "redrive", "Redrive", id="dlq.redrive"),
        Binding("n", "older", "Older", id="dlq.older"),
        Binding("p", "newer", "Newer", id="dlq.newer"),
        Binding("r", "newest", "Newest", id="dlq.newest"),
        Binding("g", "goto_offset", "Offset", id="dlq.goto-offset"),
        Binding("t", "goto_time", "Time", id="dlq.goto-time"),
        Binding("c", "clear_filter", "All groups", id="dlq.clear-filter"),
        Binding("v", "reveal", "Reveal secrets", id="dlq.reveal"),
    ]

    def __init__(
        self,
        cluster: ClusterConfig,
        dlq_topics: Mapping[str, str] | None = None,
        topic: str | None = None,
        *,
        reader: DlqSource | None = None,
        page_size: int = PAGE_SIZE,
        export_dir: Path | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        super().__init__()
        self.cluster = cluster
        self._rules = tuple(rules) if rules is not None else None
        self.dlq_topics = dict(dlq_topics or {})
        if topic and topic not in self.dlq_topics:
            self.dlq_topics[topic] = ""
        self.topic = topic
        self.start_topic = topic
        self.page_size = page_size
        self.export_dir = export_dir or Path.cwd()
        self.page: Page | None = None
        self.group: tuple[str, str] | None = None
        self.revealed = False  # error headers shown unmasked (on screen only, never exported)
        self.reading = False
        self._generation = 0
        self.overview = DlqOverview()  # the summary of what has been read of the topic
        self._fold = DlqFold(topic, ())  # open_topic (on mount, or on a topic's pick) replaces it
        self._reader = reader
        self._owns_reader = reader is None
        self._reader_lock = threading.Lock()

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The diagnosis rules: those given, else the console session's."""
        if self._rules is None:
            self._rules = rules_of(self)
        return self._rules

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="dlq-topics" if self.topic is None else "dlq-browser"):
            with Vertical(id="dlq-topics"):
                yield Static("", id="dlq-empty", markup=False)
                yield DlqTopicTable(id="dlq-topic-table")
            with Vertical(id="dlq-browser"):
                yield DlqSummary(id="dlq-summary")
                yield DlqTable(id="dlq-table")
                yield DlqDetail(id="dlq-detail")
        yield DlqStatus(id="dlq-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"DLQ · {self.cluster.name}"
        if self.topic is None:
            self._load_topics()
        else:
            self.open_topic(self.topic)

    def on_unmount(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and self._owns_reader:
            threading.Thread(target=reader.close, name="kctui-dlq-close", daemon=True).start()

    # ------------------------------------------------------------------ reading

    def _source(self) -> DlqSource:
        with self._reader_lock:  # two read threads (one cancelled) must share one reader
            if self._reader is None:
                from kctui.dlq.reader import DlqReader

                self._reader = DlqReader(self.cluster)
            return self._reader

    def _start(self, description: str, job: Job) -> None:
        """Run ``job`` in the read worker (a newer start cancels it); its answer comes back."""
        self.reading = True
        self._generation += 1
        self.query_one(DlqStatus).reading(f"{description}… (esc cancels)")
        self._run(description, job, self._generation)
        self._refresh_bindings_if_needed()

    def _read(self, description: str, read: SourceRead) -> None:
        """Run one read of the DLQ source in the read worker."""
        self._start(description, lambda cancel, progress: read(self._source(), cancel, progress))

    def _read_page(self, description: str, read: PageRead) -> None:
        """Read a page; the worker counts it into the topic's summary before it answers."""
        fold = self._fold  # this topic's (another topic gets a new one)

        def job(cancel: CancelCheck, progress: Progress) -> DlqRead:
            page = read(self._source(), cancel, progress)
            return DlqPageLoaded(page, description, None if cancel() else fold.add(page))

        self._start(description, job)

    def _current(self, message: DlqRead) -> bool:
        """False for a message of a read that a newer one replaced (or that was cancelled)."""
        return message.generation == self._generation

    @work(thread=True, exclusive=True, group="dlq-read", exit_on_error=False, name="DLQ read")
    def _run(self, description: str, job: Job, generation: int) -> None:
        worker = get_current_worker()

        def send(message: DlqRead) -> None:
            message.generation = generation
            self.post_message(message)

        try:
            answer = job(
                lambda: worker.is_cancelled,
                lambda done, total: send(DlqReadProgress(done, total)),
            )
        except KctuiError as exc:  # includes ReadCancelled: a message, never a crash
            send(DlqReadFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - a client bug must not stop the browser
            send(DlqReadFailed(f"unexpected error: {type(exc).__name__}: {exc}"))
            return
        send(DlqReadFailed(f"{description}: cancelled") if worker.is_cancelled else answer)

    def _load_topics(self) -> None:
        empty = self.query_one("#dlq-empty", Static)
        if not self.dlq_topics:
            empty.update("No sink connector of this cluster has errors.deadletterqueue.topic.name.")
            self.query_one(DlqStatus).idle("no DLQ topics")
            return
        empty.display = False
        topics = dict(self.dlq_topics)
        self._read(
            "counting records of DLQ topics",
            lambda source, _c, _p: DlqTopicsLoaded(source.topic_infos(topics)),
        )

    def open_topic(self, topic: str) -> None:
        self.topic = topic
        self.page, self.group = None, None
        self.overview = DlqOverview()
        self._fold = DlqFold(topic, self.rules)
        self.query_one(ContentSwitcher).current = "dlq-browser"
        self.query_one(DlqTable).show([])
        self.query_one(DlqDetail).show(None)
        self.sub_title = f"DLQ · {self.cluster.name} · {topic}"
        self.action_newest()

    # ------------------------------------------------------------------ messages

    def on_dlq_topics_loaded(self, message: DlqTopicsLoaded) -> None:
        if not self._current(message):
            return
        self.reading = False
        self.query_one(DlqTopicTable).show(message.infos)
        total = sum(i.count for i in message.infos)
        self.query_one(DlqStatus).idle(
            f"{len(message.infos)} DLQ topic{'s' if len(message.infos) != 1 else ''}, "
            f"{total} records · enter opens one"
        )
        self.query_one(DlqTopicTable).focus()
        self._refresh_bindings_if_needed()

    def on_dlq_topic_table_chosen(self, message: DlqTopicTable.Chosen) -> None:
        self.open_topic(message.topic)

    def on_dlq_page_loaded(self, message: DlqPageLoaded) -> None:
        if not self._current(message):
            return
        self.reading = False
        page = message.page
        if page.topic != self.topic:
            return
        self.page = page
        if message.overview is not None:
            self.overview = message.overview
        self._show_rows()
        table = self.query_one(DlqTable)
        if table.row_count:
            table.move_cursor(row=0)
            table.focus()
        self.query_one(DlqDetail).show(table.current, revealed=self.revealed)
        self.query_one(DlqStatus).idle(self._page_text())
        self._refresh_bindings_if_needed()

    def on_dlq_read_progress(self, message: DlqReadProgress) -> None:
        if not self._current(message):
            return
        self.query_one(DlqStatus).progress(message.done, message.total)

    def on_dlq_read_failed(self, message: DlqReadFailed) -> None:
        if not self._current(message):
            return
        self.reading = False
        self.query_one(DlqStatus).error(message.text)
        self._refresh_bindings_if_needed()

    def on_dlq_done(self, message: DlqDone) -> None:
        if not self._current(message):
            return
        self.reading = False
        self.query_one(DlqStatus).idle(message.text)
        self.notify(message.text, title="DLQ export")
        self._refresh_bindings_if_needed()

    def on_dlq_redrive_planned(self, message: DlqRedrivePlanned) -> None:
        if not self._current(message):
            return
        self.reading = False
        self.query_one(DlqStatus).idle(self._page_text())
        self._refresh_bindings_if_needed()
        self.show_redrive_plan(message.plan, message.warnings)

    def on_dlq_original_loaded(self, message: DlqOriginalLoaded) -> None:
        if not self._current(message):
            return
        self.reading = False
        self.query_one(DlqStatus).idle(self._page_text())
        self.app.push_screen(DlqOriginalScreen(message.dead_letter, message.record))
        self._refresh_bindings_if_needed()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, DlqTable):
            self.query_one(DlqDetail).show(event.data_table.current, revealed=self.revealed)
            self._refresh_bindings_if_needed()

    def on_dlq_summary_group_selected(self, message: DlqSummary.GroupSelected) -> None:
        self.group = None if message.kind is None else (message.kind, message.value or "")
        self._show_rows()

    # ------------------------------------------------------------------ view

    def _visible(self) -> list[DeadLetter]:
        rows = list(self.page.dead_letters) if self.page else []
        if self.group is not None:
            kind, value = self.group
            rows = [dl for dl in rows if group_value(dl, kind) == value]
        return rows

    def _show_rows(self) -> None:
        """The page's rows of the chosen group, and the summary the read worker folded."""
        self.query_one(DlqTable).show(self._visible())
        overview = self.overview
        summary = self.query_one(DlqSummary)
        summary.show(overview.summary, self.group, overview.causes, overview.diagnoses)
        self.query_one(DlqDetail).show(self.query_one(DlqTable).current, revealed=self.revealed)
        self._refresh_bindings_if_needed()

    def _page_text(self) -> str:
        page = self.page
        if page is None:
            return ""
        spans = ", ".join(
            f"p{p} {low}-{high - 1}" if high > low else f"p{p} -" for p, low, high in page.ranges
        )
        group = f" · filter {self.group[0]}={self.group[1]}" if self.group else ""
        return (
            f"{page.topic}: {len(page.dead_letters)} of {page.total} records ({spans}) · "
            f"{self.overview.read} read{group}"
        )

    # ------------------------------------------------------------------ actions

    _bindings_key: object = None

    def _refresh_bindings_if_needed(self) -> None:
        """Refresh the footer only when what enables a key changed (a refresh recomposes
        the footer, which costs more than moving the cursor or filtering the page)."""
        tables = self.query(DlqTable)
        current = tables.first().current if tables else None
        page = self.page
        key = (
            self.topic is not None,
            current is not None and current.has_original,
            page is not None and page.has_older,
            page is not None and page.has_newer,
            self.group is not None,
        )
        if key != self._bindings_key:
            self._bindings_key = key
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        browsing = self.topic is not None
        if action in (
            "original",
            "export",
            "redrive",
            "mark",
            "older",
            "newer",
            "newest",
            "goto_offset",
            "goto_time",
            "clear_filter",
        ):
            if not browsing:
                return False
        if action == "original":
            tables = self.query(DlqTable)
            current = tables.first().current if tables else None
            return True if current is not None and current.has_original else None
        if action == "older":
            return True if self.page is not None and self.page.has_older else None
        if action == "newer":
            return True if self.page is not None and self.page.has_newer else None
        if action == "clear_filter":
            return True if self.group is not None else None
        return True

    def action_back(self) -> None:
        if self.reading:
            self.workers.cancel_group(self, "dlq-read")
            self.reading = False
            self.query_one(DlqStatus).error("read cancelled")
            self._refresh_bindings_if_needed()
            return
        if self.topic is not None and self.start_topic is None:
            self.topic, self.page = None, None
            self.sub_title = f"DLQ · {self.cluster.name}"
            self.query_one(ContentSwitcher).current = "dlq-topics"
            self._load_topics()
            return
        self.app.pop_screen()

    def action_newest(self) -> None:
        topic, size = self.topic, self.page_size
        if topic is not None:
            self._read_page(
                f"reading the newest {size} of {topic}",
                lambda source, c, p: source.newest(topic, size, cancel=c, progress=p),
            )

    def action_older(self) -> None:
        page, size = self.page, self.page_size
        if page is not None and page.has_older:
            self._read_page(
                "reading older dead letters",
                lambda source, c, p: source.older(page, size, cancel=c, progress=p),
            )

    def action_newer(self) -> None:
        page, size = self.page, self.page_size
        if page is not None and page.has_newer:
            self._read_page(
                "reading newer dead letters",
                lambda source, c, p: source.newer(page, size, cancel=c, progress=p),
            )

    def action_reveal(self) -> None:
        """Toggle masking of the error headers on screen; exports stay masked."""
        self.revealed = not self.revealed
        self.query_one(DlqDetail).show(self.query_one(DlqTable).current, revealed=self.revealed)
        state = "revealed (v masks again)" if self.revealed else "masked"
        self.notify(f"Error headers {state}.")

    def action_clear_filter(self) -> None:
        self.group = None
        self._show_rows()

    def action_mark(self) -> None:
        self.query_one(DlqTable).toggle_mark()
