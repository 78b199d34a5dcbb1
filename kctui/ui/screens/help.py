"""The ``?`` screen: every key of the screen below and of the app, with current keymap."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from kctui.ui.screens.base import KctuiModalScreen


def describe_key(key: str) -> str:
    names = {
        "question_mark": "?", "slash": "/", "colon": ":", "escape": "esc",
        "enter": "enter", "ctrl+r": "ctrl+r", "ctrl+d": "ctrl+d",
    }  # fmt: skip
    return ", ".join(names.get(part.strip(), part.strip()) for part in key.split(","))


def key_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) of ``screen`` then of the app, keymap applied."""
    from kctui.ui.app import KctuiApp

    app = screen.app
    keymap = app.keymap if isinstance(app, KctuiApp) else {}
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for node in (screen, app):
        for binding in getattr(type(node), "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            ident = binding.id or binding.action
            if ident in seen:
                continue
            seen.add(ident)
            key = keymap.get(binding.id, binding.key) if binding.id else binding.key
            rows.append((describe_key(key), binding.description, binding.id or ""))
    return rows


class HelpScreen(KctuiModalScreen[None]):
    """Lists the keys; any of esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="dialog.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Label(
                "Keys (remap them in the config's [keymap] with the id)",
                classes="dialog-title",
                markup=False,
            )
            table: DataTable[Text] = DataTable(id="help-keys", cursor_type="row")
            table.add_columns("Key", "Action", "Id")
            for row in self.rows:
                table.add_row(*(Text(cell) for cell in row))
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
