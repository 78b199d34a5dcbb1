"""The connector screen: tasks with their trace, config masking and reveal, saving a trace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from kctui.ui.screens.connector import ConnectorScreen
from kctui.ui.widgets.config_view import ConfigView
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.trace_view import TraceView
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import FakeClient


def rendered(widget: Static) -> str:
    return str(widget.render())


async def open_detail(pilot: Pilot[Any], name: str) -> ConnectorScreen:
    pilot.app.screen.query_one(ConnectorTable).select(name)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConnectorScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ConnectorScreen)
    return screen


async def test_enter_shows_failed_task_trace_and_escape_goes_back() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await open_detail(pilot, "demo-failing-sink")
        trace = screen.query_one(TraceView)
        assert trace.source == "demo-failing-sink task 0"
        body = screen.query_one("#trace-body", Static)
        content = body.visual
        assert isinstance(content, Content)
        assert "Caused by: java.nio.file.NoSuchFileException" in str(content)
        styles = {span.style for span in content.spans}
        assert "$error bold" in styles and "$accent" in styles and "$warning bold" in styles
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConnectorScreen))


async def test_save_trace_writes_the_trace_to_the_state_dir(hidden_user_files: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await open_detail(pilot, "demo-failing-sink")
        await pilot.press("w")
        folder = hidden_user_files / "state" / "kctui" / "traces"
        await wait_for(pilot, lambda: folder.exists() and any(folder.iterdir()))
        saved = next(folder.iterdir())
        assert saved.name.startswith("demo-failing-sink-task-0")
        assert "NoSuchFileException" in saved.read_text()


async def test_config_masked_by_default_reveal_toggles_and_never_writes(
    hidden_user_files: Path,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_detail(pilot, "demo-dlq-sink")
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.query_one(TabbedContent).active == "tab-config")
        view = screen.query_one(ConfigView)
        text = rendered(view.query_one("#config-json", Static))
        assert "hunter2" not in text and "********" in text
        errors = rendered(view.query_one("#config-errors", Static))
        assert "demo-orders-dlq" in errors and "errors.tolerance = all" in errors
        converters = rendered(view.query_one("#config-converters", Static))
        assert "JsonConverter" in converters and "key.converter = worker default" in converters
        await pilot.press("v")
        await wait_for(pilot, lambda: "hunter2" in rendered(view.query_one("#config-json", Static)))
        assert app.save_screenshot(path=str(hidden_user_files)) == ""  # refused while revealed
        await pilot.press("v")
        await wait_for(
            pilot, lambda: "hunter2" not in rendered(view.query_one("#config-json", Static))
        )
    written = [p for p in hidden_user_files.rglob("*") if p.is_file()]
    assert all("hunter2" not in p.read_text(errors="replace") for p in written)


async def test_smt_chain_in_order() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_detail(pilot, "demo-smt-source")
        await pilot.press("2")
        smt = rendered(screen.query_one("#config-smt", Static))
        first, second = smt.index("1. addField"), smt.index("2. route")
        assert first < second
        assert "InsertField$Value" in smt and "regex = (.*)" in smt
        await pilot.press("1")
        await wait_for(pilot, lambda: screen.query_one(TabbedContent).active == "tab-tasks")


async def test_detail_keys_act_on_this_connector() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await open_detail(pilot, "demo-failing-sink")
        await pilot.press("t")
        await wait_for(pilot, lambda: client.calls == [("restart_task", "demo-failing-sink", 0)])


async def test_detail_closes_when_the_connector_is_deleted() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await open_detail(pilot, "demo-paused")
        del client.connectors["demo-paused"]
        app.poller.refresh_now()
        await wait_for(pilot, lambda: not isinstance(app.screen, ConnectorScreen))
