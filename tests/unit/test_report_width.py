"""Tables are aligned in terminal cells, not characters: a connector named in Chinese or
with an emoji takes two cells per such character."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from kctui.report import _fit, cell_width, pad, render_table

NAMES = ["orders-sink", "订单同步-sink", "café-source", "📦-shipments"]


@pytest.mark.parametrize(
    ("text", "cells"), [("abc", 3), ("订单", 4), ("café", 4), ("📦", 2), ("", 0)]
)
def test_cell_width(text: str, cells: int) -> None:
    assert cell_width(text) == cells
    assert cell_width(pad(text, 6)) == 6


def test_columns_line_up_with_wide_names() -> None:
    lines = [(name, "RUNNING", "ok") for name in NAMES]
    table = render_table(("NAME", "STATE", "REASON"), lines)
    offsets = set()
    for line in table.splitlines():
        name_end = line.index("RUNNING") if "RUNNING" in line else line.index("STATE")
        offsets.add(cell_len(line[:name_end]))
    assert offsets == {max(cell_len(n) for n in NAMES) + 2}


def test_the_last_column_is_cut_to_the_width_in_cells() -> None:
    cut = _fit("失败原因" * 10, 11)
    assert cut.endswith("…") and cell_len(cut) <= 11
    assert _fit("short", 11) == "short"
