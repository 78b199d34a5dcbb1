"""Sink connector lag from Kafka itself: log end offsets minus the group's committed offsets.

Kafka Connect documents ``sink-record-lag-max`` but recent workers (seen on 4.3) do not
register it, so when the cluster has Kafka settings kctui asks the brokers: one
OffsetFetch for all sink groups (``connect-<name>`` unless the connector overrides
``consumer.override.group.id``) and one ListOffsets for their partitions. Read-only: no
group is joined, nothing is committed. Blocking (kafka-python): call from a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kctui.settings import KafkaSettings

GROUP_OVERRIDE_KEY = "consumer.override.group.id"


def sink_group(name: str, config: Mapping[str, str] | None = None) -> str:
    """The consumer group of a sink connector."""
    override = (config or {}).get(GROUP_OVERRIDE_KEY, "").strip()
    return override or f"connect-{name}"


@dataclass(frozen=True)
class SinkLag:
    """One sink connector's lag per partition ((topic, partition) -> records behind)."""

    connector: str
    group: str
    partitions: Mapping[tuple[str, int], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.partitions.values())

    @property
    def max(self) -> int:
        return max(self.partitions.values(), default=0)


@dataclass(frozen=True)
class LagResult:
    lags: Mapping[str, SinkLag] = field(default_factory=dict)
    error: str | None = None


def compute_lags(
    groups: Mapping[str, str],
    committed: Mapping[str, Mapping[tuple[str, int], int]],
    end_offsets: Mapping[tuple[str, int], int],
) -> dict[str, SinkLag]:
    """Pure part: per connector, end offset minus committed offset (never below 0).

    A group without committed offsets (a task that never ran) is left out: unknown lag.
    """
    lags = {}
    for connector, group in groups.items():
        partitions = {
            tp: max(0, end_offsets[tp] - offset)
            for tp, offset in committed.get(group, {}).items()
            if tp in end_offsets and offset >= 0
        }
        if partitions:  # no committed offset yet: the lag is unknown, not zero
            lags[connector] = SinkLag(connector, group, partitions)
    return lags


class SinkLagReader:
    """Keeps one admin client and one group-less consumer across refreshes."""

    def __init__(
        self,
        kafka: KafkaSettings,
        *,
        timeout: float = 10.0,
        admin_factory: Callable[..., Any] | None = None,
        consumer_factory: Callable[..., Any] | None = None,
    ) -> None:
        self.kafka = kafka
        self.timeout = timeout
        self._admin_factory = admin_factory
        self._consumer_factory = consumer_factory
        self._admin: Any = None
        self._consumer: Any = None

    def _clients(self) -> tuple[Any, Any]:
        kwargs = self.kafka.client_kwargs()
        timeout_ms = int(self.timeout * 1000)
        if self._admin is None:
            factory = self._admin_factory
            if factory is None:
                from kafka import KafkaAdminClient

                factory = KafkaAdminClient
            self._admin = factory(
                **kwargs, client_id="kctui-lag", request_timeout_ms=max(timeout_ms, 5000)
            )
        if self._consumer is None:
            factory = self._consumer_factory
            if factory is None:
                from kafka import KafkaConsumer

                factory = KafkaConsumer
            self._consumer = factory(
                **kwargs,
                group_id=None,
                enable_auto_commit=False,
                client_id="kctui-lag",
                request_timeout_ms=max(timeout_ms, 5000),
            )
        return self._admin, self._consumer

    def fetch(self, groups: Mapping[str, str]) -> LagResult:
        """Lag of every connector in ``groups`` (connector -> group); errors become text."""
        if not groups:
            return LagResult()
        try:
            admin, consumer = self._clients()
            raw = admin.list_group_offsets(sorted(set(groups.values())))
            committed = {
                group: {
                    (tp.topic, tp.partition): int(meta.offset)
                    for tp, meta in offsets.items()
                    if meta is not None
                }
                for group, offsets in raw.items()
            }
            from kafka import TopicPartition

            partitions = [
                TopicPartition(topic, partition)
                for offsets in committed.values()
                for topic, partition in offsets
            ]
            for topic in sorted({tp.topic for tp in partitions}):
                # kafka-python's end_offsets raises KeyError for a topic missing from
                # its metadata cache (a sink added since the last refresh): load it.
                consumer.partitions_for_topic(topic)
            ends = consumer.end_offsets(partitions) if partitions else {}
            end_offsets = {(tp.topic, tp.partition): int(v) for tp, v in ends.items()}
        except Exception as exc:  # noqa: BLE001 - lag is optional; say why it is missing
            self.close()
            servers = ", ".join(self.kafka.bootstrap_servers)
            return LagResult(error=f"sink lag from {servers}: {type(exc).__name__}: {exc}")
        return LagResult(compute_lags(groups, committed, end_offsets))

    def close(self) -> None:
        for client in (self._consumer, self._admin):
            if client is not None:
                try:
                    client.close()
                except Exception:  # noqa: BLE001 - closing must not fail the caller
                    pass
        self._admin = self._consumer = None
