"""Redrive: dead letters produced again to the topic they came from, once their cause is fixed.

:func:`plan` decides, purely, what each dead letter becomes: its original key, value and
timestamp, its own headers without any ``__connect.errors.*`` header, sent to the topic
named in ``__connect.errors.topic`` (or ``--to``); a keyless record goes back to its
original partition when the target has it, a keyed one is placed by the key as the
original producer's default partitioner did. :class:`RecordProducer` is the one door
through which kctui produces to Kafka: it refuses in read-only mode before any producer
exists. :class:`RedriveLog` keeps what was sent (JSON Lines under the XDG state dir), so
a second run can tell which records went already. The DLQ itself is never changed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kctui.dlq.errors import DlqError
from kctui.dlq.records import HEADER_PREFIX, DeadLetter, Header
from kctui.settings import ClusterConfig, xdg_dir


class ReadOnlyRefused(DlqError):
    """Producing was refused because the cluster is read-only (nothing was sent)."""


@dataclass(frozen=True)
class Send:
    """One record to produce, and the dead letter it comes from."""

    dlq_partition: int
    dlq_offset: int
    topic: str
    partition: int | None  # None: the key decides (the producer's partitioner)
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None
    headers: tuple[Header, ...]


@dataclass(frozen=True)
class Skip:
    dlq_partition: int
    dlq_offset: int
    reason: str


@dataclass(frozen=True)
class Plan:
    dlq_topic: str
    sends: tuple[Send, ...]
    skips: tuple[Skip, ...]

    @property
    def targets(self) -> dict[str, int]:
        """Records per target topic."""
        counts: dict[str, int] = {}
        for send in self.sends:
            counts[send.topic] = counts.get(send.topic, 0) + 1
        return counts


def plan(
    dlq_topic: str,
    dead_letters: Iterable[DeadLetter],
    *,
    to_topic: str | None = None,
    dlq_topics: Iterable[str] = (),
    partitions: Mapping[str, int] | None = None,
    already: set[tuple[int, int]] | None = None,
) -> Plan:
    """What redriving ``dead_letters`` of ``dlq_topic`` sends and skips (and why).

    ``dlq_topics`` are every DLQ topic of the cluster (never a target); ``partitions`` the
    partition count of known targets; ``already`` the (partition, offset) pairs of
    ``dlq_topic`` redriven before, which are skipped."""
    forbidden = {dlq_topic, *dlq_topics}
    sends: list[Send] = []
    skips: list[Skip] = []
    for dl in dead_letters:
        rec = dl.record
        where = (rec.partition, rec.offset)
        target = to_topic or dl.original_topic
        if already and where in already:
            skips.append(Skip(*where, "redriven before (see the redrive report)"))
            continue
        if not target:
            skips.append(Skip(*where, "no __connect.errors.topic header: give --to TOPIC"))
            continue
        if target in forbidden:
            skips.append(Skip(*where, f"{target} is a dead letter queue: refusing to write to it"))
            continue
        partition = None
        count = (partitions or {}).get(target)
        original = dl.original_partition
        if rec.key is None and original is not None and (count is None or original < count):
            partition = original
        headers = tuple((k, v) for k, v in dl.other_headers if not k.startswith(HEADER_PREFIX))
        sends.append(Send(rec.partition, rec.offset, target, partition, rec.key, rec.value,
                          rec.timestamp_ms, headers))  # fmt: skip
    return Plan(dlq_topic, tuple(sends), tuple(skips))


# --------------------------------------------------------------------------- the producer door


class RecordProducer:
    """Every record kctui produces goes through here: idempotent, acks=all, and refused in
    read-only mode before a producer is created."""

    def __init__(
        self, cluster: ClusterConfig, *, producer_factory: Callable[..., Any] | None = None
    ) -> None:
        if cluster.read_only:
            raise ReadOnlyRefused(
                f"cluster '{cluster.name}' is read-only: redrive refused, nothing was sent"
            )
        if cluster.kafka is None:
            from kctui.dlq.errors import NoKafkaSettings

            raise NoKafkaSettings(f"cluster '{cluster.name}' has no [kafka] settings")
        factory = producer_factory
        if factory is None:
            from kafka import KafkaProducer

            factory = KafkaProducer
        self._producer = factory(
            **cluster.kafka.client_kwargs(),
            acks="all",
            enable_idempotence=True,
            client_id="kctui-redrive",
            linger_ms=5,
        )

    def send(self, item: Send, timeout: float = 30.0) -> tuple[int, int]:
        """Produce one record and wait for it: (partition, offset) where it landed."""
        future = self._producer.send(
            item.topic,
            key=item.key,
            value=item.value,
            partition=item.partition,
            timestamp_ms=item.timestamp_ms,
            headers=[(k, v if v is not None else b"") for k, v in item.headers],
        )
        meta = future.get(timeout=timeout)
        return int(meta.partition), int(meta.offset)

    def close(self) -> None:
        self._producer.close(timeout=10)


@dataclass(frozen=True)
class Outcome:
    """What happened to one planned send: where it landed, or why it failed."""

    send: Send
    landed: tuple[int, int] | None = None
    error: str | None = None

    def line(self, dlq_topic: str) -> str:
        source = f"{dlq_topic} {self.send.dlq_partition}@{self.send.dlq_offset}"
        if self.landed is None:
            return f"FAILED {source} -> {target_text(self.send)}: {self.error}"
        return f"{source} -> {self.send.topic} {self.landed[0]}@{self.landed[1]}"


def target_text(send: Send) -> str:
    if send.partition is None:
        return f"{send.topic} (by key)"
    return f"{send.topic}/{send.partition}"


def execute(
    plan: Plan,
    producer: RecordProducer,
    log: RedriveLog,
    *,
    rate: RateLimit | None = None,
    on_each: Callable[[Outcome], object] = lambda outcome: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[Outcome]:
    """Send every planned record in order, recording each success in ``log``; a failure is
    reported and the rest still go."""
    outcomes = []
    for send in plan.sends:
        if cancelled():
            break
        if rate is not None:
            rate.wait()
        try:
            landed = producer.send(send)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, the rest go on
            outcome = Outcome(send, error=f"{type(exc).__name__}: {exc}")
        else:
            log.record(plan.dlq_topic, send, landed)
            outcome = Outcome(send, landed)
        outcomes.append(outcome)
        on_each(outcome)
    return outcomes


# --------------------------------------------------------------------------- the report


def report_path(cluster: str, dlq_topic: str, env: Mapping[str, str] | None = None) -> Path:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in f"{cluster}__{dlq_topic}")
    return xdg_dir("state", env) / "kctui" / "redrive" / f"{safe}.jsonl"


class RedriveLog:
    """What was redriven from one DLQ topic, one JSON line a record (appended, never rewritten)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def already(self) -> set[tuple[int, int]]:
        """(partition, offset) pairs of the DLQ topic sent before."""
        done: set[tuple[int, int]] = set()
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return done
        for line in lines:
            try:
                entry = json.loads(line)
                done.add((int(entry["dlq_partition"]), int(entry["dlq_offset"])))
            except (ValueError, KeyError, TypeError):
                continue  # a torn line from an interrupted run
        return done

    def record(self, dlq_topic: str, item: Send, landed: tuple[int, int]) -> dict[str, Any]:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "dlq_topic": dlq_topic,
            "dlq_partition": item.dlq_partition,
            "dlq_offset": item.dlq_offset,
            "topic": item.topic,
            "partition": landed[0],
            "offset": landed[1],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
        return entry


