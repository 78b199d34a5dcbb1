"""A scrollable, highlighted Java stack trace (connector or task), its exception chain first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kctui.ui.highlight import chain_summary, highlight_trace


class TraceView(VerticalScroll):
    """Holds the trace text it shows so its screen can save it (the widget does no I/O)."""

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.trace_text: str = ""
        self.source: str = ""

    def compose(self) -> ComposeResult:
        yield Static(id="trace-title", classes="section-title")
        yield Static(id="trace-summary")
        yield Static(id="trace-body")

    def show(self, source: str, trace: str | None) -> None:
        """Show ``trace`` of ``source`` (e.g. ``demo-sink task 0``); keep scroll if unchanged."""
        trace = (trace or "").expandtabs(4)
        if trace == self.trace_text and source == self.source:
            return
        self.trace_text, self.source = trace, source
        title = self.query_one("#trace-title", Static)
        body = self.query_one("#trace-body", Static)
        summary = self.query_one("#trace-summary", Static)
        summary.update(chain_summary(trace) if trace else "")
        summary.display = bool(trace)
        if not trace:
            title.update(Content.assemble(("Trace", "bold"), f" of {source}" if source else ""))
            body.update(Content.styled("No trace: nothing has failed here.", "$text-muted"))
            return
        title.update(
            Content.assemble(("Trace", "bold"), f" of {source}  ", ("(w saves it)", "$text-muted"))
        )
        body.update(highlight_trace(trace))
        self.scroll_home(animate=False)
