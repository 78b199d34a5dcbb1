"""End to end: the real console on the sandbox; `D` on demo-dlq-sink shows decoded dead letters."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.screens.dlq import DlqScreen
from kctui.ui.screens.dlq_modals import DlqOriginalScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.dlq_detail import DlqDetail
from kctui.ui.widgets.dlq_table import DlqTable

pytestmark = pytest.mark.integration
DATA_EXCEPTION = "org.apache.kafka.connect.errors.DataException"


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def connector_table(app: KctuiApp) -> ConnectorTable | None:
    tables = app.screen.query(ConnectorTable)
    return tables.first() if tables else None


def filled(table: ConnectorTable | None) -> bool:
    return table is not None and table.row_count > 0


async def test_d_on_the_dlq_sink_shows_its_dead_letters_decoded(
    sandbox_cluster: ClusterConfig,
) -> None:
    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(180, 60)) as pilot:
        await until(pilot, lambda: app.state is not None and "demo-dlq-sink" in app.state.connectors
                    and filled(connector_table(app)), "the first refresh")  # fmt: skip
        table = connector_table(app)
        assert table is not None and table.select("demo-dlq-sink")
        table.focus()
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DlqScreen), "the DLQ browser")
        screen = app.screen
        assert isinstance(screen, DlqScreen) and screen.topic == "demo-orders-dlq"
        dead_letters = screen.query_one(DlqTable)
        await until(pilot, lambda: dead_letters.row_count > 0, "dead letters on screen")
        current = dead_letters.current
        assert current is not None
        assert current.original_topic == "demo-orders"
        assert current.stage == "VALUE_CONVERTER" and current.exception_class == DATA_EXCEPTION
        row = [str(cell) for cell in dead_letters.get_row_at(0)]
        assert "VALUE_CONVERTER" in row and "DataException" in row
        assert any(cell.startswith("demo-orders/") for cell in row)
        headers = screen.query_one(DlqDetail).query_one("#dlq-headers")
        shown = {str(headers.get_row_at(i)[0]): str(headers.get_row_at(i)[1])
                 for i in range(headers.row_count)}  # fmt: skip
        assert shown["stage"] == "VALUE_CONVERTER"
        assert shown["exception.class.name"] == DATA_EXCEPTION
        assert shown["connector.name"] == "demo-dlq-sink"
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, DlqOriginalScreen), "original record")
        original = app.screen
        assert isinstance(original, DlqOriginalScreen) and original.same_value
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "back to the browser")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DlqScreen), "back to the console")


async def test_avro_dead_letters_decoded_grouped_and_redriven_from_the_browser(
    sandbox_cluster: ClusterConfig, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uuid

    from textual.widgets import Input, OptionList, Static

    from kctui.dlq.redrive import RedriveLog, report_path
    from kctui.ui.screens.dlq_modals import DlqPrompt
    from kctui.ui.screens.dlq_redrive import RedriveScreen
    from kctui.ui.widgets.dlq_summary import DlqSummary

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    target = f"redrive-ui-{uuid.uuid4().hex[:8]}"
    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: filled(connector_table(app)) and app.state is not None
                    and "demo-avro-sink" in app.state.connectors, "the first refresh")  # fmt: skip
        table = connector_table(app)
        assert table is not None and table.select("demo-avro-sink")
        table.focus()
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DlqScreen), "the DLQ browser")
        screen = app.screen
        assert isinstance(screen, DlqScreen) and screen.topic == "demo-payments-dlq"
        rows = screen.query_one(DlqTable)
        await until(pilot, lambda: rows.row_count >= 40, "the Avro dead letters")
        label = str(screen.query_one("#dlq-value-label", Static).content)
        assert "Avro, schema id" in label and "demo-payments-avro-value" in label
        assert '"currency"' in str(screen.query_one("#dlq-value", Static).content)
        groups = screen.query_one(DlqSummary).query_one(OptionList)
        causes = [str(groups.get_option_at_index(i).prompt) for i in range(groups.option_count)]
        assert any("40  DataException at VALUE_CONVERTER" in c for c in causes), causes
        groups.highlighted = 1  # the largest cause group
        groups.action_select()
        await until(pilot, lambda: screen.group is not None, "the group filter")
        rows.focus()
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, DlqPrompt), "the target prompt")
        prompt_input = app.screen.query_one(Input)
        assert prompt_input.value == "demo-payments-avro"
        prompt_input.value = target
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RedriveScreen), "the preview")
        preview = app.screen
        assert isinstance(preview, RedriveScreen) and len(preview.plan.sends) == 40
        assert {s.topic for s in preview.plan.sends} == {target}
        await pilot.press("enter")
        await until(pilot, lambda: not preview.running and preview.started, "the sends", 60)
        title = str(preview.query_one("#redrive-title", Static).content)
        assert title.startswith("sent 40, failed 0"), title
        log = RedriveLog(report_path(sandbox_cluster.name, "demo-payments-dlq"))
        assert len(log.already()) == 40
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "back to the browser")
