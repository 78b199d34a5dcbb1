"""The backward file index and the bounded memory log."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from kctui.logs.filters import LogFilter
from kctui.logs.index import ELLIPSIS, MAX_LINE_BYTES, FileIndex
from kctui.logs.layouts import group_records, parse_line
from kctui.logs.memory import MemoryLog

FIXTURE = Path(__file__).parent.parent / "fixtures" / "logs" / "sandbox-connect.log"


def naive_starts(data: bytes) -> tuple[list[int], list[int]]:
    """Record starts and failure starts computed line by line (the slow, obvious way)."""
    starts: list[int] = []
    failures: list[int] = []
    offset = 0
    for raw in data.split(b"\n")[:-1]:
        line = parse_line(raw.decode("utf-8", "replace"))
        if line.is_header or offset == 0:
            starts.append(offset)
            if line.is_failure:
                failures.append(offset)
        offset += len(raw) + 1
    return starts, failures


def full_index(path: Path, budget: int = 4096) -> FileIndex:
    index = FileIndex(str(path))
    while not index.done:
        index.scan_back(budget)
    return index


@pytest.mark.parametrize("budget", [1, 7, 100, 4096, 1 << 20])
def test_backward_scan_matches_line_by_line_grouping(tmp_path: Path, budget: int) -> None:
    data = FIXTURE.read_bytes()
    log = tmp_path / "connect.log"
    log.write_bytes(data)
    index = full_index(log, budget)
    starts, failures = naive_starts(data)
    assert list(index.records()) == starts
    assert list(index.failures()) == failures
    records = list(group_records(data.decode().splitlines()))
    assert len(records) == len(starts)
    for key, record in zip(index.records(), records, strict=True):
        assert index.read_line(key) == record.line.text
        assert index.read_continuation(key) == list(record.continuation)
        assert index.continuation_count(key) == len(record.continuation)


def test_random_shuffles_of_real_records(tmp_path: Path) -> None:
    records = list(group_records(FIXTURE.read_text(encoding="utf-8").splitlines()))
    rng = random.Random(7)
    for attempt in range(5):
        rng.shuffle(records)
        data = ("\n".join(r.text for r in records) + "\n").encode()
        log = tmp_path / f"shuffled-{attempt}.log"
        log.write_bytes(data)
        assert list(full_index(log, rng.randint(50, 5000)).records()) == naive_starts(data)[0]


def test_last_screen_is_available_before_the_whole_file_is_indexed(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    line = "[2026-11-24 00:00:00,000] INFO [c|task-0] filler line number {} (a.B:1)\n"
    log.write_text("".join(line.format(i) for i in range(50_000)), encoding="utf-8")
    index = FileIndex(str(log))
    index.scan_back(64 * 1024)
    assert not index.done
    tail = index.records()
    assert 500 < len(tail) < 50_000
    assert "number 49999" in index.read_line(tail[-1])
    while not index.done:
        index.scan_back(1 << 20)
    assert len(index.records()) == 50_000
    assert index.records().itemsize == 8  # array('Q'): 8 bytes per record, no objects


def test_growth_partial_lines_and_truncation(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_bytes(b"[2026-11-24 00:00:00,000] INFO first (a.B:1)\n")
    index = full_index(log)
    assert len(index.records()) == 1
    with log.open("ab") as out:
        out.write(b"[2026-11-24 00:00:01,000] ERROR [x|task-0] Failed to start task x-0 (a:1)\n")
        out.write(b"\tat a.b(C.java:1)\n[2026-11-24 00:00:02,000] INFO half-writ")
    assert index.extend() == 1  # the half-written line waits for its newline
    assert index.read_continuation(index.records()[-1]) == ["\tat a.b(C.java:1)"]
    assert len(index.failures()) == 1
    with log.open("ab") as out:
        out.write(b"ten (a.B:1)\n")
    assert index.extend() == 1
    assert index.read_line(index.records()[-1]).endswith("half-written (a.B:1)")
    log.write_bytes(b"short\n")
    assert index.extend() is None  # truncated: the caller starts a new index


def test_long_lines_and_invalid_utf8(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    with log.open("wb") as out:
        out.write(b"[2026-11-24 00:00:00,000] INFO bad \xff\xfe bytes (a.B:1)\n")
        out.write(b"[2026-11-24 00:00:01,000] INFO " + b"x" * (50 * 1024 * 1024) + b"\n")
        out.write(b"\x00\x01binary garbage\x02\n")
        out.write(b"[2026-11-24 00:00:02,000] INFO after (a.B:1)\n")
    index = full_index(log, 1 << 20)
    keys = index.records()
    assert len(keys) == 4
    assert "\ufffd" in index.read_line(keys[0])
    long_line = index.read_line(keys[1])
    assert long_line.endswith(ELLIPSIS) and len(long_line) <= MAX_LINE_BYTES + len(ELLIPSIS)
    assert index.continuation_count(keys[1]) == 0
    assert index.read_line(keys[3]).endswith("after (a.B:1)")


def test_candidates_find_records_by_text_in_their_trace(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_bytes(FIXTURE.read_bytes())
    index = full_index(log)
    flt = LogFilter(text="NoSuchFileException")
    pattern = flt.prefilter()
    assert pattern is not None
    found = index.candidates(pattern, index.records())
    assert len(found) == 1
    assert parse_line(index.read_line(found[0])).connector == "demo-failing-sink"


def test_empty_and_unterminated_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert len(full_index(empty).records()) == 0
    partial = tmp_path / "partial.log"
    partial.write_bytes(b"no newline yet")
    index = full_index(partial)
    assert len(index.records()) == 0
    index.close()
    assert index.read_line(0) == ""


def test_memory_log_keeps_at_most_max_lines() -> None:
    log = MemoryLog(max_lines=100)
    for batch in range(20):
        lines = [f"[2026-11-24 00:00:00,000] INFO line {batch}-{i} (a.B:1)" for i in range(40)]
        lines.append("\tat trace.Line(X.java:1)")
        log.append_lines(lines)
        assert log.line_count <= 100 + 100 // 8 + 41
    keys = log.records()
    assert keys[0] >= log.first_key
    assert log.read_line(keys[-1]).endswith("line 19-39 (a.B:1)")
    assert log.read_continuation(keys[-1]) == ["\tat trace.Line(X.java:1)"]
    assert log.read_line(0) == ""  # dropped long ago
    assert log.dropped == log.first_key > 0


def test_memory_log_failures_and_bad_cap() -> None:
    log = MemoryLog(10)
    log.append_lines(["[2026-11-24 00:00:00,000] ERROR [x|task-0] Task threw an uncaught (a:1)"])
    assert list(log.failures()) == [0]
    assert log.timestamp(0) == "2026-11-24 00:00:00,000"
    with pytest.raises(ValueError, match="max_lines"):
        MemoryLog(0)


def test_unreadable_file_raises_permission_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "secret.log"
    log.write_text("x\n")
    real_open = os.open

    def deny(path: str, *args: object, **kwargs: object) -> int:
        if str(path) == str(log):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(PermissionError):
        FileIndex(str(log))


def test_growth_is_indexed_in_bounded_steps(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_bytes(b"")
    index = full_index(log)
    row = "[2026-11-24 00:00:00,000] INFO [c|task-0] appended line {:06d} (a.B:1)\n"
    log.write_text("".join(row.format(i) for i in range(40_000)), encoding="utf-8")
    steps = []
    while True:
        steps.append(index.extend(max_bytes=256 * 1024))
        if not index.pending:
            break
    assert len(steps) > 5 and sum(s or 0 for s in steps) == 40_000
    assert index.read_line(index.records()[-1]).endswith("line 039999 (a.B:1)")
    assert index.extend() == 0
