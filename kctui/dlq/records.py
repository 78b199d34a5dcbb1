"""Dead-letter records: Connect's ``__connect.errors.*`` headers decoded, payloads rendered.

Pure functions only (no Kafka client, no terminal): a :class:`KafkaRecord` read by the
reader becomes a :class:`DeadLetter`. Payload rendering (:mod:`kctui.dlq.render`) and the
one highlighter (:mod:`kctui.spans`) are re-exported here (``render_payload``, ``highlight``...).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

# Re-exported: callers import everything about a dead letter from this module.
from kctui.dlq.render import (  # noqa: F401
    MAX_DISPLAY_CHARS,
    MAX_HEX_BYTES,
    RenderedPayload,
    cut_lines,
    format_size,
    hex_dump,
    render_payload,
)
from kctui.spans import Span, highlight  # noqa: F401
from kctui.traces import parse_trace

HEADER_PREFIX = "__connect.errors."
H_TOPIC = HEADER_PREFIX + "topic"
H_PARTITION = HEADER_PREFIX + "partition"
H_OFFSET = HEADER_PREFIX + "offset"
H_CONNECTOR = HEADER_PREFIX + "connector.name"
H_TASK = HEADER_PREFIX + "task.id"
H_STAGE = HEADER_PREFIX + "stage"
H_CLASS = HEADER_PREFIX + "class.name"
H_EXCEPTION = HEADER_PREFIX + "exception.class.name"
H_MESSAGE = HEADER_PREFIX + "exception.message"
H_STACKTRACE = HEADER_PREFIX + "exception.stacktrace"

#: Shown for a group whose header is absent (a DLQ written by something else).
NO_VALUE = "(none)"

from kctui.dlq.wire import Decoded  # noqa: E402 - after the re-exports above

Header = tuple[str, bytes | None]


@dataclass(frozen=True)
class KafkaRecord:
    """One record as read from Kafka, independent of the client library."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None = None
    key: bytes | None = None
    value: bytes | None = None
    headers: tuple[Header, ...] = ()
    # Keys and values in the Confluent wire format, decoded by the reader (see dlq.registry).
    decoded_key: Decoded | None = field(default=None, compare=False)
    decoded_value: Decoded | None = field(default=None, compare=False)

    @classmethod
    def from_consumer_record(cls, rec: Any) -> KafkaRecord:
        """Copy the fields of a kafka-python ``ConsumerRecord`` (or anything shaped like it)."""
        timestamp = getattr(rec, "timestamp", None)
        headers = tuple(
            h if type(h[0]) is str and (h[1] is None or type(h[1]) is bytes)
            else (str(h[0]), None if h[1] is None else bytes(h[1]))
            for h in (getattr(rec, "headers", None) or ())
        )  # fmt: skip
        return cls(
            topic=str(rec.topic),
            partition=int(rec.partition),
            offset=int(rec.offset),
            timestamp_ms=timestamp if isinstance(timestamp, int) and timestamp >= 0 else None,
            key=None if rec.key is None else bytes(rec.key),
            value=None if rec.value is None else bytes(rec.value),
            headers=headers,
        )

    @property
    def time_text(self) -> str:
        return format_timestamp(self.timestamp_ms)


@dataclass(frozen=True)
class DeadLetter:
    """A DLQ record with every ``__connect.errors.*`` header decoded (the last one wins)."""

    record: KafkaRecord
    error_headers: tuple[tuple[str, str | None], ...] = ()
    other_headers: tuple[Header, ...] = ()
    original_topic: str | None = None
    original_partition: int | None = None
    original_offset: int | None = None
    connector: str | None = None
    task_id: int | None = None
    stage: str | None = None
    class_name: str | None = None
    exception_class: str | None = None
    exception_message: str | None = None
    stacktrace: str | None = field(default=None, repr=False)

    @property
    def has_connect_headers(self) -> bool:
        return bool(self.error_headers)

    @property
    def has_original(self) -> bool:
        """True when the original record's coordinates are all known."""
        return (
            self.original_topic is not None
            and self.original_partition is not None
            and self.original_offset is not None
        )

    @property
    def origin_text(self) -> str:
        """``topic/partition@offset`` of the original record, or ``(unknown)``."""
        if self.original_topic is None:
            return "(unknown)"
        part = "?" if self.original_partition is None else str(self.original_partition)
        off = "?" if self.original_offset is None else str(self.original_offset)
        return f"{self.original_topic}/{part}@{off}"

    @property
    def exception_short(self) -> str:
        """The exception class without its package (``DataException``)."""
        if not self.exception_class:
            return NO_VALUE
        return self.exception_class.rsplit(".", 1)[-1]

    @property
    def message_line(self) -> str:
        """One line for a table: the message, else the first line of the trace."""
        text = self.exception_message
        if not text and self.stacktrace:
            text = self.stacktrace
        if not text:
            return "" if self.has_connect_headers else "(no Connect error headers)"
        return text.strip().splitlines()[0] if text.strip() else ""

    @cached_property
    def root_cause(self) -> str | None:
        """The deepest cause of the trace (the real reason), even one printed without a
        class (``2: No such file``); None when the trace has no cause. Not masked.

        Parsed once per dead letter (the DLQ browser's read worker asks first)."""
        trace = parse_trace(self.stacktrace)
        root = trace.root_cause
        if root is None or root is trace.top:
            return None
        return root.headline or None

    @cached_property
    def cause_key(self) -> str:
        """The cause group of this dead letter (:mod:`kctui.dlq.groups`), computed once."""
        from kctui.dlq.groups import key_of

        return key_of(self)

    def header(self, name: str) -> str | None:
        """The decoded value of one ``__connect.errors.*`` header (full or short name)."""
        full = name if name.startswith(HEADER_PREFIX) else HEADER_PREFIX + name
        for key, value in self.error_headers:
            if key == full:
                return value
        return None


