"""Record offsets of big log files, found from the end backwards (the toolong approach).

A :class:`FileIndex` keeps only the byte offsets where records (a header line and its
stack trace) start, in an ``array('Q')``, and reads text lazily with ``os.pread``. It
scans windows of the file through ``mmap`` from the end towards the start, so the last
screen can be shown before the rest of the file is indexed; windows are unmapped right
away so the resident memory does not grow with the file. Command output goes into a
:class:`~kctui.logs.memory.MemoryLog` instead.
"""

from __future__ import annotations

import errno
import mmap
import os
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from stat import S_ISDIR

from kctui.logs.layouts import Layout, detect
from kctui.logs.patterns import LogLine
from kctui.logs.scan import failure_lines, head_lines, read_to_newline, scan_failures

WINDOW = 1024 * 1024  # one regex pass holds the GIL: keep it short
MAX_EXTEND = 16 * 1024 * 1024  # growth indexed per call (the rest on the next call)
LOOKAHEAD = 512
MAX_LINE_BYTES = 8 * 1024  # a longer line is cut for display (the file keeps it whole)
MAX_TRACE_LINES = 2000
MAX_TRACE_BYTES = 1024 * 1024
ELLIPSIS = " …"


def decode(data: bytes) -> str:
    """Bytes of a log line as text; invalid UTF-8 becomes replacement characters."""
    return data.decode("utf-8", "replace").rstrip("\r")


