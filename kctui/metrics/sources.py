"""Every metrics source of a cluster behind one door: JMX, Prometheus and Jolokia.

Each worker may have several sources; a refresh reads ONE per worker, the cheapest that
answers (Jolokia, then Prometheus, then JMX: the order of their cost on a big worker,
see tests/bench/bench_metrics_sources.py), and notes why a preferred one failed. All
of them map onto the same model (:mod:`kctui.metrics.model`), so the metrics screen, the
console's Rec/s and Lag columns, the health rules and triage do not care which answered.
Blocking: call ``fetch()`` from a thread worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

import httpx

from kctui.metrics import jmx
from kctui.metrics.http_sources import fetch_http_worker, make_client
from kctui.metrics.model import MetricsSnapshot, WorkerSnapshot
from kctui.settings import ClusterConfig, MetricsEndpoint

PREFERENCE = ("jolokia", "prometheus", "jmx")


class SnapshotSource(Protocol):
    """Where the console's metrics snapshots come from: :class:`MetricsSource`, or a test's
    fake. ``fetch`` blocks (call it from a thread worker)."""

    @property
    def configured(self) -> bool: ...

    def fetch(
        self,
        configs: Mapping[str, Mapping[str, str]] | None = None,
        connector: str | None = None,
    ) -> MetricsSnapshot: ...

    def close(self) -> None: ...


def source_kinds(cluster: ClusterConfig, source: str | None = None) -> tuple[str, ...]:
    """The kinds of source the cluster's metrics endpoints use, cheapest first."""
    kinds = {e.source for e in cluster.metric_endpoints(source)}
    return tuple(k for k in PREFERENCE if k in kinds)


def deadline_of(cluster: ClusterConfig) -> float:
    return min(max(cluster.timeout, 3.0), 30.0)


def by_worker(
    cluster: ClusterConfig, source: str | None = None
) -> dict[str, list[MetricsEndpoint]]:
    """Each worker's endpoints, cheapest source first (only ``source`` when given)."""
    workers: dict[str, list[MetricsEndpoint]] = {}
    for endpoint in cluster.metric_endpoints(source):
        workers.setdefault(endpoint.worker, []).append(endpoint)
    for endpoints in workers.values():
        endpoints.sort(key=lambda e: PREFERENCE.index(e.source))
    return workers


class MetricsSource:
    """What the console, the metrics screen, triage and ``kctui metrics`` poll."""

    def __init__(
        self,
        cluster: ClusterConfig,
        *,
        source: str | None = None,
        runner: jmx.Runner | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cluster = cluster
        self.source = source
        self._jar = jmx.JarRunner() if runner is None else None
        self.runner: jmx.Runner = runner or self._jar  # type: ignore[assignment]
        self._transport = transport
        self._clients: dict[MetricsEndpoint, httpx.Client] = {}
        self._lock = threading.Lock()
        self._lag_reader: Any = None
        self.clock = clock

    @property
    def configured(self) -> bool:
        return bool(self.cluster.metric_endpoints(self.source))

    def _client(self, endpoint: MetricsEndpoint, timeout: float) -> httpx.Client:
        with self._lock:
            client = self._clients.get(endpoint)
            if client is None:
                client = make_client(endpoint, timeout, transport=self._transport)
                self._clients[endpoint] = client
            return client

    def read(self, endpoint: MetricsEndpoint, connector: str | None = None) -> WorkerSnapshot:
        """One endpoint, once."""
        timeout = deadline_of(self.cluster)
        if endpoint.source == "jmx":
            snapshot = jmx.fetch_worker(
                endpoint, runner=self.runner, timeout=timeout, connector=connector,
                clock=self.clock,
            )  # fmt: skip
            if snapshot.error is not None:
                snapshot = replace(snapshot, error=f"jmx: {snapshot.error}")
            return snapshot
        try:
            client = self._client(endpoint, timeout)
        except Exception as exc:  # noqa: BLE001 - a bad secret/CA is this worker's notice
            return WorkerSnapshot(
                endpoint.worker, endpoint.url, self.clock(),
                error=f"{endpoint.source}: {exc}", source=endpoint.source,
            )  # fmt: skip
        return fetch_http_worker(
            endpoint, client=client, timeout=timeout, connector=connector, clock=self.clock
        )

    def _read_worker(
        self, endpoints: list[MetricsEndpoint], connector: str | None
    ) -> WorkerSnapshot:
        failures: list[str] = []
        snapshot: WorkerSnapshot | None = None
        for endpoint in endpoints:
            snapshot = self.read(endpoint, connector)
            if snapshot.ok:
                break
            failures.append(snapshot.error or "")
        assert snapshot is not None
        if snapshot.ok and failures:
            return replace(snapshot, notes=(*failures, *snapshot.notes))
        if not snapshot.ok and len(failures) > 1:
            return replace(snapshot, error="; ".join(failures))
        return snapshot

    def fetch_raw(self, connector: str | None = None) -> MetricsSnapshot:
        """One snapshot per refresh: each worker read once, in parallel; never raises."""
        plan = by_worker(self.cluster, self.source)
        fetched_at = self.clock()
        if not plan:
            return MetricsSnapshot(workers=(), fetched_at=fetched_at)
        with ThreadPoolExecutor(max_workers=min(8, len(plan))) as pool:
            workers = list(pool.map(lambda e: self._read_worker(e, connector), plan.values()))
        return MetricsSnapshot(workers=tuple(workers), fetched_at=fetched_at)

    def fetch(
        self,
        configs: Mapping[str, Mapping[str, str]] | None = None,
        connector: str | None = None,
    ) -> MetricsSnapshot:
        """All connectors, or only ``connector``; plus sink lag from Kafka when configured."""
        snapshot = self.fetch_raw(connector)
        if self.cluster.kafka is None or not snapshot.available:
            return snapshot
        from kctui.metrics.lag import SinkLagReader

        if self._lag_reader is None:
            self._lag_reader = SinkLagReader(self.cluster.kafka, timeout=self.cluster.timeout)
        result = self._lag_reader.fetch(jmx.sink_groups(snapshot, configs))
        return replace(
            snapshot,
            sink_lag={name: lag.total for name, lag in result.lags.items()},
            lag_error=result.error,
        )

    def close(self) -> None:
        """Kill JMX queries under way, close HTTP clients and the lag reader's Kafka clients."""
        if self._jar is not None:
            self._jar.cancel()
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
        if self._lag_reader is not None:
            self._lag_reader.close()
            self._lag_reader = None
