"""Background metrics polling for the console: throughput, lag and the metric health rules.

One poller per console feeds the session's metrics service (:mod:`kctui.ui.metrics_service`),
which the connector table (``Rec/s``, ``Lag``, the Health column and its order), the reason
line, the connector header and the metrics screen all read. Polling runs in a thread worker
(jmxquery and the HTTP sources block), at most every ``refresh_seconds`` and never faster
than :data:`MIN_INTERVAL` (a refresh of a big cluster costs the workers seconds of JMX
work), paused while a modal is open. Without metrics endpoints nothing is polled.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from kctui.metrics.model import MetricsSnapshot
from kctui.ui.messages import MetricsChanged
from kctui.ui.metrics_service import Judged
from kctui.ui.polling import Poller
from kctui.ui.session import ConsoleSession

MIN_INTERVAL = 10.0
LOAD_FACTOR = 4.0


def next_delay(interval: float, snapshot: MetricsSnapshot) -> float:
    """The interval, stretched to 4x the slowest worker's answer time.

    A full refresh costs the worker JVM about as much CPU as the query takes (2 s for
    800 tasks in the benchmark), so a big cluster is polled less often.
    """
    slowest = max((w.elapsed for w in snapshot.workers), default=0.0)
    return max(interval, LOAD_FACTOR * slowest)


class MetricsPoller(Poller[Judged]):
    """Owns the console's metrics timer; the snapshots go to ``session.metrics``."""

    name = "metrics"
    thread = True

    def __init__(
        self, app: App[Any], session: ConsoleSession, *, interval: float | None = None
    ) -> None:
        super().__init__(app, interval or max(MIN_INTERVAL, session.cluster.refresh_seconds))
        self.session = session

    @property
    def enabled(self) -> bool:
        return self.session.metrics.configured

    def start(self, delay: float = 0.01) -> None:
        self.session.metrics.poll_now = self.refresh_now
        super().start(delay)

    def stop(self) -> None:
        super().stop()
        self.session.metrics.close()

    def next_delay(self) -> float:
        latest = self.session.metrics.latest
        if self.failures or latest is None:
            return super().next_delay()
        return next_delay(self.interval, latest)

    def fetch_blocking(self) -> Judged:
        service = self.session.metrics
        return service.judge(service.fetch(self.session.state))  # both in the thread

    def apply(self, result: Judged) -> None:
        self.session.metrics.add(result)
        snapshot = result.snapshot
        self.publish(lambda: MetricsChanged(snapshot))
