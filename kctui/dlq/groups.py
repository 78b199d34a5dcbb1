"""Dead letters grouped by cause: stage, exception and the root-cause message with its
varying parts (numbers, ids, offsets, quoted values) replaced, so one mistake made by
many records is one group (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kctui.dlq.records import NO_VALUE, DeadLetter

_VARYING = (
    # quoted values first: what they hold is data, whatever it looks like
    (re.compile(r'"(?:[^"\\\n]|\\.){0,400}"'), '"…"'),
    (re.compile(r"'(?:[^'\\\n]|\\.){0,400}'"), "'…'"),
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "<uuid>",
    ),  # fmt: skip
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{12,}\b"), "<hex>"),
    (re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w|\.\d)"), "<n>"),
    (re.compile(r"(?<=[a-zA-Z_-])\d+\b"), "<n>"),  # topic-3, task-12, order-42
)
_SPACES = re.compile(r"\s+")
MAX_CAUSE_CHARS = 300


def normalize_cause(text: str | None) -> str:
    """The message with what varies from record to record replaced; one line, cut."""
    if not text:
        return ""
    line = _SPACES.sub(" ", text.strip())
    for pattern, placeholder in _VARYING:
        line = pattern.sub(placeholder, line)
    return line[:MAX_CAUSE_CHARS]


def cause_text(dl: DeadLetter) -> str:
    """The root cause of a dead letter (last ``Caused by``), else its exception message."""
    return dl.root_cause or dl.exception_message or dl.message_line or ""


def key_of(dl: DeadLetter) -> str:
    """Compute the group of a dead letter: ``STAGE · Exception · normalised cause``
    (use ``dl.cause_key``, which computes it once)."""
    stage = dl.stage or NO_VALUE
    return f"{stage} · {dl.exception_short} · {normalize_cause(cause_text(dl)) or NO_VALUE}"


def cause_key(dl: DeadLetter) -> str:
    """The group a dead letter falls in: ``STAGE · Exception · normalised cause``."""
    return dl.cause_key


@dataclass(frozen=True)
class CauseGroup:
    """One cause: how many dead letters, when first and last, from which original partitions."""

    key: str
    stage: str
    exception_class: str
    cause: str
    count: int
    first_ms: int | None
    last_ms: int | None
    partitions: tuple[str, ...]  # original topic/partition, "(unknown)" when absent
    example: str  # one real root cause message of the group, as written
    sample: DeadLetter = field(repr=False, compare=False)  # the group's first dead letter


class CauseCounts:
    """Running counts by cause: dead letters are added as they are read (one pass, no list
    kept), and ``groups()`` says where they stand at any time."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._first: dict[str, int | None] = {}
        self._last: dict[str, int | None] = {}
        self._parts: dict[str, set[str]] = {}
        self._sample: dict[str, DeadLetter] = {}

    def add(self, dl: DeadLetter) -> None:
        key = dl.cause_key
        self._counts[key] = self._counts.get(key, 0) + 1
        ts = dl.record.timestamp_ms
        if key not in self._sample:
            self._sample[key], self._first[key], self._last[key] = dl, ts, ts
            self._parts[key] = set()
        elif ts is not None:
            first, last = self._first[key], self._last[key]
            self._first[key] = ts if first is None else min(ts, first)
            self._last[key] = ts if last is None else max(ts, last)
        if dl.original_topic is None:
            self._parts[key].add("(unknown)")
        else:
            part = "?" if dl.original_partition is None else str(dl.original_partition)
            self._parts[key].add(f"{dl.original_topic}/{part}")

    def groups(self) -> list[CauseGroup]:
        """Groups by cause, largest first (ties: the most recent first)."""
        groups = [self._group(key, count) for key, count in self._counts.items()]
        groups.sort(key=lambda g: (-g.count, -(g.last_ms or 0), g.key))
        return groups

    def _group(self, key: str, count: int) -> CauseGroup:
        sample = self._sample[key]
        text = cause_text(sample)
        lines = text.strip().splitlines()
        return CauseGroup(
            key=key,
            stage=sample.stage or NO_VALUE,
            exception_class=sample.exception_class or NO_VALUE,
            cause=normalize_cause(text),
            count=count,
            first_ms=self._first[key],
            last_ms=self._last[key],
            partitions=tuple(sorted(self._parts[key])),
            example=lines[0] if lines else "",
            sample=sample,
        )


def cause_groups(dead_letters: Iterable[DeadLetter]) -> list[CauseGroup]:
    """Groups by cause, largest first (ties: the most recent first)."""
    counts = CauseCounts()
    for dl in dead_letters:
        counts.add(dl)
    return counts.groups()
