"""A scrollable, highlighted Java stack trace (connector or task), its exception chain first.

The trace is masked (``kctui.masking.mask_text``) unless the screen reveals it; what the
screen saves is always :attr:`TraceView.trace_text`, the masked text.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kctui.masking import mask_text
from kctui.ui.highlight import chain_summary, highlight_trace


class TraceView(VerticalScroll):
    """Holds the masked trace it shows so its screen can save it (the widget does no I/O)."""

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.trace_text: str = ""  # masked: the only text that may be saved
        self.source: str = ""
        self.revealed = False
        self._raw: str = ""

    def compose(self) -> ComposeResult:
        yield Static(id="trace-title", classes="section-title")
        yield Static(id="trace-summary")
        yield Static(id="trace-body")

    def show(self, source: str, trace: str | None, *, revealed: bool = False) -> None:
        """Show ``trace`` of ``source`` (e.g. ``demo-sink task 0``); keep scroll if unchanged."""
        raw = (trace or "").expandtabs(4)
        if raw == self._raw and source == self.source and revealed == self.revealed:
            return
        self._raw, self.source, self.revealed = raw, source, revealed
        self.trace_text = mask_text(raw)
        shown = raw if revealed else self.trace_text
        title = self.query_one("#trace-title", Static)
        body = self.query_one("#trace-body", Static)
        summary = self.query_one("#trace-summary", Static)
        summary.update(chain_summary(shown) if shown else "")
        summary.display = bool(shown)
        if not shown:
            title.update(Content.assemble(("Trace", "bold"), f" of {source}" if source else ""))
            body.update(Content.styled("No trace: nothing has failed here.", "$text-muted"))
            return
        note = (
            ("(secrets revealed; v masks; w saves it masked)", "$warning")
            if revealed
            else ("(w saves it)", "$text-muted")
        )
        title.update(Content.assemble(("Trace", "bold"), f" of {source}  ", note))
        body.update(highlight_trace(shown))
        self.scroll_home(animate=False)
