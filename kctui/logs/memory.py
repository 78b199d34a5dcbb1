"""Lines of a command's output kept in memory, at most ``max_lines`` of them.

The same reading interface as :class:`~kctui.logs.index.FileIndex`, with line numbers as
record keys; older lines are dropped in batches so memory stays bounded while following.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right

from kctui.logs.index import ELLIPSIS, MAX_LINE_BYTES, MAX_TRACE_LINES
from kctui.logs.layouts import DEFAULT, Layout, detect
from kctui.logs.patterns import LogLine

DETECT_LINES = 200


class MemoryLog:
    """Lines of a command's output, at most ``max_lines`` of them (older lines are dropped)."""

    def __init__(self, max_lines: int = 100_000, *, layout: Layout | None = None) -> None:
        """``layout``: the body layout a config asks for (prefixes are still detected from
        the first lines of output); None detects everything."""
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self.max_lines = max_lines
        self._asked = layout
        self.detected: Layout | None = None
        self._lines: list[str] = []
        self._base = 0  # global number of self._lines[0]
        self._records: array[int] = array("Q")
        self._failures: array[int] = array("Q")
        self._lock = threading.Lock()
        self.dropped = 0

    @property
    def layout(self) -> Layout:
        """The layout of the output (the asked or default one until the first lines came)."""
        return self.detected or self._asked or DEFAULT

    @property
    def first_key(self) -> int:
        return self._base

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def append_lines(self, lines: list[str]) -> int:
        """Add lines; returns how many new records started."""
        added = 0
        with self._lock:
            if self.detected is None and lines:
                self.detected = detect(lines[:DETECT_LINES], body=self._asked)
            parse = self.layout.parse
            for text in lines:
                key = self._base + len(self._lines)
                self._lines.append(text)
                parsed = parse(text)
                if parsed.is_header or not self._records or self._records[-1] < self._base:
                    self._records.append(key)
                    added += 1
                    if parsed.is_failure:
                        self._failures.append(key)
            excess = len(self._lines) - self.max_lines
            if excess > max(16, self.max_lines // 8):
                del self._lines[:excess]
                self._base += excess
                self.dropped += excess
                self._records = array(
                    "Q", self._records[bisect_right(self._records, self._base - 1) :]
                )
                self._failures = array(
                    "Q", self._failures[bisect_right(self._failures, self._base - 1) :]
                )
        return added

    def records(self) -> array[int]:
        with self._lock:
            return array("Q", self._records)

    def tail_records(self, count: int) -> array[int]:
        with self._lock:
            return array("Q", self._records[len(self._records) - count :] if count else b"")

    def failures(self) -> array[int]:
        with self._lock:
            return array("Q", self._failures)

    def _line(self, key: int) -> str | None:
        index = key - self._base
        lines = self._lines
        return lines[index] if 0 <= index < len(lines) else None

    def read_header(self, key: int) -> str:
        return self._line(key) or ""

    def read_line(self, key: int) -> str:
        text = self._line(key) or ""
        return text if len(text) <= MAX_LINE_BYTES else text[:MAX_LINE_BYTES] + ELLIPSIS

    def _span(self, key: int) -> tuple[int, int]:
        records = self._records
        index = bisect_right(records, key)
        end = records[index] if index < len(records) else self._base + len(self._lines)
        return key + 1, end

    def continuation_count(self, key: int) -> int:
        if self.layout.embedded_trace:
            return len(self.read_continuation(key))
        start, end = self._span(key)
        return max(0, min(end - start, MAX_TRACE_LINES))

    def header(self, key: int) -> LogLine:
        return self.layout.parse(self._line(key) or "")

    def read_continuation(self, key: int) -> list[str]:
        if self.layout.embedded_trace:
            return self.layout.continuation(self._line(key) or "", [])[:MAX_TRACE_LINES]
        start, end = self._span(key)
        lines = [self._line(k) for k in range(start, min(end, start + MAX_TRACE_LINES))]
        return self.layout.continuation(
            "", [text[:MAX_LINE_BYTES] for text in lines if text is not None]
        )

    def timestamp(self, key: int) -> str:
        return self.layout.parse(self._line(key) or "").sort_key
