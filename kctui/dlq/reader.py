"""Read dead-letter topics without leaving a trace: no consumer group, no commits.

The consumer is created with ``group_id=None`` and ``enable_auto_commit=False`` and only
ever uses ``assign`` + ``seek`` (never ``subscribe``), so the broker sees no group and no
committed offsets. Pages are read by seeking each partition to a computed offset (the
newest N: ``end - N``), never by scanning a topic from its beginning. kafka-python is
blocking: call these methods from a thread (the UI uses a thread worker).
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Unpack

from kctui.dlq.errors import (
    BrokerUnreachable,
    DlqError,
    NoKafkaSettings,
    NotAuthorized,
    ReadCancelled,
    ReadTimeout,
    TopicNotFound,
    broker_failure,
)
from kctui.dlq.pages import DLQ_TOPIC_KEY, Page, TopicInfo, dlq_topics_from_configs
from kctui.dlq.protocol import CancelCheck, Progress, ReadOptions
from kctui.dlq.records import KafkaRecord, decode_dead_letter
from kctui.dlq.registry import PayloadDecoder, decoder_for
from kctui.settings import ClusterConfig, KafkaSettings

__all__ = [
    "DLQ_TOPIC_KEY", "BrokerUnreachable", "DlqError", "DlqReader", "NoKafkaSettings",
    "NotAuthorized", "Page", "ReadCancelled", "ReadTimeout", "TopicInfo", "TopicNotFound",
    "dlq_topics_from_configs",
]  # fmt: skip


def _settings_of(source: ClusterConfig | KafkaSettings | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, ClusterConfig):
        if source.kafka is None:
            raise NoKafkaSettings(
                f"cluster '{source.name}' has no Kafka settings: add a "
                f"[clusters.{source.name}.kafka] section with bootstrap_servers "
                "to read dead-letter topics"
            )
        return source.kafka.client_kwargs()
    if isinstance(source, KafkaSettings):
        return source.client_kwargs()
    return dict(source)


class DlqReader:
    """Browse DLQ topics page by page; every public method is blocking and thread-safe."""

    def __init__(
        self,
        source: ClusterConfig | KafkaSettings | Mapping[str, Any],
        *,
        timeout: float | None = None,
        consumer_factory: Callable[..., Any] | None = None,
        decoder: PayloadDecoder | None = None,
    ) -> None:
        self._kwargs = _settings_of(source)
        self._settings = source.kafka if isinstance(source, ClusterConfig) else source
        self._cluster_name = source.name if isinstance(source, ClusterConfig) else None
        if decoder is None:
            registry = source.schema_registry if isinstance(source, ClusterConfig) else None
            decoder = decoder_for(registry)
        self.decoder = decoder
        if timeout is None:
            timeout = source.timeout if isinstance(source, ClusterConfig) else 10.0
        self.timeout = float(timeout)
        self._factory = consumer_factory
        self._consumer: Any = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ plumbing

    def consumer_config(self) -> dict[str, Any]:
        """The exact kafka-python settings used (secrets included; do not log)."""
        timeout_ms = int(self.timeout * 1000)
        return {
            **self._kwargs,
            "group_id": None,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "allow_auto_create_topics": False,
            "client_id": "kctui-dlq",
            "bootstrap_timeout_ms": timeout_ms,
            "request_timeout_ms": max(timeout_ms, 5000),
            "max_poll_records": 2000,
            "check_crcs": False,  # the broker checked them; librdkafka (kcat) skips them too
        }

    def _client(self) -> Any:
        if self._consumer is None:
            factory = self._factory
            if factory is None:
                from kafka import KafkaConsumer

                factory = KafkaConsumer
            with self._translate(None):
                self._consumer = factory(**self.consumer_config())
        return self._consumer

    @contextmanager
    def _translate(self, topic: str | None) -> Iterator[None]:
        """Turn kafka-python exceptions into kctui errors with a message a user can act on."""
        from kafka import errors as kerr

        servers = ", ".join(self._kwargs.get("bootstrap_servers") or []) or "(none)"
        what = f"topic '{topic}'" if topic else "the cluster"
        try:
            yield
        except DlqError:
            raise
        except (kerr.AuthorizationError, kerr.SaslAuthenticationFailedError) as exc:
            raise NotAuthorized(
                f"not authorised to read {what} on {servers}: {type(exc).__name__} "
                "(the principal needs DESCRIBE and READ on the topic; no group ACL is needed)"
            ) from exc
        except kerr.UnknownTopicOrPartitionError as exc:
            raise TopicNotFound(f"{what} does not exist on {servers}") from exc
        except (getattr(kerr, "NoBrokersAvailable", kerr.KafkaConnectionError),
                kerr.KafkaConnectionError) as exc:  # fmt: skip
            raise self._unusable(f"no Kafka broker reachable at {servers}: {exc}") from exc
        except kerr.KafkaTimeoutError as exc:
            text = str(exc)
            if "bootstrap" in text.lower():
                raise self._unusable(
                    f"no Kafka broker reachable at {servers} within {self.timeout:g}s"
                ) from exc
            raise ReadTimeout(f"timed out after {self.timeout:g}s reading {what}: {text}") from exc
        except kerr.KafkaError as exc:
            raise DlqError(f"Kafka error reading {what}: {type(exc).__name__}: {exc}") from exc
        except OSError as exc:  # unreadable CA/cert file, TLS failure
            raise DlqError(f"cannot connect to {servers}: {exc}") from exc

    def _unusable(self, fallback: str) -> DlqError:
        """Why the brokers could not be used, found by connecting step by step."""
        return broker_failure(
            self._kwargs, self._settings, self._cluster_name, fallback,
            timeout=self.timeout, probe=self._factory is None,
        )  # fmt: skip

    def close(self) -> None:
        with self._lock:
            if self._consumer is not None:
                try:
                    self._consumer.close(autocommit=False, timeout_ms=2000)
                except Exception:  # noqa: BLE001 - closing must not fail the caller
                    pass
                self._consumer = None
        self.decoder.close()

    def decode(self, record: KafkaRecord) -> KafkaRecord:
        """The record with its wire-format key and value decoded (the same record if neither)."""
        key, value = self.decoder.decode(record.key), self.decoder.decode(record.value)
        if key is None and value is None:
            return record
        return replace(record, decoded_key=key, decoded_value=value)

    def __enter__(self) -> DlqReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ metadata

    def partitions(self, topic: str) -> list[int]:
        with self._lock, self._translate(topic):
            consumer = self._client()
            found = consumer.partitions_for_topic(topic)
            if not found:
                cluster = getattr(consumer, "_cluster", None)
                if topic in getattr(cluster, "unauthorized_topics", ()):
                    raise NotAuthorized(f"not authorised to describe topic '{topic}'")
                raise TopicNotFound(f"topic '{topic}' does not exist")
            return sorted(found)

    def bounds(self, topic: str) -> dict[int, tuple[int, int]]:
        """Beginning and end offset of every partition of ``topic``."""
        from kafka import TopicPartition

        with self._lock, self._translate(topic):
            tps = [TopicPartition(topic, p) for p in self.partitions(topic)]
            consumer = self._client()
            timeout_ms = int(self.timeout * 1000)
            begins = consumer.beginning_offsets(tps, timeout_ms=timeout_ms)
            ends = consumer.end_offsets(tps, timeout_ms=timeout_ms)
            return {tp.partition: (int(begins[tp]), int(ends[tp])) for tp in tps}

    def topic_infos(self, dlq_topics: Mapping[str, str]) -> list[TopicInfo]:
        """Each DLQ topic with its record count; a failing topic carries its error instead."""
        infos = []
        for topic, connector in dlq_topics.items():
            try:
                bounds = self.bounds(topic)
            except (TopicNotFound, NotAuthorized) as exc:
                infos.append(TopicInfo(topic, connector, error=str(exc)))
                continue
            flat = tuple((p, b, e) for p, (b, e) in sorted(bounds.items()))
            infos.append(TopicInfo(topic, connector, flat))
        return infos

    # ------------------------------------------------------------------ reading

    def _read(
        self,
        topic: str,
        ranges: Mapping[int, tuple[int, int]],
        cancel: CancelCheck | None,
        progress: Progress | None,
    ) -> dict[int, list[KafkaRecord]]:
        """Records in ``[low, high)`` per partition, by assign + seek + poll; nothing committed."""
        from kafka import TopicPartition

        wanted = {TopicPartition(topic, p): r for p, r in ranges.items() if r[0] < r[1]}
        out: dict[int, list[KafkaRecord]] = {p: [] for p in ranges}
        if not wanted:
            return out
        consumer = self._client()
        consumer.assign(list(wanted))
        for tp, (low, _high) in wanted.items():
            consumer.seek(tp, low)
        expected = sum(high - low for low, high in wanted.values())
        remaining = set(wanted)
        seen = 0
        deadline = time.monotonic() + self.timeout
        try:
            while remaining:
                if cancel is not None and cancel():
                    raise ReadCancelled(f"read of '{topic}' cancelled after {seen} records")
                batch = consumer.poll(timeout_ms=200, max_records=2000)
                if batch:
                    deadline = time.monotonic() + self.timeout
                for tp, records in batch.items():
                    high = wanted.get(tp, (0, 0))[1]
                    bucket = out.setdefault(tp.partition, [])
                    for rec in records:
                        if rec.offset < high:
                            bucket.append(KafkaRecord.from_consumer_record(rec))
                            seen += 1
                for tp in list(remaining):
                    position = consumer.position(tp, timeout_ms=int(self.timeout * 1000))
                    if position is not None and position >= wanted[tp][1]:
                        remaining.discard(tp)
                        consumer.pause(tp)
                if progress is not None:
                    progress(min(seen, expected), expected)
                if remaining and time.monotonic() > deadline:
                    raise ReadTimeout(
                        f"no records from '{topic}' for {self.timeout:g}s "
                        f"({seen} of {expected} read)"
                    )
        finally:
            consumer.assign([])
        return out

    def _page(
        self,
        topic: str,
        cursors: Mapping[int, int],
        limit: int,
        *,
        backwards: bool,
        cancel: CancelCheck | None = None,
        progress: Progress | None = None,
    ) -> Page:
        """Up to ``limit`` records older than (or from) each partition's cursor, merged by time."""
        limit = max(1, int(limit))
        with self._lock, self._translate(topic):
            bounds = self.bounds(topic)
            ranges: dict[int, tuple[int, int]] = {}
            for p, cursor in cursors.items():
                if p not in bounds:
                    raise DlqError(f"topic '{topic}' has no partition {p}")
                begin, end = bounds[p]
                cursor = min(max(cursor, begin), end)
                if backwards:
                    ranges[p] = (max(begin, cursor - limit), cursor)
                else:
                    ranges[p] = (cursor, min(end, cursor + limit))
            read = self._read(topic, ranges, cancel, progress)
        chosen = _merge(read, limit, newest_first=backwards)
        page_ranges = []
        for p, (low, high) in sorted(ranges.items()):
            mine = [r.offset for r in chosen if r.partition == p]
            if backwards:
                low = min(mine) if mine else high
            else:
                high = max(mine) + 1 if mine else low
            page_ranges.append((p, low, high))
        if not backwards:  # display newest first; the merge keeps each partition in offset order
            chosen.reverse()
        return Page(
            topic=topic,
            dead_letters=tuple(decode_dead_letter(self.decode(r)) for r in chosen),
            ranges=tuple(page_ranges),
            bounds=tuple((p, b, e) for p, (b, e) in sorted(bounds.items()) if p in cursors),
        )

    def newest(self, topic: str, limit: int = 100, **options: Unpack[ReadOptions]) -> Page:
        """The newest ``limit`` dead letters: each partition is read from ``end - limit``."""
        ends = {p: end for p, (_, end) in self.bounds(topic).items()}
        return self._page(topic, ends, limit, backwards=True, **options)

    def older(self, page: Page, limit: int = 100, **options: Unpack[ReadOptions]) -> Page:
        lows = {p: low for p, low, _ in page.ranges}
        return self._page(page.topic, lows, limit, backwards=True, **options)

    def newer(self, page: Page, limit: int = 100, **options: Unpack[ReadOptions]) -> Page:
        highs = {p: high for p, _, high in page.ranges}
        return self._page(page.topic, highs, limit, backwards=False, **options)

    def from_offset(
        self,
        topic: str,
        offset: int,
        partition: int | None = None,
        limit: int = 100,
        **options: Unpack[ReadOptions],
    ) -> Page:
        """Records from ``offset`` on, in one partition or (partition None) in each partition."""
        parts = [partition] if partition is not None else self.partitions(topic)
        cursors = {p: int(offset) for p in parts}
        return self._page(topic, cursors, limit, backwards=False, **options)

    def from_time(
        self, topic: str, timestamp_ms: int, limit: int = 100, **options: Unpack[ReadOptions]
    ) -> Page:
        """Records from the first one at or after ``timestamp_ms`` (``offsets_for_times``)."""
        from kafka import TopicPartition

        if timestamp_ms < 0:
            raise DlqError(f"timestamp must not be negative, got {timestamp_ms}")
        with self._lock, self._translate(topic):
            bounds = self.bounds(topic)
            tps = {TopicPartition(topic, p): int(timestamp_ms) for p in bounds}
            found = self._client().offsets_for_times(tps, timeout_ms=int(self.timeout * 1000))
            cursors = {}
            for tp in tps:
                hit = found.get(tp)
                cursors[tp.partition] = hit.offset if hit is not None else bounds[tp.partition][1]
        return self._page(topic, cursors, limit, backwards=False, **options)

    def record(self, topic: str, partition: int, offset: int) -> KafkaRecord | None:
        """One record by coordinates (the original of a dead letter); None when it is gone."""
        with self._lock, self._translate(topic):
            bounds = self.bounds(topic)
            if partition not in bounds:
                raise DlqError(f"topic '{topic}' has no partition {partition}")
            begin, end = bounds[partition]
            if not begin <= offset < end:
                return None
            read = self._read(topic, {partition: (offset, offset + 1)}, None, None)
        found = next((r for r in read.get(partition, []) if r.offset == offset), None)
        return self.decode(found) if found is not None else None


