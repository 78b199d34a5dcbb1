"""Marking connectors (``space``) and one action on the selection (``B``), in the overview.

The selection is the marked connectors, or, when none is marked, every connector the
current filter shows. ``B`` asks for the action, then previews each request (or why it
is skipped) before anything is sent; see :mod:`kctui.ui.screens.bulk`.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from kctui.operate.bulk import plan
from kctui.ui.session import console_of

BULK_BINDINGS = [
    Binding("space", "toggle_mark", "Mark", id="overview.mark", show=False),
    Binding("B", "bulk", "Bulk action", id="overview.bulk", show=False),
]


class BulkActions:
    """Needs ``table`` (the ConnectorTable), ``row_filter`` and ``kctui`` from the screen."""

    marked: set[str]

    def _marks(self) -> set[str]:
        if not hasattr(self, "marked"):
            self.marked = set()
        return self.marked

    def action_toggle_mark(self) -> None:
        table: Any = self.table  # type: ignore[attr-defined]
        name = table.selected_name
        if name is None:
            return
        marks = self._marks()
        marks.symmetric_difference_update({name})
        table.set_marked(marks)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        app = console_of(self)  # type: ignore[arg-type]
        app.notify(f"{len(marks)} marked (B: bulk action)", timeout=2)

    def bulk_selection(self) -> tuple[list[str], str]:
        """The connectors a bulk action applies to, and where they come from."""
        app = console_of(self)  # type: ignore[arg-type]
        table: Any = self.table  # type: ignore[attr-defined]
        connectors = app.session.state.connectors if app.session.state is not None else {}
        marked = sorted(n for n in self._marks() if n in connectors)
        if marked:
            return marked, f"{len(marked)} marked"
        text = self.row_filter.text  # type: ignore[attr-defined]
        if text:
            return list(table.names), f"filter '{text}'"
        return [], ""

    def action_bulk(self) -> None:
        from kctui.ui.screens.bulk import BulkChooseScreen, BulkScreen

        app = console_of(self)  # type: ignore[arg-type]
        names, source = self.bulk_selection()
        if not names:
            app.notify("Mark connectors with space, or filter them with /, first.")
            return

        def chosen(action: str | None) -> None:
            if action is None or app.session.state is None:
                return
            connectors = [
                app.session.state.connectors[n] for n in names if n in app.session.state.connectors
            ]
            items = plan(
                action, connectors, read_only=app.read_only, server=app.session.server_info
            )
            app.push_screen(BulkScreen(items), self._after_bulk)

        app.push_screen(BulkChooseScreen(len(names), source, app.read_only), chosen)

    def _after_bulk(self, sent: bool | None) -> None:
        if not sent:
            return  # cancelled: the marks stay for another try
        self._marks().clear()
        self.table.set_marked(set())  # type: ignore[attr-defined]
