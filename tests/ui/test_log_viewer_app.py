"""``kctui logs FILE`` in a terminal: the log view on its own, filters preset, escape quits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from kctui.cli import build_parser
from kctui.commands import logs as logs_command
from kctui.logs.filters import LogFilter
from kctui.settings import ClusterConfig, LogSource
from kctui.ui.log_app import LogViewerApp
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.log_view import LogView

REAL = Path(__file__).parent.parent / "fixtures" / "logs" / "real"


async def _settled(app: LogViewerApp, pilot: Pilot[Any], rows: int) -> LogScreen:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        screen = app.screen
        if isinstance(screen, LogScreen) and len(screen.view.rows) >= rows and screen.layouts:
            return screen
        await pilot.pause(0.05)
    raise AssertionError(f"the log view did not show {rows} rows and its layout in 20 s")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_viewer_opens_a_real_strimzi_file_with_its_filters(size: tuple[int, int]) -> None:
    path = str(REAL / "strimzi-echo-sink.log")
    cluster = ClusterConfig(name="files", urls=(), logs=(LogSource("strimzi-echo-sink.log", path),))
    app = LogViewerApp(cluster, LogFilter(failures_only=True, connector="echo-sink"))
    async with app.run_test(size=size) as pilot:
        screen = await _settled(app, pilot, 2)
        view = screen.query_one(LogView)
        assert [screen.feed.header(k).level for k in view.rows] == ["ERROR", "ERROR"]
        assert view.follow  # opened at the end, following
        status = str(screen.query_one("#log-status").render())
        assert "layout: strimzi" in status or size[0] < 100  # 80 columns cut the status line
        assert screen.layouts == ("strimzi",)
        await pilot.press("N")  # from the end: the failure before the last one
        assert view.cursor == view.failure_rows[0] and not view.follow
        await pilot.press("n")
        assert view.cursor == view.failure_rows[1]
        await pilot.press("escape")
        await pilot.pause(0.1)
    assert app.return_code in (0, None)


def test_a_terminal_opens_the_viewer_and_a_pipe_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[tuple[ClusterConfig, LogFilter]] = []
    monkeypatch.setattr(
        LogViewerApp, "run", lambda self: opened.append((self.cluster, self.log_filter))
    )
    path = str(REAL / "debezium-hana-sink.log")
    parser = build_parser()
    args = parser.parse_args(["logs", path, "--failures", "--level", "WARN", "--grep", "Avro"])
    monkeypatch.setattr(logs_command, "_is_terminal", lambda stream: True)
    assert logs_command.run(args) == 0
    ((cluster, flt),) = opened
    assert [s.path for s in cluster.logs] == [path]
    assert (flt.failures_only, flt.min_level, flt.text) == (True, "WARN", "Avro")
    args = parser.parse_args(["logs", path, "--failures", "--print", "--no-trace"])
    assert logs_command.run(args) == 0
    assert len(opened) == 1  # --print prints even on a terminal
    assert capsys.readouterr().out.count("inventory9-hana-sink") == 2
