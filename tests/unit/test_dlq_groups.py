"""Dead letters grouped by cause: what varies per record is replaced, the mistake stays."""

from __future__ import annotations

import pytest

from kctui.dlq.groups import cause_groups, normalize_cause
from kctui.dlq.records import KafkaRecord, decode_dead_letter

# Messages as Jackson and the Connect runtime write them (shapes seen in the sandbox's own
# DLQ and in public reports, e.g. "Unexpected character ('}' (code 125)): expected a value").
SAME_CAUSE = [
    (
        "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('x' (code 120)): "
        "expected a valid value\n at [Source: (byte[])\"x-1\"; line: 1, column: 2]",
        "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('q' (code 113)): "
        "expected a valid value\n at [Source: (byte[])\"q-77\"; line: 1, column: 2]",
    ),
    (
        "Error while deserializing the key for record in topic orders, partition 3, "
        "timestamp 1764470000000, and at offset 404269.",
        "Error while deserializing the key for record in topic orders, partition 0, "
        "timestamp 1764470001234, and at offset 12.",
    ),
    (
        "Invalid UTF-32 character 0x20f7061 (above 0x0010ffff) at char #1, byte #7)",
        "Invalid UTF-32 character 0x3a0b2c (above 0x0010ffff) at char #1, byte #7)",
    ),
    (
        "Failed to find partition for record 9b2f4f36-6c52-4f3a-9d0b-1f6a0f9d2b11",
        "Failed to find partition for record 0c1d2e3f-aaaa-4bbb-8ccc-000011112222",
    ),
]
DIFFERENT_CAUSE = [
    ("Unexpected end-of-input within/between Object entries",
     "Unrecognized token 'order': was expecting (JSON String, Number, Array, Object)"),  # fmt: skip
    ("Unknown magic byte!", "Error retrieving Avro value schema for id 42"),
]


@pytest.mark.parametrize(("one", "other"), SAME_CAUSE)
def test_records_with_one_mistake_share_a_cause(one: str, other: str) -> None:
    assert normalize_cause(one) == normalize_cause(other)
    assert normalize_cause(one) != ""


@pytest.mark.parametrize(("one", "other"), DIFFERENT_CAUSE)
def test_different_mistakes_stay_apart(one: str, other: str) -> None:
    assert normalize_cause(one) != normalize_cause(other)


def test_the_words_of_the_message_stay() -> None:
    text = normalize_cause("Unexpected character ('x' (code 120)): expected a valid value")
    assert text == "Unexpected character ('…' (code <n>)): expected a valid value"


def dead_letter(offset: int, partition: int, ts: int, cause: str, stage: str = "VALUE_CONVERTER"):
    trace = (
        "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect "
        "data failed due to serialization error: \n\tat org.apache.kafka.connect.json."
        f"JsonConverter.toConnectData(JsonConverter.java:355)\nCaused by: {cause}\n"
    )
    headers = [
        ("__connect.errors.topic", b"orders"),
        ("__connect.errors.partition", str(partition).encode()),
        ("__connect.errors.offset", str(offset * 10).encode()),
        ("__connect.errors.stage", stage.encode()),
        ("__connect.errors.exception.class.name",
         b"org.apache.kafka.connect.errors.DataException"),  # fmt: skip
        ("__connect.errors.exception.stacktrace", trace.encode()),
    ]
    record = KafkaRecord("orders-dlq", 0, offset, timestamp_ms=ts, value=b"x",
                         headers=tuple(headers))  # fmt: skip
    return decode_dead_letter(record)


def test_groups_count_times_and_partitions_largest_first() -> None:
    jackson = "com.fasterxml.jackson.core.JsonParseException: "
    jackson += "Unexpected character ('{c}' (code {n}))"
    letters = [dead_letter(i, i % 3, 1000 + i, jackson.format(c=chr(97 + i % 20), n=97 + i % 20))
               for i in range(9)]  # fmt: skip
    letters.append(dead_letter(20, 1, 5000, "java.io.EOFException: No content to map"))
    letters.append(dead_letter(21, 1, 500, "java.io.EOFException: No content to map"))
    letters.append(dead_letter(22, 2, 700, "boom", stage="TRANSFORMATION"))
    groups = cause_groups(letters)
    assert [g.count for g in groups] == [9, 2, 1]
    top = groups[0]
    assert (top.first_ms, top.last_ms) == (1000, 1008)
    assert top.partitions == ("orders/0", "orders/1", "orders/2")
    assert top.stage == "VALUE_CONVERTER" and top.cause.startswith(
        "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('…' (code <n>))"
    )
    second = groups[1]
    assert (second.first_ms, second.last_ms, second.partitions) == (500, 5000, ("orders/1",))
    assert groups[2].stage == "TRANSFORMATION"
