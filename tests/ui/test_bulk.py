"""Bulk actions in the console (space marks, B acts) and the auto-restart line of the
connector screen, with the fake client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from kctui.connect.errors import Conflict
from kctui.ui.screens.bulk import BulkChooseScreen, BulkScreen
from kctui.ui.screens.connector import ConnectorScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import FakeClient


async def mark(pilot: Pilot[Any], *names: str) -> None:
    table = pilot.app.screen.query_one(ConnectorTable)
    for name in names:
        assert table.select(name)
        await pilot.pause()
        await pilot.press("space")
    await wait_for(pilot, lambda: set(names) <= table.marked, what="marks")


async def choose(pilot: Pilot[Any], action: str) -> BulkScreen:
    await pilot.press("B")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkChooseScreen), what="chooser")
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == action
    )
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkScreen), what="preview")
    screen = pilot.app.screen
    assert isinstance(screen, BulkScreen)
    return screen


def rows(screen: BulkScreen) -> dict[str, tuple[str, str]]:
    table = screen.query_one(DataTable)
    return {
        str(key.value): (
            str(table.get_cell(key, "request")),
            table.get_cell(key, "result").plain,
        )
        for key in table.rows
    }


async def test_marked_pause_previews_every_request_then_sends() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await mark(pilot, "demo-sink", "demo-paused", "demo-source")
        table = app.screen.query_one(ConnectorTable)
        assert table.marked == {"demo-sink", "demo-paused", "demo-source"}
        name_cell = table.get_cell("demo-sink", "name")
        assert name_cell.style.underline  # type: ignore[union-attr]
        screen = await choose(pilot, "pause")
        assert rows(screen) == {
            "demo-paused": ("PUT /connectors/demo-paused/pause", "skipped: already PAUSED"),
            "demo-sink": ("PUT /connectors/demo-sink/pause", "pending"),
            "demo-source": ("PUT /connectors/demo-source/pause", "pending"),
        }
        assert client.calls == []  # the preview sends nothing
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.finished, what="bulk done")
        assert sorted(client.calls) == [("pause", "demo-sink"), ("pause", "demo-source")]
        assert rows(screen)["demo-sink"][1] == "pause requested"
        assert "2 accepted, 0 failed" in str(screen.query_one("#bulk-status", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.marked == frozenset(), what="marks cleared")


async def test_filter_is_the_selection_and_failures_stay_listed() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("slash")
        await pilot.press(*"sink")
        await pilot.press("enter")
        client.fail_next = Conflict("rebalance in progress", status=409)
        screen = await choose(pilot, "restart")
        preview = rows(screen)
        assert set(preview) == {"demo-sink", "demo-dlq-sink", "demo-failing-sink"}
        assert preview["demo-sink"][1] == "skipped: nothing FAILED"
        restart = "POST /connectors/demo-failing-sink/restart?includeTasks=true&onlyFailed=true"
        assert preview["demo-failing-sink"] == (restart, "pending")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.finished, what="bulk done")
        assert rows(screen)["demo-failing-sink"][1] == "rebalance in progress"
        assert "Failures stay listed" in str(screen.query_one("#bulk-status", Static).render())


async def test_delete_needs_the_typed_count() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await mark(pilot, "demo-paused", "demo-stopped")
        screen = await choose(pilot, "delete")
        await pilot.press("enter")  # focus is in the input: wrong text
        assert client.calls == []
        screen.query_one(Input).value = "delete 2"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.finished, what="deleted")
        assert sorted(client.calls) == [("delete", "demo-paused"), ("delete", "demo-stopped")]


async def test_read_only_preview_skips_everything() -> None:
    client = FakeClient(read_only=True)
    app = make_app(client, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await mark(pilot, "demo-sink")
        screen = await choose(pilot, "stop")
        assert rows(screen)["demo-sink"][1] == "skipped: read-only"
        assert screen.check_action("run", ()) is False
        await pilot.press("enter")
        assert client.calls == []


async def test_nothing_marked_nor_filtered_says_how() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("B")
        await pilot.pause()
        assert not isinstance(app.screen, BulkChooseScreen)


async def test_connector_screen_shows_the_auto_restart_line(hidden_user_files: Path) -> None:
    state = hidden_user_files / "state" / "kctui" / "watch" / "test-cluster"
    state.mkdir(parents=True)
    import time

    record = {
        "restarts": 3,
        "last_restart": time.time() - 360,
        "gave_up": False,
        "last_error": "ConnectException: password=hunter2 refused",
        "healthy_since": None,
    }
    (state / "state.json").write_text(json.dumps({"connectors": {"demo-failing-sink": record}}))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        app.screen.query_one(ConnectorTable).select("demo-failing-sink")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorScreen))
        header = app.screen.query_one("#detail-header", Static)
        await wait_for(pilot, lambda: "auto-restart" in str(header.render()), what="line")
        text = str(header.render())
        assert "auto-restart: 3 restarts, next in 6 min" in text
        assert "hunter2" not in text and "password=********" in text
