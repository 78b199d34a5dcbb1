"""Pilot tests of the loggers screen, the x key (DEBUG for a connector's package) and plugins."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from kctui.ui.screens.loggers import LoggersScreen, SetLevelScreen
from kctui.ui.screens.modals import ConfirmScreen
from kctui.ui.screens.plugins import PluginsScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.operate_fakes import OperateClient
from tests.ui.test_operate_edit import calls_named, select


def rows(screen: Any) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_loggers(pilot: Any, app: Any) -> LoggersScreen:
    await ready(pilot)
    app.open_loggers()
    await wait_for(pilot, lambda: isinstance(app.screen, LoggersScreen), what="loggers screen")
    screen = app.screen
    await wait_for(
        pilot,
        lambda: bool(screen.query(DataTable)) and screen.query_one(DataTable).row_count > 0,
        what="rows",
    )
    return screen


async def test_levels_per_worker_and_set_cluster_wide() -> None:
    client = OperateClient()
    app = make_app(client)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_loggers(pilot, app)
        table = screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["LOGGER", "fake:8083", "127.0.0.1:29083", "127.0.0.1:29084"]
        assert rows(screen)[0] == ["root", "INFO", "INFO", "INFO"]
        assert ["org.apache.kafka.connect", "INFO", "-", "-"] in rows(screen)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, SetLevelScreen), what="dialog")
        app.screen.query_one("#level-logger", Input).value = "org.apache.kafka.connect.file"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: ["org.apache.kafka.connect.file", "DEBUG", "DEBUG", "DEBUG"] in rows(screen),
            what="new level on every worker",
        )
    assert calls_named(client, "set_logger_level") == [
        (
            "set_logger_level",
            "org.apache.kafka.connect.file",
            "DEBUG",
            "cluster",
            "http://fake:8083",
        )
    ]


async def test_set_level_on_one_worker() -> None:
    client = OperateClient()
    app = make_app(client)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_loggers(pilot, app)
        await pilot.press("enter")  # root is selected
        await wait_for(pilot, lambda: isinstance(app.screen, SetLevelScreen), what="dialog")
        dialog = app.screen
        from textual.widgets import Select

        dialog.query_one("#level-target", Select).value = "http://127.0.0.1:29084"
        dialog.query_one("#level-level", Select).value = "WARN"
        await pilot.press("enter")
        await wait_for(pilot, lambda: rows(screen)[0] == ["root", "INFO", "INFO", "WARN"],
                       what="worker-scoped level")  # fmt: skip
    assert calls_named(client, "set_logger_level") == [
        ("set_logger_level", "root", "WARN", "worker", "http://127.0.0.1:29084")
    ]


async def test_x_sets_debug_for_the_package_and_offers_revert_when_leaving() -> None:
    client = OperateClient()
    app = make_app(client)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-sink")
        await pilot.press("x")
        await wait_for(pilot, lambda: bool(calls_named(client, "set_logger_level")), what="DEBUG")
        assert client.levels["http://fake:8083"]["org.apache.kafka.connect.file"] == "DEBUG"
        table = app.screen.query_one(ConnectorTable)
        select(app, "demo-source")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="revert offer")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Put it back to INFO cluster-wide" in confirm.question
        await pilot.press("y")
        await wait_for(pilot, lambda: len(calls_named(client, "set_logger_level")) == 2,
                       what="revert")  # fmt: skip
        select(app, "demo-sink")  # no second offer once answered
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert table.row_count > 0
    assert [c[1:4] for c in calls_named(client, "set_logger_level")] == [
        ("org.apache.kafka.connect.file", "DEBUG", "cluster"),
        ("org.apache.kafka.connect.file", "INFO", "cluster"),
    ]


async def test_x_in_detail_screen_offers_revert_when_closing_it() -> None:
    client = OperateClient()
    app = make_app(client)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-sink")
        await pilot.press("enter")
        await pilot.press("x")
        await wait_for(pilot, lambda: bool(calls_named(client, "set_logger_level")), what="DEBUG")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="revert offer")
        await pilot.press("n")
        await pilot.pause()
    assert len(calls_named(client, "set_logger_level")) == 1  # kept at DEBUG as asked


async def test_plugins_screen_lists_every_kind_with_versions() -> None:
    app = make_app(OperateClient())
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        app.open_plugins()
        await wait_for(pilot, lambda: isinstance(app.screen, PluginsScreen), what="plugins")
        screen = app.screen
        await wait_for(
            pilot,
            lambda: bool(screen.query(DataTable)) and screen.query_one(DataTable).row_count == 7,
            what="rows",
        )
        kinds = [row[0] for row in rows(screen)]
        assert kinds == [
            "source", "sink", "converter", "converter", "header_converter", "transformation",
            "predicate",
        ]  # fmt: skip
        assert all(row[2] == "4.1.0" for row in rows(screen))


async def test_filter_narrows_loggers_and_escape_clears_it() -> None:
    app = make_app(OperateClient())
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_loggers(pilot, app)
        await pilot.press("slash", *"connect")
        await wait_for(pilot, lambda: [r[0] for r in rows(screen)] == ["org.apache.kafka.connect"],
                       what="filtered rows")  # fmt: skip
        await pilot.press("enter", "escape")
        await wait_for(pilot, lambda: len(rows(screen)) == 2, what="filter cleared")
        assert app.screen is screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen, what="back")
