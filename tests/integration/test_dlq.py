"""The DLQ reader against the sandbox's real DLQ, written by the real Connect runtime.

``demo-dlq-sink`` (JsonConverter, errors.tolerance=all, context headers on) sends every
non-JSON record of ``demo-orders`` to ``demo-orders-dlq``. Browsing must leave no consumer
group and no committed offset behind.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka.admin import KafkaAdminClient

from kctui.dlq.reader import BrokerUnreachable, DlqReader, TopicNotFound
from kctui.settings import ClusterConfig
from tests import polling
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration

DLQ = "demo-orders-dlq"
ORIGINAL = "demo-orders"
DATA_EXCEPTION = "org.apache.kafka.connect.errors.DataException"


@pytest.fixture(scope="module")
def reader(sandbox_cluster: ClusterConfig) -> Iterator[DlqReader]:
    with DlqReader(sandbox_cluster) as dlq_reader:
        polling.wait_until(
            lambda: sum(e - b for b, e in dlq_reader.bounds(DLQ).values()) >= 50,
            timeout=90,
            interval=0.5,
            what="the sandbox DLQ to hold 50 dead letters",
        )
        yield dlq_reader


@pytest.fixture(scope="module")
def admin(sandbox_cluster: ClusterConfig) -> Iterator[KafkaAdminClient]:
    assert sandbox_cluster.kafka is not None
    client = KafkaAdminClient(**sandbox_cluster.kafka.client_kwargs(), client_id="kctui-test-dlq")
    yield client
    client.close()


def group_ids(admin: KafkaAdminClient) -> set[str]:
    """Every group the broker knows (kafka-python 3 calls list_consumer_groups list_groups)."""
    lister = getattr(admin, "list_groups", None) or admin.list_consumer_groups
    return {g["group_id"] if isinstance(g, dict) else g[0] for g in lister()}


def kctui(args: list[str], config: Path) -> subprocess.CompletedProcess[str]:
    return run_kctui(*args, config=config)


@pytest.fixture(scope="module")
def config_file(sandbox_config_file: Path) -> Path:
    return sandbox_config_file


def test_real_dead_letters_decode_to_their_original_records(reader: DlqReader) -> None:
    page = reader.newest(DLQ, 40)
    assert len(page.dead_letters) == 40
    offsets = [dl.record.offset for dl in page.dead_letters]
    assert offsets == sorted(offsets, reverse=True)  # newest first (one partition)
    for dl in page.dead_letters:
        assert dl.original_topic == ORIGINAL
        assert dl.original_partition in (0, 1, 2)
        assert dl.original_offset is not None and dl.original_offset >= 0
        assert dl.connector == "demo-dlq-sink" and dl.task_id is not None
        assert dl.stage == "VALUE_CONVERTER"
        assert dl.exception_class == DATA_EXCEPTION
        assert dl.stacktrace and dl.stacktrace.startswith(DATA_EXCEPTION)
        assert dl.class_name == "org.apache.kafka.connect.json.JsonConverter"
    # the coordinates are right: the record found there is byte for byte the dead letter
    for dl in page.dead_letters[:8]:
        assert dl.original_partition is not None and dl.original_offset is not None
        original = reader.record(ORIGINAL, dl.original_partition, dl.original_offset)
        assert original is not None
        assert original.value == dl.record.value and original.key == dl.record.key
        assert original.headers == dl.other_headers  # its own headers, before Connect's


def test_seek_by_offset_and_by_time(reader: DlqReader) -> None:
    (partition,) = reader.partitions(DLQ)
    page = reader.from_offset(DLQ, 5, partition, limit=3)
    assert [dl.record.offset for dl in page.dead_letters] == [7, 6, 5]
    everything = reader.from_offset(DLQ, 0, partition, limit=100_000)
    by_offset = {dl.record.offset: dl.record.timestamp_ms for dl in everything.dead_letters}
    assert len(by_offset) == everything.total
    middle = sorted(by_offset)[len(by_offset) // 2]
    when = by_offset[middle]
    assert when is not None
    expected_first = min(o for o, ts in by_offset.items() if ts is not None and ts >= when)
    timed = reader.from_time(DLQ, when, limit=5)
    assert min(dl.record.offset for dl in timed.dead_letters) == expected_first
    # A dead letter keeps its original record's timestamp, so timestamps in a DLQ are not
    # ordered by offset: seeking by time means Kafka's "first offset at or after T", and the
    # page runs on from there in offset order (later records may be older).
    offsets = sorted(dl.record.offset for dl in timed.dead_letters)
    assert offsets == list(range(expected_first, expected_first + len(offsets)))
    assert len(offsets) == min(5, everything.total - expected_first)
    older = reader.older(reader.newest(DLQ, 10), 10)
    assert max(dl.record.offset for dl in older.dead_letters) == everything.total - 11


def test_browsing_leaves_no_consumer_group(
    reader: DlqReader, admin: KafkaAdminClient, config_file: Path
) -> None:
    before = group_ids(admin)
    reader.newest(DLQ, 100)
    reader.from_time(DLQ, 0, limit=10)
    reader.record(ORIGINAL, 0, 0)
    result = kctui(["dlq", DLQ, "--limit", "3"], config_file)
    assert result.returncode == 0, result.stderr
    after = group_ids(admin)
    ours = {g for g in after - before if not g.startswith("connect-")}
    assert ours == set(), f"browsing created consumer groups: {ours}"
    committed = admin.list_group_offsets(sorted(after)) if after else {}
    for group, offsets in committed.items():  # nobody committed an offset on the DLQ topic
        assert not any(tp.topic == DLQ for tp in offsets), group


def test_missing_topic_is_reported_and_not_created(
    reader: DlqReader, admin: KafkaAdminClient
) -> None:
    with pytest.raises(TopicNotFound, match="kctui-no-such-dlq"):
        reader.newest("kctui-no-such-dlq", 5)
    assert "kctui-no-such-dlq" not in admin.list_topics()


def test_unreachable_broker_is_a_clear_error() -> None:
    lonely = DlqReader({"bootstrap_servers": ["127.0.0.1:1"]}, timeout=2)
    with pytest.raises(BrokerUnreachable, match="127.0.0.1:1"):
        lonely.newest(DLQ, 5)


def test_cli_json_lines(config_file: Path) -> None:
    result = kctui(["dlq", DLQ, "--limit", "5", "--json"], config_file)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 5
    for line in lines:
        assert line["topic"] == DLQ
        assert line["connect"]["original_topic"] == ORIGINAL
        assert line["connect"]["stage"] == "VALUE_CONVERTER"
        assert line["connect"]["exception_class"] == DATA_EXCEPTION
        assert line["value"]["base64"]


def test_cli_summary_over_all_dlq_topics(config_file: Path) -> None:
    result = kctui(["dlq", "--summary", "--json"], config_file)
    assert result.returncode == 0, result.stderr
    topics = {t["topic"]: t for t in json.loads(result.stdout)["topics"]}
    ours = topics[DLQ]
    assert ours["connector"] == "demo-dlq-sink" and ours["records"] >= 50
    groups = {(g["stage"], g["exception_class"]): g["count"] for g in ours["groups"]}
    assert groups[("VALUE_CONVERTER", DATA_EXCEPTION)] == ours["read"]
    listing = kctui(["dlq"], config_file)
    assert listing.returncode == 0, listing.stderr
    assert DLQ in listing.stdout and "demo-dlq-sink" in listing.stdout
