"""Which log records to show: connector, task, worker, level, failures, text or regex.

A :class:`LogFilter` is immutable; it also offers a bytes pattern (:meth:`LogFilter.prefilter`)
that every matching record contains, so big files are searched at regex speed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kctui.logs.layouts import DEFAULT
from kctui.logs.patterns import LEVELS, LogLine, LogRecord, normalise_level


class FilterError(ValueError):
    """The filter text is not a valid regular expression."""


@dataclass(frozen=True)
class LogFilter:
    """Which records to show; ``text`` is a case-insensitive substring (a pattern if ``regex``)."""

    connector: str | None = None
    task: int | None = None
    failures_only: bool = False
    min_level: str | None = None
    text: str = ""
    regex: bool = False
    worker: str | None = None  # one worker's sources only (applied by the feed)
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.text:
            source = self.text if self.regex else re.escape(self.text)
            try:
                object.__setattr__(self, "_pattern", re.compile(source, re.IGNORECASE))
            except re.error as exc:
                raise FilterError(f"invalid regular expression {self.text!r}: {exc}") from exc
        if self.min_level is not None and normalise_level(self.min_level) is None:
            raise FilterError(f"unknown level {self.min_level!r} (one of {', '.join(LEVELS)})")

    @property
    def is_empty(self) -> bool:
        return (
            not (self.connector or self.task is not None or self.failures_only or self.min_level)
            and not self.text
        )

    def matches_line(self, line: LogLine) -> bool:
        """The header-only part of the filter (no text search)."""
        if self.connector is not None and line.connector != self.connector:
            return False
        if self.task is not None and line.task != self.task:
            return False
        if self.failures_only and not line.is_failure:
            return False
        if self.min_level is not None:
            wanted = LEVELS.index(normalise_level(self.min_level) or "TRACE")
            if line.level is None or LEVELS.index(line.level) < wanted:
                return False
        return True

    def matches_text(self, text: str) -> bool:
        return self._pattern is None or self._pattern.search(text) is not None

    def matches(self, record: LogRecord) -> bool:
        return self.matches_line(record.line) and self.matches_text(record.text)

    def prefilter(self) -> re.Pattern[bytes] | None:
        """A bytes pattern every matching record contains somewhere (to scan big files fast)."""
        if self.connector:
            return re.compile(re.escape(self.connector.encode("utf-8", "replace")))
        if self.text and not self.regex:
            return re.compile(re.escape(self.text.encode("utf-8", "replace")), re.IGNORECASE)
        if self.failures_only:
            return DEFAULT.candidates  # failure lines of the Kafka default
        if self.text and self.text.isascii():
            try:
                return re.compile(self.text.encode(), re.IGNORECASE)
            except re.error:
                return None
        return None
