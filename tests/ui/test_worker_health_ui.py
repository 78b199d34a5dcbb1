"""Worker health (GET /health) on screen: the status bar count and the metrics screen's
worker table, from a fake check (no network)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kctui.connect.worker_health import WorkerHealth
from kctui.ui.app import KctuiApp
from kctui.ui.health_poller import WorkerHealthPoller
from kctui.ui.screens.metrics import MetricsScreen
from kctui.ui.widgets.metrics_tables import MetricsTable
from kctui.ui.widgets.status_bar import StatusBar
from tests.ui.conftest import cluster_config, ready, wait_for
from tests.ui.fakes import FakeClient
from tests.ui.test_metrics_screen import CLUSTER, FakeSource, MetricsApp, wait_polls

ANSWERS = (
    WorkerHealth("http://w1:8083", "healthy", "Worker has completed startup", 12.0),
    WorkerHealth("http://w2:8083", "starting", "Worker is still starting up.", 30.0),
)


async def fake_check(cluster: Any, worker_ids: Iterable[str]) -> tuple[WorkerHealth, ...]:
    return ANSWERS


async def test_the_status_bar_counts_healthy_workers() -> None:
    app = KctuiApp(cluster_config(), client=FakeClient())
    app.health_poller = WorkerHealthPoller(app, check=fake_check, interval=3600)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        bar = app.screen.query_one(StatusBar)
        await wait_for(
            pilot, lambda: "1/2 workers healthy" in str(bar.render()), what="the health count"
        )
        assert app.health_poller.checks == 1


async def test_the_metrics_screen_shows_each_workers_health_and_time() -> None:
    screen = MetricsScreen(CLUSTER, "orders")
    app = MetricsApp(screen, FakeSource())
    app.session.worker_health = ANSWERS
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_polls(app, pilot, screen, 1)
        workers = screen.query_one("#metrics-workers", MetricsTable)
        assert workers.cell_text("w1:8083", "health") == "healthy 12 ms"
        assert workers.cell_text("w2:8083", "health") == "starting 30 ms"
