"""Pilot tests of the offsets pane (o): rows, lag, alter/reset with stop-first confirmation."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from kctui.settings import ClusterConfig, KafkaSettings
from kctui.ui.app import KctuiApp
from kctui.ui.screens.modals import ConfirmScreen
from kctui.ui.screens.offsets import OffsetsScreen, ValueInput
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.operate_fakes import OperateClient
from tests.ui.test_operate_edit import calls_named, select


def table_rows(screen: OffsetsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_offsets(pilot: Any, app: Any, name: str) -> OffsetsScreen:
    await ready(pilot)
    select(app, name)
    await pilot.press("o")
    await wait_for(pilot, lambda: isinstance(app.screen, OffsetsScreen), what="offsets pane")
    screen = app.screen
    await wait_for(
        pilot,
        lambda: bool(screen.query(DataTable)) and screen.query_one(DataTable).row_count > 0,
        what="rows",
    )
    return screen


async def test_sink_offsets_and_edit_on_running_connector_stops_first() -> None:
    client = OperateClient()
    app = make_app(client)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-sink")
        assert table_rows(screen) == [
            ["demo-lines", "0", "10", "-", "-"],
            ["demo-lines", "1", "20", "-", "-"],
        ]
        header = str(screen.query_one("#offsets-header", Static).render())
        assert "add [kafka] settings" in header and "stop the connector" in header
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ValueInput), what="value input")
        await pilot.press("end", "backspace", "backspace", "5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="stop offer")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "only works on a STOPPED connector" in confirm.question
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(calls_named(client, "alter_offsets")), what="alter")
        await wait_for(pilot, lambda: table_rows(screen)[0][2] == "5", what="new offsets")
        result = str(screen.query_one("#offsets-result", Static).render())
    assert [c[0] for c in client.calls] == ["stop", "alter_offsets"]
    assert calls_named(client, "alter_offsets")[0][2] == [
        {"partition": {"kafka_topic": "demo-lines", "kafka_partition": 0},
         "offset": {"kafka_offset": 5}}
    ]  # fmt: skip
    assert "altered successfully" in result


async def test_declining_the_stop_changes_nothing() -> None:
    client = OperateClient()
    app = make_app(client)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-sink")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="stop offer")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, what="back to pane")
        await wait_for(pilot, lambda: "not done" in str(
            screen.query_one("#offsets-result", Static).render()), what="result")  # fmt: skip
    assert client.calls == []


async def test_reset_all_on_stopped_connector_after_confirmation() -> None:
    client = OperateClient()
    client.connectors["demo-sink"]["status"]["connector"]["state"] = "STOPPED"
    client.connectors["demo-sink"]["status"]["tasks"] = []
    app = make_app(client)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-sink")
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Reset every offset of demo-sink" in confirm.question
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(calls_named(client, "reset_offsets")), what="reset")
        await wait_for(pilot, lambda: screen.query_one(DataTable).row_count == 0, what="empty")
    assert [c[0] for c in client.calls] == ["reset_offsets"]


async def test_source_offsets_show_partition_and_offset_maps() -> None:
    app = make_app(OperateClient())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-source")
        assert table_rows(screen) == [['{"filename": "/tmp/source.txt"}', '{"position": 42}']]


async def test_sink_lag_from_end_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    import kctui.ui.screens.offsets as offsets_module

    seen: list[Any] = []

    def fake_end_offsets(kwargs: Any, partitions: Any) -> dict[tuple[str, int], int]:
        seen.append((kwargs["bootstrap_servers"], sorted(partitions)))
        return {("demo-lines", 0): 15, ("demo-lines", 1): 20}

    monkeypatch.setattr(offsets_module, "read_end_offsets", fake_end_offsets)
    cluster = ClusterConfig(
        name="lagged", urls=("http://fake:8083",), refresh_seconds=30.0,
        kafka=KafkaSettings(bootstrap_servers=("broker:9092",)),
    )  # fmt: skip
    app = KctuiApp(cluster, client=OperateClient())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-sink")
        await wait_for(pilot, lambda: table_rows(screen)[0][4] != "-", what="lag")
        rows = table_rows(screen)
    assert rows == [["demo-lines", "0", "10", "15", "5"], ["demo-lines", "1", "20", "20", "0"]]
    assert seen == [(["broker:9092"], [("demo-lines", 0), ("demo-lines", 1)])]


async def test_read_only_hides_alter_keys() -> None:
    client = OperateClient(read_only=True)
    app = make_app(client, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-sink")
        for action in ("edit_offset", "reset_partition", "reset_all", "stop"):
            assert screen.check_action(action, ()) is False, action
        await pilot.press("ctrl+d", "e")
        await pilot.pause()
        assert app.screen is screen
    assert client.calls == []


async def test_source_offset_edit_with_malformed_json_sends_nothing() -> None:
    client = OperateClient()
    client.connectors["demo-source"]["status"]["connector"]["state"] = "STOPPED"
    client.connectors["demo-source"]["status"]["tasks"] = []
    app = make_app(client)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_offsets(pilot, app, "demo-source")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ValueInput), what="value input")
        app.screen.query_one("#value", Input).value = '{"position": }'
        await pilot.press("enter")
        result = screen.query_one("#offsets-result", Static)
        await wait_for(pilot, lambda: "malformed JSON" in str(result.render()), what="error")
        assert "line 1, column 14" in str(result.render())
        assert client.calls == []
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ValueInput), what="value input")
        app.screen.query_one("#value", Input).value = '{"position": 0}'
        await pilot.press("enter")
        await wait_for(pilot, lambda: table_rows(screen) == [
            ['{"filename": "/tmp/source.txt"}', '{"position": 0}']], what="new offset")  # fmt: skip
    assert calls_named(client, "alter_offsets") == [
        ("alter_offsets", "demo-source",
         [{"partition": {"filename": "/tmp/source.txt"}, "offset": {"position": 0}}])
    ]  # fmt: skip
