"""The DLQ reader's paging against an in-memory consumer: assign + seek only, nothing committed."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest
from kafka import TopicPartition
from kafka import errors as kerr

from kctui.dlq.reader import (
    BrokerUnreachable,
    DlqReader,
    NoKafkaSettings,
    NotAuthorized,
    ReadCancelled,
    ReadTimeout,
    TopicNotFound,
    dlq_topics_from_configs,
)
from kctui.settings import ClusterConfig, KafkaSettings

Rec = namedtuple("Rec", "topic partition offset timestamp key value headers")
OffsetAndTs = namedtuple("OffsetAndTs", "offset timestamp")


class FakeConsumer:
    """Holds ``{partition: [records]}`` for one topic; fails any group or commit call."""

    def __init__(self, data: dict[int, list[Rec]], begin: dict[int, int] | None = None, **config):
        self.config = config
        self.data = data
        self.begin = begin or {p: 0 for p in data}
        self.positions: dict[TopicPartition, int] = {}
        self.paused: set[TopicPartition] = set()
        self.calls: list[str] = []

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(self.data) if topic == "dlq" else set()

    def beginning_offsets(self, tps: list[TopicPartition], timeout_ms: int) -> dict:
        return {tp: self.begin[tp.partition] for tp in tps}

    def end_offsets(self, tps: list[TopicPartition], timeout_ms: int) -> dict:
        return {tp: self.begin[tp.partition] + len(self.data[tp.partition]) for tp in tps}

    def assign(self, tps: list[TopicPartition]) -> None:
        self.calls.append(f"assign {len(tps)}")
        self.positions = {tp: 0 for tp in tps}
        self.paused = set()

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.calls.append(f"seek {tp.partition} {offset}")
        self.positions[tp] = offset

    def position(self, tp: TopicPartition, timeout_ms: int) -> int:
        return self.positions[tp]

    def pause(self, tp: TopicPartition) -> None:
        self.paused.add(tp)

    def poll(self, timeout_ms: int, max_records: int) -> dict:
        out: dict[TopicPartition, list[Rec]] = {}
        for tp, pos in self.positions.items():
            if tp in self.paused:
                continue
            recs = self.data[tp.partition]
            index = pos - self.begin[tp.partition]
            chunk = recs[index : index + 3]  # small fetches, like a real broker
            if chunk:
                out[tp] = chunk
                self.positions[tp] = chunk[-1].offset + 1
        return out

    def offsets_for_times(self, timestamps: dict, timeout_ms: int) -> dict:
        out: dict[TopicPartition, Any] = {}
        for tp, ts in timestamps.items():
            hit = next((r for r in self.data[tp.partition] if r.timestamp >= ts), None)
            out[tp] = OffsetAndTs(hit.offset, hit.timestamp) if hit else None
        return out

    def close(self, autocommit: bool = True, timeout_ms: int | None = None) -> None:
        self.calls.append(f"close autocommit={autocommit}")

    def __getattr__(self, name: str) -> Any:
        if name == "_cluster":  # the reader peeks at unauthorized_topics; absent is fine
            raise AttributeError(name)
        raise AssertionError(f"the reader must not call consumer.{name}")


def topic_data(partitions: int, per_partition: int, begin: int = 0) -> dict[int, list[Rec]]:
    """Records whose timestamps interleave partitions: ts = offset * partitions + partition."""
    return {
        p: [
            Rec("dlq", p, o, o * partitions + p, None, f"{p}:{o}".encode(), [])
            for o in range(begin, begin + per_partition)
        ]
        for p in range(partitions)
    }


def reader_for(data: dict[int, list[Rec]], begin: dict[int, int] | None = None):
    made: list[FakeConsumer] = []

    def factory(**config: Any) -> FakeConsumer:
        made.append(FakeConsumer(data, begin, **config))
        return made[-1]

    return DlqReader({"bootstrap_servers": ["b:9092"]}, consumer_factory=factory), made


def values(page) -> list[str]:
    return [dl.record.value.decode() for dl in page.dead_letters]


def test_consumer_never_joins_a_group_nor_commits() -> None:
    reader, made = reader_for(topic_data(1, 3))
    reader.newest("dlq", 2)
    config = made[0].config
    assert config["group_id"] is None and config["enable_auto_commit"] is False
    assert config["allow_auto_create_topics"] is False
    reader.close()
    assert made[0].calls[-1] == "close autocommit=False"


def test_newest_seeks_to_end_minus_n_and_merges_by_time() -> None:
    reader, made = reader_for(topic_data(3, 50))
    page = reader.newest("dlq", 4)
    assert values(page) == ["2:49", "1:49", "0:49", "2:48"]
    assert "seek 0 46" in made[0].calls and "seek 2 46" in made[0].calls
    assert not any(c.startswith("seek") and c.endswith(" 0") for c in made[0].calls)
    assert dict((p, (lo, hi)) for p, lo, hi in page.ranges) == {0: (49, 50), 1: (49, 50),
                                                                2: (48, 50)}  # fmt: skip
    assert page.total == 150 and page.has_older and not page.has_newer


def test_paging_backwards_and_forwards_is_contiguous() -> None:
    reader, _ = reader_for(topic_data(2, 10))
    first = reader.newest("dlq", 5)
    second = reader.older(first, 5)
    assert values(first) == ["1:9", "0:9", "1:8", "0:8", "1:7"]
    assert values(second) == ["0:7", "1:6", "0:6", "1:5", "0:5"]
    back = reader.newer(second, 5)
    assert values(back) == values(first)
    seen: list[str] = []
    page = first
    while True:
        seen += values(page)
        if not page.has_older:
            break
        page = reader.older(page, 3)
    assert sorted(seen) == sorted(f"{p}:{o}" for p in range(2) for o in range(10))
    assert len(seen) == len(set(seen))


def test_seek_to_offset_and_to_time() -> None:
    reader, _ = reader_for(topic_data(2, 10))
    assert values(reader.from_offset("dlq", 4, partition=1, limit=3)) == ["1:6", "1:5", "1:4"]
    assert values(reader.from_offset("dlq", 8, limit=10)) == ["1:9", "0:9", "1:8", "0:8"]
    # ts = offset * 2 + partition: 9 is partition 1 offset 4
    assert values(reader.from_time("dlq", 9, limit=3)) == ["1:5", "0:5", "1:4"]
    assert reader.from_time("dlq", 10_000, limit=3).dead_letters == ()


def test_original_record_lookup_and_gone_records() -> None:
    reader, _ = reader_for(topic_data(1, 5, begin=100), begin={0: 100})
    assert reader.record("dlq", 0, 102).value == b"0:102"
    assert reader.record("dlq", 0, 99) is None  # deleted by retention
    assert reader.record("dlq", 0, 105) is None  # not written yet


def test_cancel_stops_a_read() -> None:
    reader, _ = reader_for(topic_data(1, 100))
    with pytest.raises(ReadCancelled, match="cancelled"):
        reader.newest("dlq", 100, cancel=lambda: True)


def test_progress_is_reported() -> None:
    reader, _ = reader_for(topic_data(1, 30))
    seen: list[tuple[int, int]] = []
    reader.newest("dlq", 30, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (30, 30) and len(seen) > 1


def test_missing_topic_is_a_typed_error() -> None:
    reader, _ = reader_for(topic_data(1, 1))
    with pytest.raises(TopicNotFound, match="'other' does not exist"):
        reader.newest("other", 10)
    infos = reader.topic_infos({"dlq": "c1", "other": "c2"})
    assert infos[0].count == 1 and infos[0].error is None
    assert infos[1].error and "does not exist" in infos[1].error


@pytest.mark.parametrize(
    ("exc", "error", "text"),
    [
        (kerr.KafkaTimeoutError("Unable to bootstrap from [...]"), BrokerUnreachable, "b:9092"),
        (kerr.KafkaConnectionError("refused"), BrokerUnreachable, "no Kafka broker reachable"),
        (kerr.TopicAuthorizationFailedError(), NotAuthorized, "DESCRIBE and READ"),
    ],
)
def test_client_errors_become_clear_messages(exc: Exception, error: type, text: str) -> None:
    def factory(**config: Any) -> Any:
        raise exc

    reader = DlqReader({"bootstrap_servers": ["b:9092"]}, consumer_factory=factory)
    with pytest.raises(error, match=text):
        reader.newest("dlq", 1)


def test_cluster_without_kafka_settings() -> None:
    with pytest.raises(NoKafkaSettings, match=r"\[clusters.prod.kafka\]"):
        DlqReader(ClusterConfig(name="prod", urls=("http://x",)))
    cluster = ClusterConfig(name="p", urls=("http://x",), kafka=KafkaSettings(("k:1",)), timeout=3)
    reader = DlqReader(cluster)
    assert reader.timeout == 3 and reader.consumer_config()["bootstrap_servers"] == ["k:1"]


def test_dlq_topics_from_configs() -> None:
    configs = {
        "b": {"errors.deadletterqueue.topic.name": "shared"},
        "a": {"errors.deadletterqueue.topic.name": " shared "},
        "c": {"errors.deadletterqueue.topic.name": ""},
        "d": {"topics": "x"},
        "e": {"errors.deadletterqueue.topic.name": "e-dlq"},
    }
    assert dlq_topics_from_configs(configs) == {"e-dlq": "e", "shared": "a, b"}


def test_library_and_command_import_neither_textual_nor_kafka() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kctui.dlq.records, kctui.dlq.reader, kctui.dlq.export, kctui.commands.dlq;"
        "print(sorted(m for m in ('textual', 'kafka') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_unauthorised_topic_is_named_as_such() -> None:
    reader, made = reader_for(topic_data(1, 1))
    reader.bounds("dlq")  # connect
    made[0].__dict__["_cluster"] = namedtuple("Cluster", "unauthorized_topics")({"secret-dlq"})
    with pytest.raises(NotAuthorized, match="not authorised to describe topic 'secret-dlq'"):
        reader.newest("secret-dlq", 5)


def test_a_broker_that_stops_sending_times_out() -> None:
    class Stalled(FakeConsumer):
        def poll(self, timeout_ms: int, max_records: int) -> dict:
            return {}

    reader = DlqReader({"bootstrap_servers": ["b:9092"]}, timeout=0.3,
                       consumer_factory=lambda **c: Stalled(topic_data(1, 10), **c))  # fmt: skip
    with pytest.raises(ReadTimeout, match=r"no records from 'dlq' for 0.3s \(0 of 5 read\)"):
        reader.newest("dlq", 5)
