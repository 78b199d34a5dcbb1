"""A few SVG snapshots of the layout (fixed size, fake cluster, fixed clock, no user config).

An SVG snapshot is Textual's and Rich's rendering, which any of their releases may shift by a
glyph: the snapshots are compared only on the versions the lock pins (what they were drawn
with). ``make test-latest`` and ``make test-floors`` skip them, saying why; the other UI
tests assert on widget state and run everywhere.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from kctui.ui.app import KctuiApp
from kctui.ui.widgets.connector_table import ConnectorTable
from tests.ui.conftest import cluster_config, ready
from tests.ui.fakes import FakeClient

LOCK = Path(__file__).resolve().parents[2] / "requirements" / "ci.lock"


def _drawn_with() -> dict[str, str]:
    text = LOCK.read_text(encoding="utf-8")
    return {name: re.search(rf"^{name}==(\S+)", text, re.MULTILINE)[1]  # type: ignore[index]
            for name in ("textual", "rich")}  # fmt: skip


_LOCKED = _drawn_with()
_INSTALLED = {name: version(name) for name in _LOCKED}
pytestmark = pytest.mark.skipif(
    _INSTALLED != _LOCKED,
    reason=f"snapshots are drawn with {_LOCKED}, this venv has {_INSTALLED}",
)

FIXED_TIME = 1_790_000_000.0  # shown as the time of the last refresh


def snapshot_app(read_only: bool = False) -> KctuiApp:
    client = FakeClient(fixed_time=FIXED_TIME, read_only=read_only)
    return KctuiApp(cluster_config(read_only=read_only), client=client)


async def overview_ready(pilot: Any) -> None:
    await ready(pilot)
    await pilot.pause()


async def detail_ready(pilot: Any) -> None:
    await ready(pilot)
    pilot.app.screen.query_one(ConnectorTable).select("demo-failing-sink")
    await pilot.press("enter")
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def test_overview_80x24(snap_compare: Any) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=overview_ready)


def test_overview_160x48_read_only(snap_compare: Any) -> None:
    assert snap_compare(
        snapshot_app(read_only=True), terminal_size=(160, 48), run_before=overview_ready
    )


def test_detail_80x24(snap_compare: Any) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=detail_ready)


def test_overview_light_theme_80x24(snap_compare: Any) -> None:
    app = KctuiApp(cluster_config(), client=FakeClient(fixed_time=FIXED_TIME), theme="kctui-light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=overview_ready)
