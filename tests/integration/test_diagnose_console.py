"""End to end on the sandbox: the real console shows the diagnosis of the demo's failures.

The failing sink's task (a file in a missing directory) on the connector screen and in
the worker log at its failure (`L`), and the DLQ sink's dead letters (JsonConverter on
bytes that are not JSON) in the DLQ summary.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import OptionList

from kctui.sandbox import scenario
from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.screens.connector import ConnectorScreen
from kctui.ui.screens.dlq import DlqScreen
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.diagnosis_view import DiagnosisView
from kctui.ui.widgets.dlq_summary import DlqSummary
from tests.integration.test_dlq_console_e2e import connector_table, filled, until

pytestmark = pytest.mark.integration


async def console_on(pilot: Any, app: KctuiApp, name: str) -> None:
    await until(
        pilot,
        lambda: (
            app.state is not None and name in app.state.connectors and filled(connector_table(app))
        ),
        "the first refresh",
    )
    table = connector_table(app)
    assert table is not None and table.select(name)
    table.focus()


async def test_failing_sink_diagnosis_on_its_screen_and_in_its_log(
    sandbox_cluster: ClusterConfig,
) -> None:
    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        await console_on(pilot, app, scenario.FAILING_SINK)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConnectorScreen), "the connector")
        view = app.screen.query_one(DiagnosisView)
        await until(pilot, lambda: view.diagnosis is not None, "a diagnosis")
        assert view.diagnosis is not None and view.diagnosis.rule == "file-not-found"
        assert view.display
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConnectorScreen), "the console")
        await pilot.press("L")  # the logs at the failed task's failure
        await until(pilot, lambda: isinstance(app.screen, LogScreen), "the log view")
        beside = app.screen.query_one(DiagnosisView)
        await until(pilot, lambda: beside.diagnosis is not None, "a diagnosis beside it")
        assert beside.diagnosis is not None and beside.diagnosis.rule == "file-not-found"


async def test_dlq_sink_dead_letters_diagnosed_in_the_summary(
    sandbox_cluster: ClusterConfig,
) -> None:
    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(160, 48)) as pilot:
        await console_on(pilot, app, scenario.DLQ_SINK)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DlqScreen), "the DLQ browser")
        options = app.screen.query_one(DlqSummary).query_one(OptionList)

        def labels() -> str:
            return "\n".join(
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            )

        await until(pilot, lambda: "converter-not-json" in labels(), "the group diagnosis")
        assert "JsonConverter could not parse the record" in labels()
