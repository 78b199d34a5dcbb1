"""One health per connector on every screen: a sink that REST calls HEALTHY but that lags
more than the threshold is DEGRADED in its row (and sorted with the problems), in the
reason line, in the status bar counts, in the connector header and on the metrics screen."""

from __future__ import annotations

from msgspec.structs import replace
from textual.widgets import Static

from kctui.health import Health, rollup
from kctui.settings import JmxEndpoint
from kctui.ui.app import KctuiApp
from kctui.ui.metrics_poller import MetricsPoller
from kctui.ui.metrics_service import MetricsService
from kctui.ui.screens.connector import ConnectorScreen
from kctui.ui.screens.metrics import MetricsScreen
from kctui.ui.screens.overview import OverviewScreen
from tests.ui.conftest import cluster_config, ready, wait_for
from tests.ui.fakes import W1, FakeClient
from tests.ui.test_console_metrics_wiring import DemoSource

LAG_REASON = "lag 25,000 > 10,000"


def lagging_app() -> KctuiApp:
    """The demo cluster; its metrics say demo-sink lags 25,000 records (threshold 10,000)."""
    endpoint = JmxEndpoint(W1, "service:jmx:rmi:///jndi/rmi://fake:1/jmxrmi")
    app = KctuiApp(replace(cluster_config(), jmx=(endpoint,)), client=FakeClient())
    app.session.metrics = MetricsService(app.cluster, DemoSource())
    app.metrics_poller = MetricsPoller(app, app.session, interval=0.05)
    return app


def text_of(screen: object, selector: str) -> str:
    assert isinstance(screen, OverviewScreen | ConnectorScreen | MetricsScreen)
    return str(screen.query_one(selector, Static).render())


async def test_a_lagging_connector_is_degraded_in_row_line_header_and_metrics() -> None:
    app = lagging_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        state = app.session.state
        assert state is not None
        assert rollup(state.connectors["demo-sink"]).health == Health.HEALTHY  # REST alone
        table = overview.table
        await wait_for(
            pilot,
            lambda: table.get_cell("demo-sink", "health").plain == "DEGRADED",
            what="the row judged with the lag",
        )
        names = table.names
        healthy = [n for n in names if table.get_cell(n, "health").plain == "HEALTHY"]
        assert healthy and names.index("demo-sink") < min(names.index(n) for n in healthy)
        counters = app.status_info().counters
        assert counters is not None
        shown_degraded = [n for n in names if table.get_cell(n, "health").plain == "DEGRADED"]
        assert counters.by_health.get(Health.DEGRADED) == len(shown_degraded)

        table.select("demo-sink")
        await wait_for(
            pilot, lambda: LAG_REASON in text_of(overview, "#reason"), what="the reason line"
        )
        assert LAG_REASON in table.get_cell("demo-sink", "reason").plain

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectorScreen), what="detail")
        detail = app.screen
        await wait_for(
            pilot,
            lambda: "health DEGRADED" in text_of(detail, "#detail-header"),
            what="the header",
        )
        assert LAG_REASON in text_of(detail, "#detail-header")

        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricsScreen), what="metrics")
        metrics = app.screen
        await wait_for(
            pilot,
            lambda: text_of(metrics, "#metrics-health").startswith("demo-sink DEGRADED"),
            what="the metrics screen's health line",
        )
        assert LAG_REASON in text_of(metrics, "#metrics-health")
