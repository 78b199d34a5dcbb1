"""Pilot tests of the metrics screen against a fake metrics source (no JVM, no network)."""

from __future__ import annotations

import threading

from textual.app import App

from kctui.connect.models import ClusterState
from kctui.metrics.model import (
    MetricsSnapshot,
    RebalanceMetrics,
    SinkTaskMetrics,
    TaskErrorMetrics,
    TaskMetrics,
    WorkerMetrics,
    WorkerSnapshot,
)
from kctui.settings import ClusterConfig, JmxEndpoint
from kctui.ui.metrics_poller import MetricsPoller
from kctui.ui.metrics_service import MetricsService
from kctui.ui.screens.metrics import MetricsScreen
from kctui.ui.session import ConsoleSession
from kctui.ui.widgets.metrics_tables import MetricsTable

CLUSTER = ClusterConfig(
    name="test",
    urls=("http://w1:8083",),
    jmx=(JmxEndpoint("w1:8083", "service:jmx:rmi:///jndi/rmi://w1:1/jmxrmi"),
         JmxEndpoint("w2:8083", "service:jmx:rmi:///jndi/rmi://w2:1/jmxrmi")),
)  # fmt: skip

STATE = ClusterState.from_json(
    {
        "orders": {
            "status": {
                "connector": {"state": "RUNNING", "worker_id": "w1:8083"},
                "tasks": [
                    {"id": 0, "state": "RUNNING", "worker_id": "w1:8083"},
                    {"id": 1, "state": "FAILED", "worker_id": "w2:8083", "trace": "X: boom"},
                ],
                "type": "sink",
            },
            "info": {"config": {"topics": "t"}, "type": "sink"},
        }
    }
)


class FakeSource:
    """Snapshots whose counters grow by 50 records per poll, 1 s apart."""

    def __init__(self, configured: bool = True) -> None:
        self.configured = configured
        self.calls = 0
        self.threads: list[str] = []
        self.closed = False
        self.connectors: list[str | None] = []

    def fetch(self, configs: object = None, connector: str | None = None) -> MetricsSnapshot:
        self.calls += 1
        self.connectors.append(connector)
        self.threads.append(threading.current_thread().name)
        n = self.calls
        task = TaskMetrics(
            values={"status": "running", "running-ratio": 1.0},
            connector="orders",
            task=0,
            worker="w1:8083",
            sink=SinkTaskMetrics(
                {"sink-record-send-total": 50.0 * n, "sink-record-send-rate": 7.0}
            ),
            errors=TaskErrorMetrics(
                {"total-record-errors": 3.0, "deadletterqueue-produce-requests": 3.0}
            ),
        )
        w1 = WorkerSnapshot(
            worker="w1:8083",
            url="u1",
            fetched_at=float(n),
            elapsed=0.4,
            worker_metrics=WorkerMetrics({"connector-count": 1.0, "task-count": 1.0,
                                          "connector-startup-failure-total": 0.0,
                                          "task-startup-failure-total": 2.0}),
            rebalance=RebalanceMetrics({"rebalancing": 0.0, "epoch": 4.0,
                                        "time-since-last-rebalance-ms": 125_000.0}),
            tasks={("orders", 0): task},
        )  # fmt: skip
        w2 = WorkerSnapshot("w2:8083", "u2", float(n), error="connection refused: nothing listens")
        return MetricsSnapshot(workers=(w1, w2), fetched_at=float(n), sink_lag={"orders": 25_000})

    def close(self) -> None:
        self.closed = True


class MetricsApp(App[None]):
    """Hosts one metrics screen and the console's metrics poller (a fake source behind it)."""

    def __init__(self, screen: MetricsScreen, source: FakeSource) -> None:
        super().__init__()
        self.session = ConsoleSession(CLUSTER, state=STATE)
        self.session.metrics = MetricsService(CLUSTER, source)
        self.poller = MetricsPoller(self, self.session, interval=3600)
        self._screen = screen

    def on_mount(self) -> None:
        self.push_screen(self._screen)
        self.poller.start()

    def on_unmount(self) -> None:
        self.poller.stop()


async def wait_polls(app: App[None], pilot, screen: MetricsScreen, count: int) -> None:
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if screen.polls >= count:
            return
    raise AssertionError(f"only {screen.polls} polls arrived")


async def test_connector_pane_shows_tasks_rates_lag_and_worker_errors() -> None:
    source = FakeSource()
    screen = MetricsScreen(CLUSTER, "orders")
    app = MetricsApp(screen, source)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_polls(app, pilot, screen, 1)
        await pilot.press("r")
        await wait_polls(app, pilot, screen, 2)
        assert all(name != "MainThread" for name in source.threads)  # polled off the UI thread
        workers = screen.query_one("#metrics-workers", MetricsTable)
        assert workers.row_count == 2
        assert workers.cell_text("w1:8083", "jmx").startswith("jmx ok in 400 ms")
        assert workers.cell_text("w1:8083", "since") == "2m 05s"
        assert workers.cell_text("w1:8083", "startup") == "0/2"
        assert workers.cell_text("w2:8083", "jmx") == "connection refused: nothing listens"
        tasks = screen.query_one("#metrics-tasks", MetricsTable)
        assert tasks.row_count == 2
        assert tasks.cell_text("0", "state") == "RUNNING"
        assert tasks.cell_text("0", "rate") == "50.0"  # from the counter: +50 in 1 s
        assert tasks.cell_text("0", "trend") != ""
        assert tasks.cell_text("0", "dlq") == "3"
        assert tasks.cell_text("1", "state") == "FAILED"
        assert "metrics of w2:8083 failed" in tasks.cell_text("1", "rate")
        health = str(screen.query_one("#metrics-health").render())
        assert "UNHEALTHY" not in health and "DEGRADED" in health
        assert "lag 25,000 > 10,000" in health
        notes = str(screen.query_one("#metrics-notes").render())
        assert "worker w2:8083: connection refused" in notes
        assert "1 of 2 workers answered" in notes
    assert source.closed


async def test_all_connectors_then_select_one() -> None:
    source = FakeSource()
    screen = MetricsScreen(CLUSTER, None)
    app = MetricsApp(screen, source)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_polls(app, pilot, screen, 1)
        table = screen.query_one("#metrics-tasks", MetricsTable)
        assert table.cell_text("orders", "lag") == "25,000"
        assert table.cell_text("orders", "type") == "sink"
        assert table.cell_text("orders", "health") == "DEGRADED"  # a FAILED task, lag too high
        table.focus()
        await pilot.pause()
        health = str(screen.query_one("#metrics-health").render())
        assert health.startswith("orders DEGRADED") and "lag 25,000 > 10,000" in health
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.connector == "orders"
        assert table.cell_text("0", "state") == "RUNNING"
        await pilot.press("a")
        await pilot.pause()
        assert screen.connector is None and table.cell_text("orders", "tasks") == "1"


async def test_without_jmx_says_how_to_configure() -> None:
    source = FakeSource(configured=False)
    screen = MetricsScreen(CLUSTER, "orders")
    app = MetricsApp(screen, source)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        notes = str(screen.query_one("#metrics-notes").render())
        assert "No metrics sources configured" in notes and "[[clusters.test.metrics]]" in notes
        assert source.calls == 0
