"""Find the failure records of a log file fast, with the same answers as the line parser.

The slow way (:func:`failures_slow`) parses every line with the layout's parser and groups
records as :func:`~kctui.logs.layouts.group_records` does. The fast way (:func:`scan_failures`)
reads the file in large chunks, finds the lines that may be failures with the layout's bytes
patterns (:mod:`kctui.logs.fastpath`: plain searches for its level words, or one candidates
pattern), and parses only those plus the lines where a failure's trace may end
(:func:`trace_end`). Both return the same :class:`FailureRecord` list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kctui.logs.layouts import DEFAULT, Layout, detect
from kctui.logs.patterns import LogLine

CHUNK = 16 * 1024 * 1024
READ_STEP = 1024 * 1024
HEAD_BYTES = 64 * 1024  # where a file's layout is detected


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """A failure header line at ``offset`` whose record (with its trace) ends at ``end``."""

    offset: int
    end: int
    text: str  # the header line, decoded
    layout: Layout = field(default=DEFAULT, compare=False, repr=False)

    @property
    def line(self) -> LogLine:
        """The parsed header line (connector, task, level, kind)."""
        return self.layout.parse(self.text)


def decode_line(raw: bytes) -> str:
    """A raw line as the file readers decode it (invalid UTF-8 becomes U+FFFD)."""
    return raw.decode("utf-8", "replace").rstrip("\r")


def failures_slow(data: bytes, base: int = 0, layout: Layout = DEFAULT) -> list[FailureRecord]:
    """Failure records of ``data`` (complete lines at file offset ``base``), line by line."""
    found: list[FailureRecord] = []
    current: tuple[int, str] | None = None
    offset = base
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for index, raw in enumerate(lines):
        text = decode_line(raw)
        line = layout.parse(text)
        if line.is_header or index == 0:
            if current is not None:
                found.append(FailureRecord(current[0], offset, current[1], layout))
            current = (offset, text) if line.is_failure else None
        offset += len(raw) + 1
    if current is not None:
        end = min(offset, base + len(data))
        found.append(FailureRecord(current[0], end, current[1], layout))
    return found


def trace_end(data: bytes, pos: int, stop: int, layout: Layout = DEFAULT) -> int | None:
    """Offset (in ``data``) of the first line in [pos, stop) that starts a record, or None.

    ``pos`` is a line start. Runs of trace lines are skipped at regex speed: only the lines
    the layout's record-start pattern accepts, and lines holding its ``maybe_header`` bytes
    (a header that begins like a trace line), are confirmed by its parser.
    """
    maybe = layout.maybe_header
    while pos < stop:
        if pos == 0 or data[pos - 1] != 10:  # no newline before pos to search from
            plain = pos
        else:
            found = layout.record_start.search(data, pos - 1, stop)
            plain = found.start() + 1 if found else stop
        odd = maybe.search(data, pos, plain) if maybe is not None and plain > pos else None
        if odd is not None:
            at = data.rfind(b"\n", 0, odd.start()) + 1
        elif plain < stop:
            at = plain
        else:
            return None
        newline = data.find(b"\n", at, stop)
        line_end = stop if newline < 0 else newline
        if layout.starts_record(data[at:line_end]):
            return at
        pos = line_end + 1
    return None


def _token_lines(
    data: bytes, token: bytes, start: int, stop: int, limit: int, lines: dict[int, int]
) -> None:
    """Add (line start -> line end) of the lines starting in [start, stop) holding ``token``."""
    pos = start
    find, rfind = data.find, data.rfind
    while True:
        at = find(token, pos, limit)
        if at < 0:
            return
        line_start = rfind(b"\n", 0, at) + 1
        if line_start >= stop:
            return
        newline = find(b"\n", at, limit)
        line_end = limit if newline < 0 else newline
        if line_start >= start:
            lines[line_start] = line_end
        pos = line_end + 1


def _warn_lines(
    data: bytes, start: int, stop: int, limit: int, layout: Layout, lines: dict[int, int]
) -> None:
    """Add the lines holding the WARN word and a failure wording (looked for after the word
    when the layout writes the message after the level, the usual case)."""
    pos, token, after = start, layout.warn_token, layout.message_after_level
    find, rfind = data.find, data.rfind
    while True:
        at = find(token, pos, limit)
        if at < 0:
            return
        newline = find(b"\n", at, limit)
        line_end = limit if newline < 0 else newline
        pos = line_end + 1
        if after and not layout.is_warn_failure(data, at, line_end):
            continue
        line_start = rfind(b"\n", 0, at) + 1
        if not after and not layout.is_warn_failure(data, line_start, line_end):
            continue
        if line_start >= stop:
            return
        if line_start >= start and line_start not in lines:
            lines[line_start] = line_end


def _candidate_lines(
    data: bytes, start: int, stop: int, limit: int, pattern: re.Pattern[bytes]
) -> dict[int, int]:
    """(line start -> line end) of the lines starting in [start, stop) holding a match."""
    lines: dict[int, int] = {}
    for match in pattern.finditer(data, start, limit):
        at = match.start()
        line_start = data.rfind(b"\n", 0, at) + 1
        if line_start >= stop:
            break
        if line_start < start or line_start in lines:
            continue
        newline = data.find(b"\n", at, limit)
        lines[line_start] = limit if newline < 0 else newline
    return lines


def failure_lines(
    data: bytes, start: int, stop: int, limit: int | None = None, layout: Layout = DEFAULT
) -> list[tuple[int, int]]:
    """(line start, line end) of the failure lines starting in [start, stop).

    ``data[:limit]`` must hold each of those lines whole (up to its newline or ``limit``).
    The layout's bytes patterns find the lines that may be failures, its parser decides.
    """
    end = len(data) if limit is None else limit
    if layout.candidates is not None:  # levels in any case: one pattern finds them
        lines = _candidate_lines(data, start, stop, end, layout.candidates)
    else:  # plain substring searches for the level words (C speed)
        lines = {}
        for token in layout.level_tokens:
            _token_lines(data, token, start, stop, end, lines)
        _warn_lines(data, start, stop, end, layout, lines)
    sure, parse = layout.sure_failure, layout.parse
    found = []
    for line_start in sorted(lines):
        line_end = lines[line_start]
        if (sure is not None and sure.match(data, line_start, line_end) is not None) or parse(
            decode_line(data[line_start:line_end])
        ).is_failure:
            found.append((line_start, line_end))
    return found


def _chunk(read: Callable[[int, int], bytes], pos: int, end: int, size: int) -> tuple[bytes, int]:
    """Bytes from ``pos`` and how many of them are complete lines (more when a line is long)."""
    data = read(pos, min(size, end - pos))
    if pos + len(data) >= end:
        return data, len(data)
    cut = data.rfind(b"\n") + 1
    if cut:
        return data, cut
    data += read_to_newline(read, pos + len(data), end)  # a line longer than the chunk
    return data, len(data)


def read_to_newline(read: Callable[[int, int], bytes], pos: int, end: int) -> bytes:
    """Bytes from ``pos`` up to and including the next newline (or ``end``)."""
    parts = []
    while pos < end:
        more = read(pos, min(READ_STEP, end - pos))
        if not more:
            break
        newline = more.find(b"\n")
        if newline >= 0:
            parts.append(more[: newline + 1])
            break
        parts.append(more)
        pos += len(more)
    return b"".join(parts)


def scan_failures(
    fd: int, start: int, end: int, *, chunk: int = CHUNK, layout: Layout = DEFAULT
) -> list[FailureRecord]:
    """Failure records whose header starts in [start, end) of an open file.

    ``start`` must be the start of a line, ``end`` the end of one (or of the file). The
    answer equals ``failures_slow(file[start:end], start)``.
    """

    def read(at: int, length: int) -> bytes:
        return os.pread(fd, length, at) if length > 0 else b""

    found: list[FailureRecord] = []
    pending: tuple[int, str] | None = None  # a failure whose trace runs past the chunk
    pos = start
    while pos < end:
        data, size = _chunk(read, pos, end, chunk)
        if not size:
            break
        if pending is not None:
            stop = trace_end(data, 0, size, layout)
            if stop is None:
                pos += size
                continue
            found.append(FailureRecord(pending[0], pos + stop, pending[1], layout))
            pending = None
        for line_start, line_end in failure_lines(data, 0, size, size, layout):
            text = decode_line(data[line_start:line_end])
            stop = trace_end(data, line_end + 1, size, layout)
            if stop is None:
                pending = (pos + line_start, text)
            else:
                found.append(FailureRecord(pos + line_start, pos + stop, text, layout))
        pos += size
    if pending is not None:
        found.append(FailureRecord(pending[0], pos, pending[1], layout))
    return found


def head_lines(fd: int, size: int = HEAD_BYTES) -> list[str]:
    """The first complete lines of an open file (to detect its layout)."""
    data = os.pread(fd, size, 0)
    if len(data) == size:
        data = data[: data.rfind(b"\n") + 1]
    return [decode_line(raw) for raw in data.split(b"\n")[:-1]] if data else []


def scan_file(
    path: str, *, chunk: int = CHUNK, layout: Layout | None = None
) -> list[FailureRecord]:
    """:func:`scan_failures` over the complete lines of the file at ``path``.

    ``layout``: the file's layout (default: detected from its first lines).
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        if layout is None:
            layout = detect(head_lines(fd))
        size = os.fstat(fd).st_size
        tail = os.pread(fd, min(size, 64 * 1024), max(0, size - 64 * 1024))
        end = size
        if tail and not tail.endswith(b"\n"):
            end = _complete_end(fd, size)
        return scan_failures(fd, 0, end, chunk=chunk, layout=layout)
    finally:
        os.close(fd)


def _complete_end(fd: int, size: int) -> int:
    pos = size
    while pos > 0:
        start = max(0, pos - READ_STEP)
        found = os.pread(fd, pos - start, start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        pos = start
    return 0
