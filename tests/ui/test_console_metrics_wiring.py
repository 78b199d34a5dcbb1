"""The console with JMX metrics: Rec/s and Lag columns, health reasons with metric rules."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from kctui.metrics.model import MetricsSnapshot, SinkTaskMetrics, TaskMetrics, WorkerSnapshot
from kctui.settings import JmxEndpoint
from kctui.ui.app import KctuiApp
from kctui.ui.metrics_poller import MetricsPoller
from kctui.ui.metrics_service import MetricsService
from kctui.ui.screens.overview import OverviewScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from tests.ui.conftest import cluster_config, ready, wait_for
from tests.ui.fakes import W1, FakeClient


class DemoSource:
    """demo-sink puts 100 records per poll (1 s apart) and lags 25,000 records behind."""

    configured = True

    def __init__(self) -> None:
        self.calls = 0

    def fetch(self, configs: Any = None, connector: str | None = None) -> MetricsSnapshot:
        self.calls += 1
        task = TaskMetrics(
            values={"status": "running", "running-ratio": 1.0},
            connector="demo-sink",
            task=0,
            worker=W1,
            sink=SinkTaskMetrics({"sink-record-send-total": 100.0 * self.calls}),
        )
        worker = WorkerSnapshot(W1, "u", float(self.calls), tasks={("demo-sink", 0): task})
        return MetricsSnapshot((worker,), float(self.calls), sink_lag={"demo-sink": 25_000})

    def close(self) -> None:
        pass


def overview_table(app: KctuiApp) -> ConnectorTable:
    """The connector table of the overview, the screen these tests expect on top."""
    screen = app.screen
    assert isinstance(screen, OverviewScreen)
    return screen.table


def has_column(table: Any, key: str) -> bool:
    return any(column.value == key for column in table.columns)


async def test_table_gains_rate_and_lag_and_the_reason_uses_metrics() -> None:
    endpoint = JmxEndpoint(W1, "service:jmx:rmi:///jndi/rmi://fake:1/jmxrmi")
    app = KctuiApp(replace(cluster_config(), jmx=(endpoint,)), client=FakeClient())
    source = DemoSource()
    metrics = app.session.metrics = MetricsService(app.cluster, source)
    app.metrics_poller = MetricsPoller(app, app.session, interval=0.05)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        table = overview_table(app)
        await wait_for(pilot, lambda: metrics.polls >= 2, what="two polls")
        await wait_for(pilot, lambda: has_column(table, "lag"), what="the metric columns")
        await wait_for(
            pilot, lambda: table.get_cell("demo-sink", "rate").plain == "100", what="a rate"
        )
        assert table.get_cell("demo-sink", "lag").plain == "25,000"
        assert table.get_cell("demo-source", "lag").plain == "–"
        table.select("demo-sink")
        await wait_for(
            pilot,
            lambda: "lag 25,000 > 10,000" in str(app.screen.query_one("#reason").render()),
            what="the health reason with the lag",
        )
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "lag 25,000 > 10,000" in str(app.screen.query_one("#detail-header").render()),
            what="the detail header with the lag",
        )


async def test_without_jmx_the_table_keeps_its_columns() -> None:
    app = KctuiApp(cluster_config(), client=FakeClient())
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        for _ in range(5):
            await pilot.pause(0.02)
        assert not has_column(overview_table(app), "rate")
        assert app.metrics_poller is not None and not app.session.metrics.configured


async def test_at_80_columns_the_metric_columns_leave_the_name_readable() -> None:
    endpoint = JmxEndpoint(W1, "service:jmx:rmi:///jndi/rmi://fake:1/jmxrmi")
    app = KctuiApp(replace(cluster_config(), jmx=(endpoint,)), client=FakeClient())
    app.session.metrics = MetricsService(app.cluster, DemoSource())
    app.metrics_poller = MetricsPoller(app, app.session, interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = overview_table(app)
        await wait_for(pilot, lambda: has_column(table, "lag"), what="the metric columns")
        assert not has_column(table, "type") and not has_column(table, "workers")
        width = sum(column.get_render_width(table) for column in table.columns.values())
        assert width <= 80
        name = next(c for c in table.columns.values() if c.key.value == "name")
        assert name.width >= len("demo-failing-sink")
