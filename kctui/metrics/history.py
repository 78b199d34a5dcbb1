"""A short history of selected metrics (the last 60 samples) for rates and sparklines.

Kafka's own ``*-rate`` attributes are averaged over its sample window (about a minute),
so rates here are computed from the ``*-total`` counters between two refreshes, which
follow the console's refresh interval. The history is the one mutable object of the
metrics package; it hands out tuples.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from kctui.metrics.model import MetricsSnapshot

HISTORY_SIZE = 60

# Metrics kept per task and per connector (sum over tasks; max for the lag).
TRACKED: tuple[str, ...] = (
    "source-record-write-total",
    "source-record-poll-total",
    "sink-record-read-total",
    "sink-record-send-total",
    "sink-record-lag-max",
    "running-ratio",
    "total-record-errors",
    "total-record-failures",
    "deadletterqueue-produce-requests",
)
_MAX_NOT_SUM = {"sink-record-lag-max", "running-ratio"}

# Which counter gives a task's throughput.
THROUGHPUT_TOTALS = ("sink-record-send-total", "source-record-write-total")


@dataclass(frozen=True)
class Sample:
    at: float
    value: float


Key = tuple[str, int | None, str]  # (connector, task id or None for the connector, metric)


class MetricsHistory:
    """Per-metric ring buffers fed with each :class:`MetricsSnapshot`."""

    def __init__(self, size: int = HISTORY_SIZE) -> None:
        self.size = size
        self._series: dict[Key, deque[Sample]] = {}
        self.latest: MetricsSnapshot | None = None
        self.previous: MetricsSnapshot | None = None

    def add(self, snapshot: MetricsSnapshot) -> None:
        self.previous, self.latest = self.latest, snapshot
        at = snapshot.fetched_at
        for name in snapshot.connector_names:
            tasks = snapshot.tasks_of(name)
            for metric in TRACKED:
                values = [v for v in (t.value(metric) for t in tasks) if v is not None]
                for task in tasks:
                    value = task.value(metric)
                    if value is not None:
                        self._push((name, task.task, metric), at, value)
                if values:
                    total = max(values) if metric in _MAX_NOT_SUM else sum(values)
                    self._push((name, None, metric), at, total)

    def _push(self, key: Key, at: float, value: float) -> None:
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = deque(maxlen=self.size)
        if series and series[-1].at >= at:
            series.pop()
        series.append(Sample(at, value))

    def values(self, connector: str, task: int | None, metric: str) -> tuple[float, ...]:
        return tuple(s.value for s in self._series.get((connector, task, metric), ()))

    def rates(self, connector: str, task: int | None, total_metric: str) -> tuple[float, ...]:
        """Per-second increase of a counter between consecutive samples (a reset counts as 0)."""
        series = list(self._series.get((connector, task, total_metric), ()))
        rates = []
        for before, after in zip(series, series[1:], strict=False):
            seconds = after.at - before.at
            if seconds > 0:
                rates.append(max(0.0, after.value - before.value) / seconds)
        return tuple(rates)

    def rate(self, connector: str, task: int | None, total_metric: str) -> float | None:
        rates = self.rates(connector, task, total_metric)
        return rates[-1] if rates else None

    def delta(self, connector: str, task: int | None, metric: str) -> float | None:
        """Change of a metric between the last two samples; None with fewer than two."""
        series = self._series.get((connector, task, metric))
        if not series or len(series) < 2:
            return None
        return series[-1].value - series[-2].value

    def throughput_rates(self, connector: str, task: int | None = None) -> tuple[float, ...]:
        """Records/s over time for a task (or the whole connector when ``task`` is None)."""
        for metric in THROUGHPUT_TOTALS:
            rates = self.rates(connector, task, metric)
            if rates:
                return rates
        return ()

    def forget(self, keep_connectors: set[str]) -> None:
        """Drop series of connectors that are gone (deleted, renamed)."""
        for key in [k for k in self._series if k[0] not in keep_connectors]:
            del self._series[key]
