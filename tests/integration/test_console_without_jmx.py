"""The console on the sandbox with JMX removed from the config: only the Prometheus
exporter and Jolokia are configured, and Rec/s, Lag and the metrics screen still work."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from msgspec.structs import replace

from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.metrics_tables import MetricsTable

pytestmark = pytest.mark.integration


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.1)


def without_jmx(cluster: ClusterConfig) -> ClusterConfig:
    return replace(
        cluster,
        jmx=(),
        metrics=tuple(e for e in cluster.metrics if e.source != "jmx"),
        refresh_seconds=1,
    )


def cell(table: ConnectorTable, name: str, column: str) -> str:
    try:
        return table.get_cell(name, column).plain
    except Exception:  # noqa: BLE001 - the row or column is not there yet
        return ""


async def test_rate_and_lag_columns_come_from_prometheus_and_jolokia(
    sandbox_cluster: ClusterConfig,
) -> None:
    cluster = without_jmx(sandbox_cluster)
    assert cluster.metric_endpoints() and not cluster.metric_endpoints("jmx")
    app = KctuiApp(cluster)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.state is not None, "the first refresh")
        table = app.screen.query_one(ConnectorTable)
        await until(
            pilot,
            lambda: (
                cell(table, "demo-source", "rate") not in ("", "–")
                and cell(table, "demo-sink", "lag") not in ("", "–")
            ),
            "Rec/s of demo-source and Lag of demo-sink",
        )
        assert app.metrics_poller is not None
        snapshot = app.session.metrics.history.latest
        assert snapshot is not None
        assert {w.source for w in snapshot.workers} == {"jolokia"}
        assert float(cell(table, "demo-source", "rate").replace(",", "")) >= 0
        app.open_metrics("demo-sink")
        worker = snapshot.workers[0].worker

        def worker_cell() -> str:
            try:
                return app.screen.query_one("#metrics-workers", MetricsTable).cell_text(
                    worker, "jmx"
                )
            except Exception:  # noqa: BLE001 - the screen or the row is not there yet
                return ""

        await until(pilot, lambda: "jolokia ok" in worker_cell(), "the worker table")
        tasks = app.screen.query_one("#metrics-tasks", MetricsTable)
        await until(pilot, lambda: tasks.row_count == 2, "demo-sink's two tasks")
