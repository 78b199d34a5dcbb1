"""Avro dead letters on the sandbox: written by the real Connect runtime, decoded through the
stand-in Schema Registry.

``demo-avro-sink`` reads ``demo-payments-avro`` (Confluent Avro wire format, ids from the
registry) with a JsonConverter: every record fails at VALUE_CONVERTER and lands in
``demo-payments-dlq`` with its bytes unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from msgspec.structs import replace

from kctui.dlq.reader import DlqReader
from kctui.sandbox import scenario
from kctui.settings import ClusterConfig
from tests import polling
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration

DLQ = scenario.AVRO_DLQ_TOPIC


def wait_full(reader: DlqReader) -> None:
    polling.wait_until(
        lambda: sum(e - b for b, e in reader.bounds(DLQ).values()) >= scenario.AVRO_RECORDS,
        timeout=90, interval=0.5, what=f"{DLQ} to hold {scenario.AVRO_RECORDS} dead letters",
    )  # fmt: skip


def test_avro_dead_letters_decode_to_their_payments(sandbox_cluster: ClusterConfig) -> None:
    assert sandbox_cluster.schema_registry is not None
    with DlqReader(sandbox_cluster) as reader:
        wait_full(reader)
        page = reader.newest(DLQ, scenario.AVRO_RECORDS)
    assert len(page.dead_letters) == scenario.AVRO_RECORDS
    by_offset = {dl.original_offset: dl for dl in page.dead_letters}
    for dl in page.dead_letters:
        assert dl.stage == "VALUE_CONVERTER"
        assert dl.original_offset is not None
        value, key = dl.record.decoded_value, dl.record.decoded_key
        assert value is not None and value.decoded, value
        assert value.subject == f"{scenario.PAYMENTS_TOPIC}-value"
        assert key is not None and key.value == {"account": f"acct-{dl.original_offset % 7}"}
    third = by_offset[3].record.decoded_value
    assert third is not None
    assert third.value == {
        "id": "pay-0003",
        "amount": "111.03",
        "currency": "EUR",
        "paid_at": "2025-11-30T00:03:00+00:00",
        "note": None,
    }


def test_without_registry_the_schema_id_is_named(sandbox_cluster: ClusterConfig) -> None:
    with DlqReader(replace(sandbox_cluster, schema_registry=None)) as reader:
        wait_full(reader)
        dl = reader.newest(DLQ, 1).dead_letters[0]
    decoded = dl.record.decoded_value
    assert decoded is not None and not decoded.decoded
    assert decoded.error == "configure schema_registry to decode"


def test_cli_json_carries_decoded_beside_the_raw_bytes(sandbox_config_file: Path) -> None:
    done = run_kctui("dlq", DLQ, "--json", "-n", "5", config=sandbox_config_file)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 5
    for line in lines:
        assert line["value"]["base64"]  # the raw bytes stay
        assert line["value"]["decoded"]["format"] == "avro"
        assert line["value"]["decoded"]["value"]["id"].startswith("pay-")
