"""The console's background metrics poller, against a fake metrics source."""

from __future__ import annotations

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from kctui.health import Health
from kctui.metrics.model import MetricsSnapshot
from kctui.settings import ClusterConfig
from kctui.ui.messages import MetricsChanged
from kctui.ui.metrics_poller import MetricsPoller
from kctui.ui.metrics_service import MetricsService
from kctui.ui.session import ConsoleSession
from tests.ui.test_metrics_screen import CLUSTER, STATE, FakeSource


class Seen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.snapshots: list[MetricsSnapshot] = []

    def compose(self):
        yield Static("console")

    def on_metrics_changed(self, message: MetricsChanged) -> None:
        self.snapshots.append(message.snapshot)


class Console(App[None]):
    def __init__(self, cluster: ClusterConfig, source: FakeSource, interval: float) -> None:
        super().__init__()
        self.cluster = cluster
        self.session = ConsoleSession(cluster, state=STATE)
        self.session.metrics = MetricsService(cluster, source)
        self.seen = Seen()
        self.poller = MetricsPoller(self, self.session, interval=interval)
        self.metrics = self.session.metrics

    def on_mount(self) -> None:
        self.push_screen(self.seen)
        self.poller.start()


async def wait_for(pilot, condition, what: str) -> None:
    for _ in range(300):
        await pilot.pause(0.01)
        if condition():
            return
    raise AssertionError(f"timed out waiting for {what}")


async def test_polls_in_the_background_and_feeds_cells_and_verdicts() -> None:
    source = FakeSource()
    app = Console(CLUSTER, source, interval=0.05)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.metrics.polls >= 2, "two polls")
        assert app.seen.snapshots  # screens get MetricsChanged
        assert all(name != "MainThread" for name in source.threads)
        rate, lag = app.metrics.cells("orders")
        assert rate == "50.0" and lag == "25,000"
        assert app.metrics.cells("unknown") == ("–", "–")
        assert STATE.connectors["orders"] is not None
        verdict = app.metrics.verdict(STATE.connectors["orders"])
        assert verdict.health == Health.DEGRADED
        assert "task 1 FAILED" in verdict.reason and "lag 25,000 > 10,000" in verdict.reason
        app.poller.stop()
    assert source.closed


async def test_pauses_under_a_modal() -> None:
    source = FakeSource()
    app = Console(CLUSTER, source, interval=0.05)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.metrics.polls >= 1, "a first poll")
        app.push_screen(ModalScreen())
        await pilot.pause(0.1)
        calls = source.calls
        for _ in range(20):
            await pilot.pause(0.02)
        assert source.calls <= calls + 1  # at most the poll already under way
        app.pop_screen()
        await wait_for(pilot, lambda: source.calls > calls + 1, "polling to resume")


async def test_nothing_polled_without_jmx() -> None:
    source = FakeSource(configured=False)
    app = Console(CLUSTER, source, interval=0.05)
    async with app.run_test() as pilot:
        for _ in range(10):
            await pilot.pause(0.02)
        assert source.calls == 0 and not app.metrics.available
        assert app.metrics.verdict(STATE.connectors["orders"]).health == Health.DEGRADED


def test_next_delay_stretches_for_slow_workers() -> None:
    from kctui.metrics.model import WorkerSnapshot
    from kctui.ui.metrics_poller import next_delay

    fast = MetricsSnapshot(workers=(WorkerSnapshot("w", "u", 0.0, elapsed=0.5),))
    slow = MetricsSnapshot(workers=(WorkerSnapshot("w", "u", 0.0, elapsed=5.0), *fast.workers))
    assert next_delay(10.0, fast) == 10.0
    assert next_delay(10.0, slow) == 20.0
    assert next_delay(10.0, MetricsSnapshot(workers=())) == 10.0
