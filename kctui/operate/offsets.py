"""KIP-875 offsets: rows to show, PATCH bodies to alter, sink lag from log end offsets.

Sink offsets use the partition map ``{kafka_topic, kafka_partition}`` and the offset map
``{kafka_offset}``; source offsets are whatever maps the connector stores. An entry whose
offset is null resets that partition.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kctui.connect.models import ConnectorOffset
from kctui.errors import KctuiError

TOPIC_KEY = "kafka_topic"
PARTITION_KEY = "kafka_partition"
OFFSET_KEY = "kafka_offset"


class OffsetInputError(KctuiError):
    """An offset the user typed cannot be sent (not a number, not a JSON object...)."""


@dataclass(frozen=True)
class SinkOffsetRow:
    """One sink partition: the connector's committed position and, when known, the lag."""

    topic: str
    partition: int
    offset: int | None
    end_offset: int | None = None

    @property
    def lag(self) -> int | None:
        if self.offset is None or self.end_offset is None:
            return None
        return max(0, self.end_offset - self.offset)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def is_sink_offsets(offsets: Sequence[ConnectorOffset]) -> bool:
    return bool(offsets) and all(o.is_sink for o in offsets)


def sink_rows(
    offsets: Iterable[ConnectorOffset], end_offsets: Mapping[tuple[str, int], int] | None = None
) -> list[SinkOffsetRow]:
    """Sink offsets by topic and partition, with log end offsets when given."""
    rows = []
    for entry in offsets:
        topic = str(entry.partition.get(TOPIC_KEY, ""))
        partition = _int_or_none(entry.partition.get(PARTITION_KEY))
        if partition is None:
            continue
        offset = _int_or_none((entry.offset or {}).get(OFFSET_KEY))
        end = (end_offsets or {}).get((topic, partition))
        rows.append(SinkOffsetRow(topic, partition, offset, end))
    return sorted(rows, key=lambda r: (r.topic, r.partition))


def compact_json(value: Any) -> str:
    """A map on one line with sorted keys (how partition and offset maps are shown)."""
    return "null" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def source_rows(offsets: Iterable[ConnectorOffset]) -> list[tuple[str, str]]:
    """Source offsets as (partition map, offset map) texts."""
    return sorted((compact_json(dict(o.partition)), compact_json(o.offset)) for o in offsets)


def parse_offset_number(text: str, what: str = "offset") -> int:
    try:
        number = int(str(text).strip())
    except ValueError:
        raise OffsetInputError(f"{what} must be a whole number, got {text!r}") from None
    if number < 0:
        raise OffsetInputError(f"{what} must be 0 or more, got {number}")
    return number


def sink_entry(topic: str, partition: int | str, offset: int | str | None) -> dict[str, Any]:
    """One sink entry; ``offset`` None resets the partition."""
    if not str(topic).strip():
        raise OffsetInputError("a topic is needed")
    number = parse_offset_number(str(partition), "partition")
    value = None if offset is None else {OFFSET_KEY: parse_offset_number(str(offset))}
    return {"partition": {TOPIC_KEY: str(topic).strip(), PARTITION_KEY: number}, "offset": value}


def parse_json_map(text: str, what: str) -> dict[str, Any]:
    """A JSON object typed by the user; errors say line and column."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OffsetInputError(
            f"{what}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(value, dict):
        raise OffsetInputError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def source_entry(
    partition: Mapping[str, Any] | str, offset: Mapping[str, Any] | str | None
) -> dict[str, Any]:
    """One source entry (partition map -> offset map); ``offset`` None resets it."""
    partition_map = (
        parse_json_map(partition, "partition") if isinstance(partition, str) else dict(partition)
    )
    if not partition_map:
        raise OffsetInputError("the partition map is empty")
    if offset is None:
        offset_map = None
    elif isinstance(offset, str):
        offset_map = None if offset.strip() == "null" else parse_json_map(offset, "offset")
    else:
        offset_map = dict(offset)
    return {"partition": partition_map, "offset": offset_map}


def offsets_body(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The PATCH ``/connectors/{c}/offsets`` body."""
    return {"offsets": [dict(e) for e in entries]}


def offsets_json(offsets: Iterable[ConnectorOffset]) -> dict[str, Any]:
    """The offsets as Connect shows them (for ``--json``)."""
    return offsets_body(
        {"partition": dict(o.partition), "offset": None if o.offset is None else dict(o.offset)}
        for o in offsets
    )


def read_end_offsets(
    client_kwargs: Mapping[str, Any], partitions: Iterable[tuple[str, int]], timeout: float = 10.0
) -> dict[tuple[str, int], int]:
    """Log end offsets from the brokers (blocking, kafka-python): no group, nothing committed."""
    wanted = sorted(set(partitions))
    if not wanted:
        return {}
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        **dict(client_kwargs),
        group_id=None,
        enable_auto_commit=False,
        client_id="kctui-offsets",
        request_timeout_ms=max(int(timeout * 1000), 5000),
    )
    try:
        ends = consumer.end_offsets([TopicPartition(t, p) for t, p in wanted])
        return {(tp.topic, tp.partition): int(v) for tp, v in ends.items()}
    finally:
        consumer.close()
