"""Redrive on the sandbox: the demo DLQ's dead letters produced into a fresh topic.

The target is a new topic per run, so what lands there can only come from the redrive.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from kctui.configfile import write_cluster
from kctui.dlq.reader import DlqReader
from kctui.sandbox import scenario
from kctui.sandbox.cluster import Sandbox
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration

DLQ = scenario.DLQ_TOPIC


def kctui(args: list[str], config: Path, state: Path) -> subprocess.CompletedProcess[str]:
    return run_kctui(*args, config=config, env={"XDG_STATE_HOME": str(state)})


def read_all(bootstrap: str, topic: str) -> list:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=3000, auto_offset_reset="earliest")  # fmt: skip
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            return []
        consumer.assign([TopicPartition(topic, p) for p in parts])
        return list(consumer)
    finally:
        consumer.close()


@pytest.fixture()
def setup(sandbox: Sandbox, tmp_path: Path) -> tuple[Path, Path, str]:
    config = tmp_path / "config.toml"
    write_cluster(config, "sandbox", sandbox.cluster_table(), make_current=True)
    return config, tmp_path / "state", f"redrive-{uuid.uuid4().hex[:8]}"


def test_redrive_to_a_fresh_topic(sandbox: Sandbox, setup: tuple[Path, Path, str]) -> None:
    config, state, target = setup
    with DlqReader(sandbox.cluster_config()) as reader:
        letters = {(dl.record.partition, dl.record.offset): dl
                   for dl in reader.from_offset(DLQ, 10, 0, 20).dead_letters}  # fmt: skip
    done = kctui(["dlq", "redrive", DLQ, "--offsets", "0:10-29", "--to", target], config, state)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "sent 20, failed 0" in done.stdout
    landed = read_all(sandbox.bootstrap, target)
    assert len(landed) == 20
    originals = {(dl.record.key, dl.record.value) for dl in letters.values()}
    assert {(r.key, r.value) for r in landed} == originals
    for rec in landed:
        names = [k for k, _ in rec.headers]
        assert not any(n.startswith("__connect.errors.") for n in names)
        assert ("origin", b"kctui-sandbox") in rec.headers  # the record's own headers stay
    by_key = {dl.record.key: dl for dl in letters.values()}
    assert all(r.timestamp == by_key[r.key].record.timestamp_ms for r in landed)
    report = state / "kctui" / "redrive" / f"sandbox__{DLQ}.jsonl"
    entries = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(e["dlq_offset"] for e in entries) == list(range(10, 30))
    assert {e["topic"] for e in entries} == {target}
    # a second run skips what the report lists
    again = kctui(["dlq", "redrive", DLQ, "--offsets", "0:10-29", "--to", target], config, state)
    assert again.returncode == 0 and "nothing to send (20 skipped)" in again.stdout
    assert len(read_all(sandbox.bootstrap, target)) == 20
    # the DLQ is unchanged
    with DlqReader(sandbox.cluster_config()) as reader:
        assert sum(e - b for b, e in reader.bounds(DLQ).values()) >= scenario.MALFORMED_RECORDS


def test_dry_run_and_read_only_produce_nothing(
    sandbox: Sandbox, setup: tuple[Path, Path, str]
) -> None:
    config, state, target = setup
    dry = kctui(["dlq", "redrive", DLQ, "--limit", "5", "--to", target, "--dry-run"], config, state)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("would send") == 5 and "nothing produced" in dry.stdout
    refused = kctui(["dlq", "redrive", DLQ, "--limit", "5", "--to", target, "--read-only"],
                    config, state)  # fmt: skip
    assert refused.returncode != 0
    assert "read-only: redrive refused, nothing was sent" in refused.stderr
    assert read_all(sandbox.bootstrap, target) == []
    assert not (state / "kctui" / "redrive").exists()


def test_a_dlq_topic_is_never_a_target(sandbox: Sandbox, setup: tuple[Path, Path, str]) -> None:
    config, state, _ = setup
    other = scenario.AVRO_DLQ_TOPIC
    done = kctui(["dlq", "redrive", DLQ, "--limit", "3", "--to", other], config, state)
    assert done.returncode == 0
    assert done.stdout.count(f"{other} is a dead letter queue: refusing") == 3
    assert "nothing to send (3 skipped)" in done.stdout