def _time_key(record: KafkaRecord) -> tuple[int, int, int]:
    ts = record.timestamp_ms if record.timestamp_ms is not None else -1
    return (ts, record.offset, -record.partition)


def _merge(
    read: Mapping[int, list[KafkaRecord]], limit: int, *, newest_first: bool
) -> list[KafkaRecord]:
    """Take ``limit`` records across partitions by time while keeping each partition contiguous.

    Newest first walks each partition from its highest offset down; otherwise from its
    lowest offset up. Only the head of each partition competes, so what is taken from a
    partition is always an offset range even when timestamps are out of order.
    """
    queues = {
        p: sorted(recs, key=lambda r: r.offset, reverse=newest_first) for p, recs in read.items()
    }
    sign = -1 if newest_first else 1
    heap: list[tuple[int, int, int, int]] = []
    for p, recs in queues.items():
        if recs:
            ts, _, _ = _time_key(recs[0])
            heap.append((sign * ts, p, 0, sign * recs[0].offset))
    heapq.heapify(heap)
    taken: list[KafkaRecord] = []
    while heap and len(taken) < limit:
        _, p, i, _ = heapq.heappop(heap)
        taken.append(queues[p][i])
        if i + 1 < len(queues[p]):
            nxt = queues[p][i + 1]
            heapq.heappush(heap, (sign * _time_key(nxt)[0], p, i + 1, sign * nxt.offset))
    return taken
