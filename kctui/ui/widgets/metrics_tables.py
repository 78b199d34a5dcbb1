"""A DataTable for metrics rows: rows keyed by name, updated by diffing, theme colours.

Rows come from :mod:`kctui.ui.widgets.metrics_rows`; ``show(rows)`` adds, removes and
updates only the cells that changed, so the cursor and scroll stay put while polling.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from kctui.ui.widgets.metrics_rows import Cell, Row
from kctui.ui.widgets.themed_table import Columns, ThemedTable


class MetricsTable(ThemedTable):
    """Rows keyed by worker, task or connector; columns set with ``set_columns``."""

    DEFAULT_CSS = """
    MetricsTable {
        height: auto;
        max-height: 14;
        border: round $panel;
        background: $surface;
    }
    MetricsTable:focus {
        border: round $primary;
    }
    """

    def __init__(self, columns: Columns, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._column_spec = columns
        self._cells: dict[str, tuple[Cell, ...]] = {}
        self.cells_updated = 0

    def _restyle(self) -> None:
        rows = list(self._cells.items())
        self.clear()
        self._cells = {}
        self.show(rows)

    def _build_columns(self) -> None:
        for key, label, width in self._column_spec:
            self.add_column(label, key=key, width=width or None)

    def set_columns(self, columns: Columns) -> None:
        """Switch to other columns (tasks of one connector vs. all connectors)."""
        if columns == self._column_spec:
            return
        self._column_spec = columns
        self._cells = {}
        self.clear(columns=True)
        self._build_columns()

    def _text(self, cell: Cell) -> Text:
        style = self._styles.get(cell.style, Style()) if cell.style else Style()
        return Text(cell.text, style=style, justify="right" if cell.right else "left")

    def show(self, rows: Sequence[Row]) -> None:
        """Make the table hold exactly ``rows`` (in order for new ones), touching only changes."""
        self.cells_updated = 0
        keys = [key for key, _ in rows]
        for gone in [k for k in self._cells if k not in set(keys)]:
            self.remove_row(gone)
            del self._cells[gone]
        column_keys = [key for key, _, _ in self._column_spec]
        for key, cells in rows:
            old = self._cells.get(key)
            if old is None:
                self.add_row(*(self._text(c) for c in cells), key=key)
                self.cells_updated += len(cells)
            elif old != cells:
                for column, (before, after) in zip(
                    column_keys, zip(old, cells, strict=False), strict=False
                ):
                    if before != after:
                        self.update_cell(key, column, self._text(after))
                        self.cells_updated += 1
            self._cells[key] = cells

    def cell_text(self, row_key: str, column_key: str) -> str:
        """The plain text of a cell (tests and the detail line)."""
        value = self.get_cell(row_key, column_key)
        return value.plain if isinstance(value, Text) else str(value)
