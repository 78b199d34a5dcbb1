"""The console on the secure sandbox: it opens and lists the demo connectors over HTTPS with
basic auth, fills Rec/s from the HTTPS metrics agents and Lag over SASL_SSL; with a wrong
password its banner says so, and it keeps running and retrying."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from msgspec.structs import replace
from textual.widgets import Static

from kctui.sandbox import scenario
from kctui.sandbox.secure import SecureSandbox
from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.status_bar import StatusBar

pytestmark = pytest.mark.integration


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.1)


def cell(table: ConnectorTable, name: str, column: str) -> str:
    try:
        return table.get_cell(name, column).plain
    except Exception:  # noqa: BLE001 - the row or column is not there yet
        return ""


async def test_the_console_lists_the_demo_connectors_with_rates_and_lag(
    secure_cluster: ClusterConfig,
) -> None:
    # Rec/s and Lag from the HTTPS agents and SASL_SSL only: no JMX (its password travels
    # on jmxquery's command line).
    cluster = replace(
        secure_cluster,
        jmx=(),
        metrics=tuple(e for e in secure_cluster.metrics if e.source != "jmx"),
        refresh_seconds=1,
    )
    app = KctuiApp(cluster)
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.screen.query_one(ConnectorTable)
        await until(pilot, lambda: set(scenario.CONNECTORS) <= set(table.names), "the connectors")
        status = str(app.screen.query_one(StatusBar).render())
        assert "Kafka 4." in status and "2 workers" in status
        await until(
            pilot,
            lambda: cell(table, "demo-source", "rate") not in ("", "–")
            and cell(table, "demo-sink", "lag") not in ("", "–"),
            "Rec/s of demo-source (HTTPS agents) and Lag of demo-sink (SASL_SSL)",
        )  # fmt: skip
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_a_wrong_password_is_a_banner_not_a_crash(
    secure_sandbox: SecureSandbox, secure_cluster: ClusterConfig, every_secret: list[str]
) -> None:
    wrong = str(secure_sandbox.secret_file("operator-wrong"))
    app = KctuiApp(replace(secure_cluster, password_file=wrong, refresh_seconds=1))
    async with app.run_test(size=(160, 36)) as pilot:
        banner = app.screen.query_one("#banner", Static)
        await until(pilot, lambda: bool(banner.display), "the banner")
        said = str(banner.render())
        assert said.startswith("Not authorised: cluster 'sandbox-secure'"), said
        assert "HTTP 401" in said and "user 'operator'" in said, said
        assert not [s for s in every_secret if s in said]
        assert app.is_running and app.state is None