# --------------------------------------------------------------------------- decoding


def _trace_class(stacktrace: str | None) -> str | None:
    """The error's class read from the trace, for a DLQ written without the class header."""
    top = parse_trace(stacktrace).top
    return top.class_name if top else None


def decode_text(value: bytes | str | None) -> str | None:
    """UTF-8 text of a header value; invalid bytes become ``\\xNN`` escapes, null stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(value).decode("utf-8", errors="backslashreplace")


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def decode_headers(
    headers: Iterable[tuple[Any, Any]],
) -> tuple[dict[str, str | None], tuple[Header, ...]]:
    """Split headers into decoded Connect error headers (last wins) and the others, in order."""
    errors: dict[str, str | None] = {}
    others: list[Header] = []
    for key, value in headers:  # the common case (str, bytes) takes no conversion
        name = key if type(key) is str else decode_text(bytes(key)) if isinstance(
            key, bytes | bytearray) else str(key)  # fmt: skip
        if value is not None and type(value) is not bytes:
            value = (
                value.encode("utf-8", "surrogatepass") if isinstance(value, str) else bytes(value)
            )
        if name and name.startswith(HEADER_PREFIX):
            if name in errors:  # a repeated key moves to where its last value was
                del errors[name]
            if value is None:
                errors[name] = None
            else:
                try:
                    errors[name] = value.decode("utf-8")
                except UnicodeDecodeError:
                    errors[name] = value.decode("utf-8", "backslashreplace")
        else:
            others.append((name or "", value))
    return errors, tuple(others)


def decode_dead_letter(record: KafkaRecord) -> DeadLetter:
    """Decode one DLQ record; never raises, whatever the headers hold."""
    errors, others = decode_headers(record.headers)
    return DeadLetter(
        record=record,
        error_headers=tuple(errors.items()),
        other_headers=others,
        original_topic=errors.get(H_TOPIC),
        original_partition=_int_or_none(errors.get(H_PARTITION)),
        original_offset=_int_or_none(errors.get(H_OFFSET)),
        connector=errors.get(H_CONNECTOR),
        task_id=_int_or_none(errors.get(H_TASK)),
        stage=errors.get(H_STAGE),
        class_name=errors.get(H_CLASS),
        exception_class=(
            errors[H_EXCEPTION] if H_EXCEPTION in errors else _trace_class(errors.get(H_STACKTRACE))
        ),
        exception_message=errors.get(H_MESSAGE),
        stacktrace=errors.get(H_STACKTRACE),
    )


_RELATIVE = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_time_spec(text: str, now: float | None = None) -> int:
    """Epoch ms from ISO 8601 (UTC when no zone), epoch ms digits, or ``30m``/``2h``/``1d`` ago."""
    text = text.strip()
    now = time.time() if now is None else now
    if text.isdigit():
        return int(text)
    if match := _RELATIVE.match(text):
        return int((now - int(match.group(1)) * _UNIT_SECONDS[match.group(2)]) * 1000)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"expected an ISO time (UTC), epoch milliseconds or 30m/2h/1d ago, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def format_timestamp(timestamp_ms: int | None) -> str:
    """``2026-11-24 00:19:20.123`` in UTC, or ``-`` when unknown or out of range."""
    if timestamp_ms is None:
        return "-"
    try:
        moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return "-"
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Summary:
    """Counts of dead letters by exception class, by stage and by both."""

    total: int
    by_exception: tuple[tuple[str, int], ...]
    by_stage: tuple[tuple[str, int], ...]
    by_stage_exception: tuple[tuple[tuple[str, str], int], ...]

    @property
    def headline(self) -> str:
        """``500 records, 498 DataException at VALUE_CONVERTER`` (the largest group)."""
        if not self.total:
            return "0 records"
        (stage, exc), count = self.by_stage_exception[0]
        return f"{self.total} records, {count} {exc.rsplit('.', 1)[-1]} at {stage}"


class SummaryCounts:
    """Running counts by exception class, by stage and by both: dead letters are added as
    they are read, and ``summary()`` says where they stand at any time."""

    def __init__(self) -> None:
        self.total = 0
        self._by_exception: Counter[str] = Counter()
        self._by_stage: Counter[str] = Counter()
        self._by_both: Counter[tuple[str, str]] = Counter()

    def add(self, dl: DeadLetter) -> None:
        exc = dl.exception_class or NO_VALUE
        stage = dl.stage or NO_VALUE
        self.total += 1
        self._by_exception[exc] += 1
        self._by_stage[stage] += 1
        self._by_both[(stage, exc)] += 1

    def summary(self) -> Summary:
        return Summary(
            total=self.total,
            by_exception=tuple(self._by_exception.most_common()),
            by_stage=tuple(self._by_stage.most_common()),
            by_stage_exception=tuple(self._by_both.most_common()),
        )


def summarize(dead_letters: Iterable[DeadLetter]) -> Summary:
    counts = SummaryCounts()
    for dl in dead_letters:
        counts.add(dl)
    return counts.summary()


def group_value(dl: DeadLetter, kind: str) -> str:
    """The group label of a dead letter for ``kind`` ``cause``, ``exception`` or ``stage``."""
    if kind == "cause":
        return dl.cause_key
    if kind == "exception":
        return dl.exception_class or NO_VALUE
    if kind == "stage":
        return dl.stage or NO_VALUE
    raise ValueError(f"unknown group kind {kind!r}")
