"""Confirmation modals: yes/no with a question, and typing the connector's name to delete."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from kctui.ui.screens.base import KctuiModalScreen


class ConfirmScreen(KctuiModalScreen[bool]):
    """Ask a yes/no question; ``y`` confirms, ``n`` or ``esc`` cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.question, id="question", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TypedConfirmScreen(KctuiModalScreen[bool]):
    """Confirm a destructive action by typing ``expected`` (the connector's name)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.close")]

    def __init__(self, title: str, expected: str) -> None:
        super().__init__()
        self.title_text = title
        self.expected = expected

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(
                f"This cannot be undone. Type the connector's name to confirm:\n{self.expected}",
                id="question",
                markup=False,
            )
            yield Input(placeholder=self.expected, id="typed")
            yield Static("", id="typed-error", classes="error-text")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.expected:
            self.dismiss(True)
        else:
            self.query_one("#typed-error", Static).update(
                f"'{event.value}' is not '{self.expected}'; esc cancels"
            )

    def action_cancel(self) -> None:
        self.dismiss(False)
