"""DLQ browser modals: a one-line prompt (offset, time, export path), the original record."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from kctui.dlq.records import DeadLetter, KafkaRecord
from kctui.ui.screens.base import KctuiModalScreen
from kctui.ui.widgets.dlq_detail import DlqDetail


class DlqPrompt(KctuiModalScreen[str | None]):
    """Ask for one value; enter answers it, escape answers None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.close")]

    def __init__(
        self, title: str, *, value: str = "", placeholder: str = "", help: str = ""
    ) -> None:  # noqa: A002
        super().__init__()
        self.prompt_title = title
        self.initial = value
        self.placeholder = placeholder
        self.help_text = help

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt_title, id="dlq-prompt-title", markup=False)
            yield Input(value=self.initial, placeholder=self.placeholder, id="dlq-prompt-input")
            yield Static(self.help_text, id="dlq-prompt-help", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DlqOriginalScreen(KctuiModalScreen[None]):
    """The original record of a dead letter, read from its source topic by partition/offset."""

    BINDINGS = [Binding("escape", "close", "Close", id="dialog.close")]

    def __init__(self, dead_letter: DeadLetter, record: KafkaRecord | None) -> None:
        super().__init__()
        self.dead_letter = dead_letter
        self.record = record

    @property
    def same_value(self) -> bool:
        return self.record is not None and self.record.value == self.dead_letter.record.value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="dlq-original-note", markup=False)
            yield DlqDetail(id="dlq-original-detail")
        yield Footer()

    def on_mount(self) -> None:
        note = self.query_one("#dlq-original-note", Static)
        origin = self.dead_letter.origin_text
        if self.record is None:
            note.update(
                f"The original record {origin} no longer exists (deleted by retention or "
                "compaction) or has not been written."
            )
            note.add_class("-warning")
            self.query_one(DlqDetail).display = False
            return
        same = "identical to" if self.same_value else "DIFFERENT from"
        note.update(f"Original record {origin}: its value is {same} the dead letter's value.")
        note.set_class(not self.same_value, "-warning")
        self.query_one(DlqDetail).show_record(self.record)

    def action_close(self) -> None:
        self.dismiss(None)