class RateLimit:
    """At most ``per_second`` calls a second (None: no limit), by sleeping between them."""

    def __init__(self, per_second: float | None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.interval = 1.0 / per_second if per_second else 0.0
        self.clock, self.sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def sink_warnings(target_topics: Iterable[str], state: Any) -> list[str]:
    """Sinks reading a target topic that are still FAILED (their dead letters would come back)."""
    warnings = []
    targets = set(target_topics)
    for name, connector in sorted(state.connectors.items()):
        topics = {t.strip() for t in connector.config.get("topics", "").split(",") if t.strip()}
        read = sorted(targets & topics)
        if not read:
            continue
        failed = connector.state == "FAILED" or any(t.state == "FAILED" for t in connector.tasks)
        if failed:
            warnings.append(f"sink {name} reading {', '.join(read)} is still FAILED: fix it "
                            "first, or the records may fail again")  # fmt: skip
    return warnings


def fetch_state(cluster: ClusterConfig) -> tuple[Any, str | None]:
    """The cluster's connectors (for DLQ topics and sink states), or None and why not.
    Blocking: call it from a thread or the CLI."""
    import asyncio

    from kctui.connect.client import ConnectClient
    from kctui.errors import KctuiError

    async def fetch() -> Any:
        async with ConnectClient(cluster) as client:
            return await client.cluster_state()

    try:
        return asyncio.run(fetch()), None
    except KctuiError as exc:
        return None, str(exc)


def checks(cluster: ClusterConfig, dlq_topic: str) -> tuple[set[str], Any, list[str]]:
    """DLQ topics of the cluster (never targets), its state, and warnings about what could
    not be checked."""
    state, why = fetch_state(cluster)
    if state is None:
        return set(), None, [f"cannot read the cluster's connectors ({why}): DLQ topics other "
                             f"than {dlq_topic} and sink states are not checked"]  # fmt: skip
    return {c.dlq_topic for c in state.connectors.values() if c.dlq_topic}, state, []
