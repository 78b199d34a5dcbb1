"""JSON Lines export of dead letters: decoded headers, lossless payloads, atomic files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from kctui.dlq.export import (
    ExportError,
    dead_letter_json,
    default_export_name,
    dumps_line,
    export_jsonl,
    payload_json,
)
from kctui.dlq.records import H_EXCEPTION, H_MESSAGE, H_OFFSET, H_STAGE, H_TOPIC, KafkaRecord
from kctui.dlq.records import decode_dead_letter as decode


def make(value: bytes | None, key: bytes | None = b"order-7", offset: int = 3):
    headers = (
        ("trace", b"\xff\x00"),
        (H_TOPIC, b"demo-orders"),
        (H_OFFSET, b"12"),
        (H_STAGE, b"VALUE_CONVERTER"),
        (H_EXCEPTION, b"org.apache.kafka.connect.errors.DataException"),
        (H_MESSAGE, None),
    )
    return decode(KafkaRecord("dlq", 0, offset, 1_700_000_000_000, key, value, headers))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, None),
        (b"", {"size": 0, "base64": "", "text": ""}),
        (b"caf\xc3\xa9", {"size": 5, "base64": "Y2Fmw6k=", "text": "café"}),
        (b"\xff\x00", {"size": 2, "base64": "/wA="}),  # not text: base64 only
    ],
)
def test_payload_json(data: bytes | None, expected: dict | None) -> None:
    assert payload_json(data) == expected


def test_dead_letter_json_has_decoded_headers_and_exact_bytes() -> None:
    value = b"\x00\x00\x00\x00\x01binary"
    out = dead_letter_json(make(value))
    assert out["connect"]["original_topic"] == "demo-orders"
    assert out["connect"]["original_offset"] == 12
    assert out["connect"]["stage"] == "VALUE_CONVERTER"
    assert out["connect"]["exception_message"] is None
    assert out["error_headers"][H_MESSAGE] is None
    assert base64.b64decode(out["value"]["base64"]) == value
    assert out["key"]["text"] == "order-7"
    assert out["headers"] == [{"key": "trace", "value": {"size": 2, "base64": "/wA="}}]
    assert (out["topic"], out["partition"], out["offset"]) == ("dlq", 0, 3)
    assert out["time"] == "2023-11-14 22:13:20.000"


def test_dumps_line_is_one_line_of_json() -> None:
    line = dumps_line(make(b'{"a":\n1}', key=None))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["key"] is None and parsed["value"]["text"] == '{"a":\n1}'


def test_export_jsonl_writes_every_record(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.jsonl"
    records = [make(b"x", offset=i) for i in range(5)]
    assert export_jsonl(records, target) == 5
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["offset"] for line in lines] == [0, 1, 2, 3, 4]
    assert not list(target.parent.glob(".*.tmp"))


def test_export_to_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a directory"):
        export_jsonl([make(b"x")], tmp_path)


def test_export_to_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot export to"):
        export_jsonl([make(b"x")], blocker / "out.jsonl")


def test_default_export_name_is_safe() -> None:
    assert default_export_name("a/b dlq", 1_700_000_000_000) == "a_b_dlq-2023-11-14T221320Z.jsonl"
