"""The console's one metrics service: one source (one connection per worker), one history, and
the health every screen shows (the REST rollup with the metric rules). No Textual here.

It hangs off the console session (``session.metrics``). The metrics poller
(:mod:`kctui.ui.metrics_poller`) fetches through it and, still in its thread, works out
each connector's metric reasons (:meth:`MetricsService.judge`); the UI thread adds the
result. The rows of the connector table, the reason line, the connector header and the
metrics screen all take their health from :meth:`MetricsService.verdict`, so a lagging
connector is DEGRADED on every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kctui.connect.models import ClusterState, Connector
from kctui.health import HealthVerdict, metric_reasons, rollup, with_metric_reasons
from kctui.metrics.history import MetricsHistory
from kctui.metrics.model import MetricsSnapshot
from kctui.settings import ClusterConfig
from kctui.ui.widgets.metrics_rows import fmt_count, fmt_rate

if TYPE_CHECKING:
    from kctui.metrics.sources import SnapshotSource


@dataclass(frozen=True)
class Judged:
    """A snapshot, the one it was compared with, and the metric reasons of each connector
    that has any (lag over the threshold, growing errors, a falling running ratio)."""

    snapshot: MetricsSnapshot
    previous: MetricsSnapshot | None
    reasons: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class MetricsRead:
    """What the metrics service knows of one connector (or of all: ``connector`` None)."""

    connector: str | None
    snapshot: MetricsSnapshot | None
    history: MetricsHistory = field(repr=False)
    verdicts: Mapping[str, HealthVerdict]  # connector name -> health, for those in scope


class MetricsService:
    """The latest snapshot and its short history, and the verdicts built on them."""

    def __init__(self, cluster: ClusterConfig, source: SnapshotSource | None = None) -> None:
        self.cluster = cluster
        self._source = source
        self.history = MetricsHistory()
        self.polls = 0
        self._reasons: Mapping[str, tuple[str, ...]] = {}  # of the latest snapshot
        self.poll_now: Callable[[], None] = lambda: None  # the poller sets it (``r`` keys)

    # ------------------------------------------------------------------ the source

    @property
    def source(self) -> SnapshotSource:
        """The cluster's metrics endpoints behind one door (built on first use)."""
        if self._source is None:
            from kctui.metrics.sources import MetricsSource

            self._source = MetricsSource(self.cluster)
        return self._source

    @property
    def configured(self) -> bool:
        return bool(self.source.configured)

    @property
    def source_kinds(self) -> tuple[str, ...]:
        """``jolokia``, ``prometheus``, ``jmx``: the kinds of source configured, cheapest first."""
        from kctui.metrics.sources import source_kinds

        return source_kinds(self.cluster)

    def fetch(self, state: ClusterState | None) -> MetricsSnapshot:
        """One snapshot of every worker (blocking: the poller calls it from a thread)."""
        configs = {n: dict(c.config) for n, c in state.connectors.items()} if state else {}
        return self.source.fetch(configs)

    def judge(self, snapshot: MetricsSnapshot) -> Judged:
        """The metric reasons of every connector of ``snapshot``, against the latest one
        (pure; the poller calls it in its thread)."""
        previous = self.latest
        names = set(snapshot.connector_names) | set(snapshot.sink_lag)
        reasons: dict[str, tuple[str, ...]] = {}
        for name in names:
            found = metric_reasons(
                name, snapshot, previous=previous, lag_threshold=self.cluster.lag_threshold
            )
            if found:
                reasons[name] = tuple(found)
        return Judged(snapshot, previous, reasons)

    def add(self, judged: Judged) -> None:
        """Keep a judged snapshot (on the UI thread); series of vanished connectors go. One
        judged against another snapshot than the latest (two polls crossed) is judged again."""
        if judged.previous is not self.latest:
            judged = self.judge(judged.snapshot)
        snapshot = judged.snapshot
        self.polls += 1
        self.history.add(snapshot)
        self.history.forget(set(snapshot.connector_names))
        self._reasons = judged.reasons

    def close(self) -> None:
        if self._source is not None:
            self._source.close()

    # ------------------------------------------------------------------ reading

    @property
    def latest(self) -> MetricsSnapshot | None:
        return self.history.latest

    @property
    def available(self) -> bool:
        return self.latest is not None and self.latest.available

    @property
    def stamp(self) -> object:
        """Changes whenever a verdict may change (the row cache compares it)."""
        return self.history.latest

    def key(self, name: str) -> object:
        """What the metrics say of ``name`` now: a row is judged again only when it changed."""
        return None if self.latest is None else self._reasons.get(name, ())

    def verdict(self, connector: Connector) -> HealthVerdict:
        """The health with the metric rules once metrics exist, else the REST rollup
        (what ``kctui.health.rollup_with_metrics`` says, its reasons worked out once)."""
        verdict = rollup(connector)
        if self.latest is None:
            return verdict
        return with_metric_reasons(verdict, self._reasons.get(connector.name, ()))

    def cells(self, name: str) -> tuple[str, str]:
        """``(records/s, lag)`` texts of a connector for the table ("–" when unknown)."""
        latest = self.latest
        if latest is None:
            return ("–", "–")
        rates = self.history.throughput_rates(name)
        rate = rates[-1] if rates else latest.summary(name).throughput
        return (fmt_rate(rate), fmt_count(latest.lag_of(name)))

    def table_cells(self, names: list[str]) -> dict[str, tuple[str, str]] | None:
        """``(records/s, lag)`` per connector for the table, or None while no metrics exist."""
        if not self.available:
            return None
        return {name: self.cells(name) for name in names}

    def read(self, connector: str | None, state: ClusterState | None) -> MetricsRead:
        """The snapshot, history and verdicts for one connector's screen (or all connectors)."""
        connectors = state.connectors if state is not None else {}
        if connector is not None:
            wanted = {connector: connectors[connector]} if connector in connectors else {}
        else:
            wanted = dict(connectors)
        verdicts = {name: self.verdict(c) for name, c in wanted.items()}
        return MetricsRead(connector, self.latest, self.history, verdicts)
