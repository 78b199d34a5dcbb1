"""Detail pane of one dead letter: decoded headers as a table, the trace, the key and value.

Payloads and the stack trace are highlighted by the one highlighter of their language and
styled by the one role map (:mod:`kctui.ui.highlight`). Error headers are masked unless
revealed; the payloads (the user's data) are shown as they are.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from kctui.dlq.records import (
    H_STACKTRACE,
    HEADER_PREFIX,
    DeadLetter,
    KafkaRecord,
    cut_lines,
    decode_text,
    render_payload,
)
from kctui.dlq.wire import Decoded
from kctui.masking import mask_text
from kctui.ui.highlight import highlight_trace, spans_content

MAX_TRACE_LINES = 400


def payload_content(data: bytes | None, decoded: Decoded | None = None) -> tuple[str, Content]:
    """A title (kind and size) and the rendered body of a key or value (``decoded`` by its
    schema when the reader could)."""
    rendered = render_payload(data, decoded=decoded)
    if rendered.kind == "null":
        return "null", Content.styled("null", "$text-muted italic")
    if rendered.kind == "empty":
        return rendered.description, Content.styled("(empty)", "$text-muted italic")
    body = spans_content(rendered.text, rendered.language)
    if rendered.truncated:
        body = Content.assemble(
            body, (f"\n… cut for display; full size {rendered.size} bytes", "$warning")
        )
    return rendered.description, body


def trace_content(trace: str | None, *, revealed: bool = False) -> Content:
    """The stack trace header through the one trace highlighter, masked unless revealed."""
    if trace is None:
        return Content.styled("(no stack trace header)", "$text-muted italic")
    shown, cut = cut_lines(trace, MAX_TRACE_LINES)
    body = highlight_trace(shown if revealed else mask_text(shown))
    if cut:
        note = (
            f"\n… {len(trace.splitlines())} lines, {len(trace)} characters in all (export keeps it)"
        )
        body = Content.assemble(body, (note, "$warning"))
    return body


class DlqDetail(VerticalScroll):
    """Everything about one dead letter (or one plain record, for the original record)."""

    DEFAULT_CSS = """
    DlqDetail { height: 1fr; border-top: solid $primary 40%; padding: 0 1; }
    DlqDetail .dlq-section { color: $text-muted; text-style: bold; margin-top: 1; }
    DlqDetail .dlq-title { text-style: bold; }
    DlqDetail DataTable { height: auto; max-height: 14; }
    DlqDetail Static.dlq-body { width: 1fr; }
    DlqDetail #dlq-cause { color: $error; }
    """

    _shown: tuple[DeadLetter | None, bool] | None = None  # what ``show`` showed last

    def compose(self) -> ComposeResult:
        yield Static("", id="dlq-title", classes="dlq-title", markup=False)
        yield Static("", id="dlq-cause", markup=False)
        yield Static("Connect error headers", classes="dlq-section", id="dlq-headers-label")
        yield DataTable(id="dlq-headers", cursor_type="row", show_cursor=False)
        # The payload comes before the trace: it is short, and a trace can run to 400 lines.
        yield Static("Value", classes="dlq-section", id="dlq-value-label", markup=False)
        yield Static("", id="dlq-value", classes="dlq-body", markup=False)
        yield Static("Key", classes="dlq-section", id="dlq-key-label", markup=False)
        yield Static("", id="dlq-key", classes="dlq-body", markup=False)
        yield Static("Stack trace", classes="dlq-section", id="dlq-trace-label")
        yield Static("", id="dlq-trace", classes="dlq-body", markup=False)
        yield Static("Other headers", classes="dlq-section", id="dlq-other-label")
        yield DataTable(id="dlq-other", cursor_type="row", show_cursor=False)

    def on_mount(self) -> None:
        for table_id in ("#dlq-headers", "#dlq-other"):
            table = self.query_one(table_id, DataTable)
            table.add_column("Header", key="name", width=28)
            table.add_column("Value", key="value")
        self.show(None)

    def _fill(self, table_id: str, rows: list[tuple[str, str | None]]) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear()
        for name, value in rows:
            cell = Text("null", style="italic") if value is None else Text(value)
            table.add_row(Text(name), cell)
        table.display = bool(rows)

    def _payloads(self, record: KafkaRecord) -> None:
        for part, data, decoded in (("value", record.value, record.decoded_value),
                                    ("key", record.key, record.decoded_key)):  # fmt: skip
            title, body = payload_content(data, decoded)
            self.query_one(f"#dlq-{part}-label", Static).update(f"{part.capitalize()} — {title}")
            self.query_one(f"#dlq-{part}", Static).update(body)
        others = [(k, decode_text(v)) for k, v in record.headers if not k.startswith(HEADER_PREFIX)]
        self.query_one("#dlq-other-label", Static).display = bool(others)
        self._fill("#dlq-other", others)

    def show(self, dl: DeadLetter | None, *, revealed: bool = False) -> None:
        """Show a dead letter (error headers masked unless ``revealed``); None shows a hint.
        Showing again what is shown does nothing (a group click keeps the current row)."""
        if self._shown is not None and self._shown[0] is dl and self._shown[1] == revealed:
            return
        self._shown = (dl, revealed)
        shown = (lambda text: text) if revealed else mask_text
        title = self.query_one("#dlq-title", Static)
        for widget in self.query(".dlq-section, .dlq-body, DataTable"):
            widget.display = dl is not None
        if dl is None:
            self.query_one("#dlq-cause").display = False
            title.update("Select a dead letter to see its headers, stack trace and payload.")
            return
        rec = dl.record
        title.update(
            f"{rec.topic} {rec.partition}@{rec.offset} · {rec.time_text} UTC · "
            f"original {dl.origin_text}"
            + (f" · {dl.connector} task {dl.task_id}" if dl.connector else "")
        )
        cause = self.query_one("#dlq-cause", Static)
        cause.update(f"root cause: {shown(dl.root_cause)}" if dl.root_cause else "")
        cause.display = bool(dl.root_cause)
        rows = []
        for name, value in dl.error_headers:
            short = name[len(HEADER_PREFIX) :]
            if name == H_STACKTRACE and value is not None:
                value = f"({len(value.splitlines())} lines, shown below)"
            rows.append((short, None if value is None else shown(value)))
        if not rows:
            rows = [("(none)", "this record has no __connect.errors.* headers")]
        self._fill("#dlq-headers", rows)
        self.query_one("#dlq-trace", Static).update(trace_content(dl.stacktrace, revealed=revealed))
        self._payloads(rec)
        self.scroll_home(animate=False)

    def show_record(self, record: KafkaRecord, note: str = "") -> None:
        """Show a plain record (the original of a dead letter): payloads and headers only."""
        self._shown = None
        for widget in self.query(".dlq-section, .dlq-body, DataTable"):
            widget.display = True
        for wid in ("#dlq-cause", "#dlq-headers-label", "#dlq-headers", "#dlq-trace-label",
                    "#dlq-trace"):  # fmt: skip
            self.query_one(wid).display = False
        self.query_one("#dlq-title", Static).update(
            f"{record.topic} {record.partition}@{record.offset} · {record.time_text} UTC{note}"
        )
        self._payloads(record)
