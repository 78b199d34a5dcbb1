"""Redrive planning, the producer door, the report and the rate limit (no Kafka)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kctui.dlq import redrive
from kctui.dlq.records import KafkaRecord, decode_dead_letter
from kctui.settings import ClusterConfig, KafkaSettings


def dead_letter(offset: int, *, key: bytes | None = b"k", topic: str | None = "orders",
                partition: int | None = 2, extra: tuple = ()) -> Any:  # fmt: skip
    headers: list[tuple[str, bytes | None]] = [("trace-id", b"t-1"), *extra]
    if topic is not None:
        headers.append(("__connect.errors.topic", topic.encode()))
    if partition is not None:
        headers.append(("__connect.errors.partition", str(partition).encode()))
    headers += [("__connect.errors.offset", b"17"), ("__connect.errors.stage", b"VALUE_CONVERTER")]
    return decode_dead_letter(KafkaRecord("orders-dlq", 0, offset, timestamp_ms=1234, key=key,
                                          value=b"v", headers=tuple(headers)))  # fmt: skip


def test_records_go_back_with_their_own_headers_only() -> None:
    plan = redrive.plan("orders-dlq", [dead_letter(5, extra=(("origin", None),))])
    (send,) = plan.sends
    assert (send.topic, send.key, send.value, send.timestamp_ms) == ("orders", b"k", b"v", 1234)
    assert send.headers == (("trace-id", b"t-1"), ("origin", None))
    assert send.partition is None  # a key decides the partition, as it did for the producer
    assert (send.dlq_partition, send.dlq_offset) == (0, 5)


def test_keyless_records_return_to_their_partition_when_the_target_has_it() -> None:
    letters = [dead_letter(1, key=None), dead_letter(2, key=None, partition=9)]
    plan = redrive.plan("orders-dlq", letters, partitions={"orders": 3})
    assert [s.partition for s in plan.sends] == [2, None]


def test_refusals_and_skips_say_why() -> None:
    letters = [dead_letter(1, topic=None), dead_letter(2, topic="other-dlq"),
               dead_letter(3), dead_letter(4)]  # fmt: skip
    plan = redrive.plan("orders-dlq", letters, dlq_topics={"other-dlq"}, already={(0, 3)})
    reasons = {s.dlq_offset: s.reason for s in plan.skips}
    assert "give --to TOPIC" in reasons[1]
    assert "other-dlq is a dead letter queue" in reasons[2]
    assert "redriven before" in reasons[3]
    assert [s.dlq_offset for s in plan.sends] == [4]
    into_itself = redrive.plan("orders-dlq", [dead_letter(5)], to_topic="orders-dlq")
    assert not into_itself.sends
    assert "orders-dlq is a dead letter queue" in into_itself.skips[0].reason


def test_the_producer_door_refuses_read_only_before_any_producer() -> None:
    made: list[dict] = []
    cluster = ClusterConfig("prod", ("http://c:8083",), read_only=True,
                            kafka=KafkaSettings(("k:9092",)))  # fmt: skip
    with pytest.raises(redrive.ReadOnlyRefused, match="read-only: redrive refused"):
        redrive.RecordProducer(cluster, producer_factory=lambda **kw: made.append(kw))
    assert made == []


def test_the_producer_is_idempotent_with_acks_all() -> None:
    made: list[dict] = []
    sent: list[tuple] = []

    class Future:
        def get(self, timeout: float) -> Any:
            return SimpleNamespace(partition=1, offset=41)

    class Producer:
        def __init__(self, **kw: Any) -> None:
            made.append(kw)

        def send(self, topic: str, **kw: Any) -> Future:
            sent.append((topic, kw))
            return Future()

    cluster = ClusterConfig("prod", ("http://c:8083",), kafka=KafkaSettings(("k:9092",)))
    door = redrive.RecordProducer(cluster, producer_factory=Producer)
    (send,) = redrive.plan("orders-dlq", [dead_letter(5, extra=(("empty", None),))]).sends
    assert door.send(send) == (1, 41)
    assert made[0]["acks"] == "all" and made[0]["enable_idempotence"] is True
    topic, kw = sent[0]
    assert topic == "orders" and kw["timestamp_ms"] == 1234 and kw["partition"] is None
    assert kw["headers"] == [("trace-id", b"t-1"), ("empty", b"")]


def test_the_report_remembers_what_went(tmp_path: Path) -> None:
    log = redrive.RedriveLog(tmp_path / "r" / "x.jsonl")
    assert log.already() == set()
    (send,) = redrive.plan("orders-dlq", [dead_letter(5)]).sends
    entry = log.record("orders-dlq", send, (2, 99))
    assert entry["dlq_offset"] == 5 and entry["partition"] == 2 and entry["offset"] == 99
    with log.path.open("a") as out:
        out.write('{"torn": ')  # an interrupted run leaves half a line
    assert log.already() == {(0, 5)}


def test_report_path_is_under_the_state_dir(tmp_path: Path) -> None:
    path = redrive.report_path("prod", "a/b dlq", env={"XDG_STATE_HOME": str(tmp_path)})
    assert path == tmp_path / "kctui" / "redrive" / "prod__a_b_dlq.jsonl"


def test_rate_limit_spaces_calls() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limit = redrive.RateLimit(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limit.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]
    unlimited = redrive.RateLimit(None, clock=lambda: now[0], sleep=sleep)
    unlimited.wait()
    assert len(slept) == 4