class FileIndex:
    """Record start offsets of one open file; the file may grow (``extend``) while followed."""

    def __init__(self, path: str, *, fd: int | None = None, layout: Layout | None = None) -> None:
        """``layout``: the body layout a config asks for (prefixes are still detected);
        None detects everything from the first lines of the file."""
        self.path = path
        # The feed's thread closes the descriptor (truncation, rotation) while the UI thread
        # reads lines: a read checks ``closed`` and reads under this lock, so the descriptor
        # is never closed (and its number reused by the next file opened) in between.
        self._fd_lock = threading.Lock()
        self.closed = False
        self.fd = fd if fd is not None else os.open(path, os.O_RDONLY)
        try:
            stat = os.fstat(self.fd)
            if S_ISDIR(stat.st_mode):  # os.open accepts a directory; reading it fails later
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
            self.inode = (stat.st_dev, stat.st_ino)
            self.size = stat.st_size
            self.complete_end = self._last_line_end(self.size)
            self._asked = layout
            self.layout = detect(head_lines(self.fd), body=layout)
            self._detected = self.complete_end > 0  # an empty file: detect on its first lines
        except BaseException:
            if fd is None:  # ours: do not leak it (a feed retries the path every step)
                os.close(self.fd)
            raise
        self.low = self.complete_end  # [low, complete_end) is indexed
        self._records: array[int] = array("Q")
        self._failures: array[int] = array("Q")
        # Failures before ``low`` found by the fast scan (scan_history), and where they end.
        self._history: array[int] | None = None
        self._history_ends: dict[int, int] = {}
        self._lock = threading.Lock()
        self.pending = False  # the last extend() left appended data for the next call

    # ------------------------------------------------------------------ scanning

    @property
    def done(self) -> bool:
        """True once the backward scan reached the start of the file."""
        return self.low == 0

    def _read(self, start: int, length: int) -> bytes:
        """``length`` bytes at ``start``; nothing once closed (see ``_fd_lock``)."""
        if length <= 0:
            return b""
        with self._fd_lock:
            return b"" if self.closed else os.pread(self.fd, length, start)

    def _last_line_end(self, size: int) -> int:
        """Offset just after the last newline before ``size`` (0 if there is none)."""
        pos = size
        step = 64 * 1024
        while pos > 0:
            start = max(0, pos - step)
            chunk = self._read(start, pos - start)
            found = chunk.rfind(b"\n")
            if found >= 0:
                return start + found + 1
            pos = start
        return 0

    def _window(self, start: int, end: int) -> bytes:
        """Bytes [start, end) through a short-lived mmap (unmapped right away)."""
        if end <= start:
            return b""
        page = mmap.ALLOCATIONGRANULARITY
        base = start - start % page
        with self._fd_lock:
            if self.closed:
                return b""
            with mmap.mmap(self.fd, end - base, access=mmap.ACCESS_READ, offset=base) as mm:
                return mm[start - base : end - base]

    def _scan(self, lo: int, hi: int) -> tuple[array[int], array[int]]:
        """Record starts and failure starts with offsets in [lo, hi), one window at a time."""
        starts: array[int] = array("Q")
        failures: array[int] = array("Q")
        pos = lo
        while pos < hi:
            end = min(hi, pos + WINDOW)
            more_starts, more_failures = self._scan_window(pos, end)
            starts.extend(more_starts)
            failures.extend(more_failures)
            pos = end
        return starts, failures

    def _scan_window(self, lo: int, hi: int) -> tuple[array[int], array[int]]:
        """Record starts and failure starts with offsets in [lo, hi) (hi <= complete_end)."""
        starts: array[int] = array("Q")
        failures: array[int] = array("Q")
        if hi <= lo:
            return starts, failures
        window_start = max(0, lo - 1)
        window_end = min(self.size, hi + LOOKAHEAD)
        data = self._window(window_start, window_end)
        if lo == 0:
            starts.append(0)
        # The first newline of the window (at lo - 1) is the earliest that can start a record
        # in [lo, hi); matches in the lookahead (>= hi) are cut off afterwards.
        rel_lo, rel_hi = lo - window_start, hi - window_start
        found = self.layout.record_start.finditer(data, max(0, rel_lo - 1))
        starts.extend(map((window_start + 1).__add__, map(re.Match.start, found)))
        del starts[bisect_left(starts, hi) :]
        if lo > 0 and data.find(b"\n", rel_lo - 1, rel_hi - 1) < 0:
            return starts, failures  # no line starts here (inside one very long line)
        if data.find(b"\n", rel_hi - 1) < 0:  # the last line starting before hi is cut: read on
            data += self._read_to_newline(window_end)
        # Failure lines exactly as the parser sees them; a failure is always a record start
        # (a header that the bytes pattern above took for an indented trace line is added).
        for line_start, _ in failure_lines(data, rel_lo, rel_hi, layout=self.layout):
            offset = window_start + line_start
            failures.append(offset)
            index = bisect_left(starts, offset)
            if index == len(starts) or starts[index] != offset:
                starts.insert(index, offset)
        if self.layout.blank_headers:
            self._blank_headers(data, rel_lo, rel_hi, window_start, starts)
        return starts, failures

    def _blank_headers(self, data: bytes, lo: int, hi: int, base: int, starts: array[int]) -> None:
        """Add the headers that begin with blanks (a ``%5p …`` pattern), checked one by one."""
        maybe = self.layout.maybe_header
        assert maybe is not None
        last = -1
        for match in maybe.finditer(data, lo, hi):
            line_start = data.rfind(b"\n", 0, match.start()) + 1
            blank = data[line_start : line_start + 1] in (b" ", b"\t")
            if line_start == last or line_start < lo or not blank:
                continue
            last = line_start
            newline = data.find(b"\n", line_start)
            line = data[line_start : newline if newline >= 0 else len(data)]
            if self.layout.parse(decode(line)).is_header:
                index = bisect_left(starts, base + line_start)
                if index == len(starts) or starts[index] != base + line_start:
                    starts.insert(index, base + line_start)

    def _read_to_newline(self, pos: int) -> bytes:
        """Bytes from ``pos`` up to and including the next newline (before complete_end)."""
        return read_to_newline(self._read, pos, self.complete_end)

    def scan_history(self) -> int:
        """Find the failures not indexed yet (before ``low``) with the fast scan; once per file.

        :meth:`failures` then returns every failure of the file at once, and their records
        can be read before the backward index reaches them. Returns the failures found.
        """
        if self._history is not None or self.closed:
            return 0
        low = self.low
        found = scan_failures(self.fd, 0, low, layout=self.layout) if low else []
        with self._lock:
            self._history = array("Q", (r.offset for r in found))
            self._history_ends = {r.offset: r.end for r in found}
        return len(found)

    def scan_back(self, budget: int = WINDOW) -> int:
        """Index up to ``budget`` more bytes towards the start; returns the records found."""
        if self.low == 0:
            return 0
        lo = max(0, self.low - budget)
        starts, failures = self._scan(lo, self.low)
        with self._lock:
            self._records = starts + self._records
            self._failures = failures + self._failures
            self.low = lo
        return len(starts)

    def extend(self, max_bytes: int = MAX_EXTEND) -> int | None:
        """Index lines appended since the last call; None if the file was truncated."""
        size = os.fstat(self.fd).st_size
        if size < self.size:
            return None
        self.size = size
        self.pending = False
        if size <= self.complete_end:
            return 0
        limit = min(size, self.complete_end + max_bytes)
        new_end = self._last_line_end(limit)
        if new_end <= self.complete_end:
            if limit == size:
                return 0  # only a half-written line so far
            new_end = self._last_line_end(size)  # one line longer than max_bytes
            if new_end <= self.complete_end:
                return 0
        self.pending = new_end < self._last_line_end(size) if limit < size else False
        if not self._detected:
            self.layout = detect(head_lines(self.fd), body=self._asked)
            self._detected = True
        starts, failures = self._scan(self.complete_end, new_end)
        with self._lock:
            self._records.extend(starts)
            self._failures.extend(failures)
            self.complete_end = new_end
        return len(starts)

    def candidates(self, pattern: re.Pattern[bytes], records: array[int]) -> array[int]:
        """Record starts (of ``records``) whose text contains a match of ``pattern``."""
        found: array[int] = array("Q")
        if not records:
            return found
        pos, hi = records[0], self.complete_end
        while pos < hi:
            end = min(hi, pos + WINDOW)
            data = self._window(pos, min(hi, end + LOOKAHEAD))
            for match in pattern.finditer(data):
                at = pos + match.start()
                if at >= end:
                    break
                index = bisect_right(records, at) - 1
                if index >= 0 and (not found or found[-1] != records[index]):
                    found.append(records[index])
            pos = end
        return found

    def tail_records(self, count: int) -> array[int]:
        with self._lock:
            return array("Q", self._records[len(self._records) - count :] if count else b"")

    def close(self) -> None:
        """Close once the read in progress (if any) ends; later reads return nothing."""
        with self._fd_lock:
            if not self.closed:
                self.closed = True
                os.close(self.fd)

    # ------------------------------------------------------------------ reading

    def records(self) -> array[int]:
        """A snapshot of the record start offsets indexed so far (ascending)."""
        with self._lock:
            return array("Q", self._records)

    def failures(self) -> array[int]:
        """Failure record offsets: those indexed, and before them those of scan_history()."""
        with self._lock:
            history = self._history
            if history is not None and self.low > 0:
                return history[: bisect_left(history, self.low)] + self._failures
            return array("Q", self._failures)

    def record_end(self, key: int) -> int:
        if key < self.low and key in self._history_ends:
            return self._history_ends[key]
        records = self._records
        index = bisect_right(records, key)
        return records[index] if index < len(records) else self.complete_end

    def read_header(self, key: int) -> str:
        """The whole line at ``key`` (not cut for display), for parsing."""
        return self._first_line(key, whole=True)

    def read_line(self, key: int) -> str:
        """The line at ``key`` for display (a very long one cut, marked with an ellipsis)."""
        return self._first_line(key, whole=False)

    def _first_line(self, key: int, *, whole: bool) -> str:
        if self.closed:
            return ""
        data = self._read(key, MAX_LINE_BYTES + 1)
        cut = data.find(b"\n")
        if cut >= 0:
            return decode(data[:cut])
        if len(data) <= MAX_LINE_BYTES:
            return decode(data)
        if not whole:
            return decode(data[:MAX_LINE_BYTES]) + ELLIPSIS
        rest = data + self._read_to_newline(key + len(data))
        return decode(rest[:-1] if rest.endswith(b"\n") else rest)

    def _continuation_span(self, key: int) -> tuple[int, int]:
        end = self.record_end(key)
        head = self._read(key, min(end - key, MAX_LINE_BYTES * 16))
        cut = head.find(b"\n")
        if cut < 0:  # a very long header line: find its end the slow way
            start = key + len(head)
            while start < end:
                chunk = self._read(start, min(end - start, 1024 * 1024))
                found = chunk.find(b"\n")
                if found >= 0:
                    return start + found + 1, end
                start += len(chunk)
            return end, end
        return key + cut + 1, end

    def header(self, key: int) -> LogLine:
        """The parsed header line at ``key`` (a JSON event is read whole to be parsed)."""
        if self.layout.embedded_trace:
            return self.layout.parse(self.read_header(key))
        return self.layout.parse(self.read_line(key))

    def continuation_count(self, key: int) -> int:
        if self.closed:
            return 0
        if self.layout.embedded_trace:
            return len(self.read_continuation(key))
        start, end = self._continuation_span(key)
        if end - start > MAX_TRACE_BYTES:
            return MAX_TRACE_LINES
        return self._read(start, end - start).count(b"\n")

    def read_continuation(self, key: int) -> list[str]:
        if self.closed:
            return []
        if self.layout.embedded_trace:
            return self.layout.continuation(self.read_header(key), [])[:MAX_TRACE_LINES]
        start, end = self._continuation_span(key)
        data = self._read(start, min(end - start, MAX_TRACE_BYTES))
        lines = [
            decode(line[:MAX_LINE_BYTES]) + (ELLIPSIS if len(line) > MAX_LINE_BYTES else "")
            for line in data.split(b"\n")
        ]
        if lines and lines[-1] == "":
            lines.pop()
        if end - start > MAX_TRACE_BYTES or len(lines) > MAX_TRACE_LINES:
            lines = lines[:MAX_TRACE_LINES] + ["… (trace cut for display)"]
        return self.layout.continuation("", lines)

    def timestamp(self, key: int) -> str:
        if self.closed:
            return ""
        return self.layout.timestamp(self._read(key, 512))
