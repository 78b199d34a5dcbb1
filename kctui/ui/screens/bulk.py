"""Bulk actions: choose the action, preview every request (or why it is skipped), then see
each result arrive; failures stay on screen. Delete needs ``delete N`` typed first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from kctui.operate.bulk import ACTION_LABELS, ACTIONS, BulkItem, BulkResult, run_plan
from kctui.ui.screens.base import KctuiModalScreen
from kctui.ui.widgets.colors import theme_styles

if TYPE_CHECKING:
    pass


class BulkChooseScreen(KctuiModalScreen[str | None]):
    """Which action to apply to the ``count`` selected connectors."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.close")]

    def __init__(self, count: int, source: str, read_only: bool) -> None:
        super().__init__()
        self.count, self.source, self.read_only = count, source, read_only

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Bulk action on {self.count} connectors", classes="dialog-title")
            note = f"Selection: {self.source}."
            if self.read_only:
                note += " Read-only: the preview shows what would be sent; nothing is."
            yield Static(note, id="question", markup=False)
            yield OptionList(*(Option(ACTION_LABELS[a], id=a) for a in ACTIONS), id="bulk-actions")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BulkScreen(KctuiModalScreen[bool]):
    """Preview, then progress, of one bulk action (``enter`` sends, ``esc`` closes)."""

    BINDINGS = [
        Binding("enter", "run", "Send", id="bulk.run"),
        Binding("escape", "close", "Close", id="dialog.close"),
    ]

    def __init__(self, items: list[BulkItem]) -> None:
        super().__init__()
        self.items = items
        self.action_name = items[0].action if items else ""
        self.to_send = [item for item in items if item.skip is None]
        self.results: dict[str, BulkResult] = {}
        self.started = False
        self.finished = False
        self.styles_by_name: dict[str, Style] = {}

    def compose(self) -> ComposeResult:
        label = ACTION_LABELS.get(self.action_name, self.action_name)
        skipped = len(self.items) - len(self.to_send)
        with Vertical(id="dialog", classes="bulk"):
            yield Label(
                f"{label}: {len(self.to_send)} to send, {skipped} skipped",
                classes="dialog-title",
            )
            yield DataTable(id="bulk-items", cursor_type="row")
            if self.action_name == "delete" and self.to_send:
                yield Static(
                    f"Deleting cannot be undone. Type 'delete {len(self.to_send)}' and enter.",
                    id="bulk-confirm-text",
                )
                yield Input(placeholder=f"delete {len(self.to_send)}", id="bulk-typed")
            yield Static(self._hint(), id="bulk-status", markup=False)

    def _hint(self) -> str:
        if not self.to_send:
            return "Nothing to send. esc closes."
        if self.action_name == "delete":
            return "Nothing is sent before the typed confirmation; esc cancels."
        return "enter sends the requests above, esc cancels."

    def on_mount(self) -> None:
        self.styles_by_name = theme_styles(self.app)
        table = self.query_one(DataTable)
        table.add_column("Connector", key="connector")
        table.add_column("Result", key="result")  # before the long request: seen at 80 columns
        table.add_column("Request", key="request")
        for item in self.items:
            muted = self.styles_by_name.get("muted", Style())
            result = Text(f"skipped: {item.skip}", style=muted) if item.skip else Text("pending")
            table.add_row(item.connector, result, item.request_text, key=item.connector)
        if self.action_name == "delete" and self.to_send:
            self.query_one(Input).focus()
        else:
            table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return bool(self.to_send) and not self.started
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter on the list (which has the focus) sends, like the footer key
        if self.check_action("run", ()):
            self.action_run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        expected = f"delete {len(self.to_send)}"
        if event.value.strip() == expected:
            self._start()
        else:
            self.query_one("#bulk-status", Static).update(
                f"'{event.value}' is not '{expected}'; esc cancels"
            )

    def action_run(self) -> None:
        if self.action_name == "delete":
            self.query_one(Input).focus()  # delete goes through the typed confirmation
            return
        self._start()

    def _start(self) -> None:
        if self.started or not self.to_send:
            return
        self.started = True
        self.refresh_bindings()
        self.query_one("#bulk-status", Static).update("sending...")
        self._send()

    @work(exclusive=True, group="bulk", exit_on_error=False)
    async def _send(self) -> None:
        app = self.console
        table = self.query_one(DataTable)
        async for result in run_plan(app.session.api, self.items):
            name = result.item.connector
            self.results[name] = result
            if result.item.skip is None:
                style = self.styles_by_name.get("success" if result.ok else "error", Style())
                table.update_cell(name, "result", Text(result.message, style=style))
                if result.ok and self.action_name != "delete":
                    app.poller.follow(name, f"{self.action_name} {name}")
        failed = [r for r in self.results.values() if not r.ok]
        done = len(self.to_send) - len(failed)
        summary = f"done: {done} accepted, {len(failed)} failed."
        if failed:
            summary += " Failures stay listed above; esc closes."
        self.query_one("#bulk-status", Static).update(summary)
        self.finished = True
        app.poller.refresh_now()

    def action_close(self) -> None:
        self.dismiss(self.started)
