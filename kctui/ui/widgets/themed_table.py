"""Base DataTables whose Rich cells take the theme's colours, and follow theme changes.

``ThemedTable`` resolves the theme styles on mount and again on each theme change, then
calls ``_restyle``; ``StretchTable`` adds fixed columns where the one of width 0 takes
what the others leave on each resize.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from kctui.ui.widgets.colors import theme_styles

Columns = tuple[tuple[str, str, int], ...]  # (key, label, width); width 0 = stretchy


class ThemedTable(DataTable[Text]):
    """A row-cursor table with ``self._styles`` from the current theme."""

    def __init__(self, *, id: str | None = None, zebra_stripes: bool = False) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=zebra_stripes)
        self._styles: dict[str, Style] = {}

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app)
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._build_columns()

    def _on_theme_changed(self, _theme: object) -> None:
        self._styles = theme_styles(self.app)
        self._restyle()

    def _build_columns(self) -> None:
        raise NotImplementedError

    def _restyle(self) -> None:
        """Render the cells again with the new ``self._styles``."""
        raise NotImplementedError

    def _set_widths(self, widths: Mapping[str, int]) -> None:
        """Give columns these widths, refreshing the layout only when one changed."""
        changed = False
        for key, width in widths.items():
            column = self.columns.get(key)  # type: ignore[call-overload]
            if column is not None and column.width != width:
                column.width = width
                changed = True
        if changed:
            self._require_update_dimensions = True
            self.refresh()


class StretchTable(ThemedTable):
    """Columns from ``COLUMNS``; the one of width 0 starts at ``START_WIDTH`` then stretches."""

    COLUMNS: Columns = ()
    START_WIDTH = 30

    def _build_columns(self) -> None:
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width or self.START_WIDTH)

    def on_resize(self) -> None:
        fixed = sum(width + 2 for _, _, width in self.COLUMNS if width)
        room = max(20, self.size.width - fixed - 4)
        self._set_widths({key: room for key, _, width in self.COLUMNS if not width})
