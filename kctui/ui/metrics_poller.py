"""Background JMX polling for the console: throughput and lag per connector, health reasons.

The console's connector table gains ``Rec/s`` and ``Lag`` columns once a snapshot
arrives, and the detail pane uses :meth:`ConsoleMetrics.verdict` (the health rollup
with the metric rules). Polling runs in a thread worker (jmxquery blocks), at most
every ``refresh_seconds`` and never faster than :data:`MIN_INTERVAL` (a refresh of a big
cluster costs the workers seconds of JMX work), paused while a modal is open. Without
JMX endpoints nothing is polled and the console stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ScreenStackError
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer

from kctui.connect.models import Connector
from kctui.health import HealthVerdict, rollup, rollup_with_metrics
from kctui.metrics.history import MetricsHistory
from kctui.metrics.model import MetricsSnapshot
from kctui.ui.widgets.metrics_rows import fmt_count, fmt_rate

if TYPE_CHECKING:
    from textual.app import App

    from kctui.ui.session import ConsoleSession

MIN_INTERVAL = 10.0
MODAL_RECHECK = 1.0
LOAD_FACTOR = 4.0


def next_delay(interval: float, snapshot: MetricsSnapshot) -> float:
    """The interval, stretched to 4x the slowest worker's answer time.

    A full refresh costs the worker JVM about as much CPU as the query takes (2 s for
    800 tasks in the benchmark), so a big cluster is polled less often.
    """
    slowest = max((w.elapsed for w in snapshot.workers), default=0.0)
    return max(interval, LOAD_FACTOR * slowest)


@dataclass
class MetricsChanged(Message):
    """A console metrics poll finished (a newer one replaces an unhandled older one)."""

    snapshot: MetricsSnapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsChanged)


class ConsoleMetrics:
    """Owns the console's metrics timer, the latest snapshot and its short history."""

    def __init__(
        self,
        app: App[Any],
        session: ConsoleSession,
        *,
        source: Any = None,
        interval: float | None = None,
    ):
        self.app = app
        self.session = session
        self.cluster = session.cluster
        if source is None:
            from kctui.metrics.sources import MetricsSource

            source = MetricsSource(self.cluster)
        self.source = source
        self.interval = interval or max(MIN_INTERVAL, self.cluster.refresh_seconds)
        self.history = MetricsHistory()
        self.polls = 0
        self._timer: Timer | None = None
        self._stopped = False

    # ------------------------------------------------------------------ polling

    @property
    def configured(self) -> bool:
        return bool(self.source.configured)

    def start(self) -> None:
        if self.configured:
            self._schedule(0.01)

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.source.close()

    def _schedule(self, delay: float) -> None:
        if self._stopped:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(delay, self._tick, name="metrics-timer")

    def _tick(self) -> None:
        self._timer = None
        if self._stopped:
            return
        try:
            screen = self.app.screen
        except ScreenStackError:  # starting up or shutting down: no screen to poll for
            self._schedule(MODAL_RECHECK)
            return
        if isinstance(screen, ModalScreen):
            self._schedule(MODAL_RECHECK)
            return
        state = self.session.state
        configs = {n: dict(c.config) for n, c in state.connectors.items()} if state else {}
        self.app.run_worker(
            lambda: self._fetch(configs),
            name="metrics",
            group="metrics",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _fetch(self, configs: Mapping[str, Any]) -> None:
        try:
            snapshot = self.source.fetch(configs)
        except BaseException:
            self.app.call_from_thread(self._schedule, self.interval)
            raise
        self.app.call_from_thread(self._apply, snapshot)

    def _apply(self, snapshot: MetricsSnapshot) -> None:
        self.polls += 1
        self.history.add(snapshot)
        self.history.forget(set(snapshot.connector_names))
        for screen in list(self.app.screen_stack):
            screen.post_message(MetricsChanged(snapshot))
        self._schedule(next_delay(self.interval, snapshot))

    # ------------------------------------------------------------------ reading

    @property
    def latest(self) -> MetricsSnapshot | None:
        return self.history.latest

    @property
    def available(self) -> bool:
        return self.latest is not None and self.latest.available

    def cells(self, name: str) -> tuple[str, str]:
        """``(records/s, lag)`` texts of a connector for the table ("–" when unknown)."""
        latest = self.latest
        if latest is None:
            return ("–", "–")
        rates = self.history.throughput_rates(name)
        rate = rates[-1] if rates else latest.summary(name).throughput
        return (fmt_rate(rate), fmt_count(latest.lag_of(name)))

    def table_cells(self, names: list[str]) -> dict[str, tuple[str, str]]:
        return {name: self.cells(name) for name in names}

    def verdict(self, connector: Connector) -> HealthVerdict:
        """The health with the metric rules when metrics are there, else the REST rollup."""
        if self.latest is None:
            return rollup(connector)
        return rollup_with_metrics(
            connector,
            self.latest,
            previous=self.history.previous,
            lag_threshold=self.cluster.lag_threshold,
        )


def verdict_for(metrics: ConsoleMetrics | None, connector: Connector) -> HealthVerdict:
    """The health of ``connector`` for the console: with metric rules once metrics exist."""
    if metrics is not None:
        return metrics.verdict(connector)
    return rollup(connector)


def metric_cells(
    metrics: ConsoleMetrics | None, names: list[str]
) -> dict[str, tuple[str, str]] | None:
    """``(records/s, lag)`` per connector for the table, or None while no metrics exist."""
    if metrics is None or not metrics.available:
        return None
    return metrics.table_cells(names)
