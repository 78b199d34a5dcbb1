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


def cause_key(dl: DeadLetter) -> str:
    """The group a dead letter falls in: ``STAGE · Exception · normalised cause``."""
    stage = dl.stage or NO_VALUE
    return f"{stage} · {dl.exception_short} · {normalize_cause(cause_text(dl)) or NO_VALUE}"


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


def cause_groups(dead_letters: Iterable[DeadLetter]) -> list[CauseGroup]:
    """Groups by cause, largest first (ties: the most recent first)."""
    counts: dict[str, int] = {}
    first: dict[str, int | None] = {}
    last: dict[str, int | None] = {}
    parts: dict[str, set[str]] = {}
    sample: dict[str, DeadLetter] = {}
    for dl in dead_letters:
        key = cause_key(dl)
        counts[key] = counts.get(key, 0) + 1
        ts = dl.record.timestamp_ms
        if key not in sample:
            sample[key], first[key], last[key], parts[key] = dl, ts, ts, set()
        elif ts is not None:
            first[key] = ts if first[key] is None else min(ts, first[key] or ts)
            last[key] = ts if last[key] is None else max(ts, last[key] or ts)
        if dl.original_topic is None:
            parts[key].add("(unknown)")
        else:
            part = "?" if dl.original_partition is None else str(dl.original_partition)
            parts[key].add(f"{dl.original_topic}/{part}")
    groups = [
        CauseGroup(
            key=key,
            stage=sample[key].stage or NO_VALUE,
            exception_class=sample[key].exception_class or NO_VALUE,
            cause=normalize_cause(cause_text(sample[key])),
            count=count,
            first_ms=first[key],
            last_ms=last[key],
            partitions=tuple(sorted(parts[key])),
            example=cause_text(sample[key]).strip().splitlines()[0]
            if cause_text(sample[key])
            else "",
            sample=sample[key],
        )
        for key, count in counts.items()
    ]
    groups.sort(key=lambda g: (-g.count, -(g.last_ms or 0), g.key))
    return groups
