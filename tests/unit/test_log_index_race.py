"""The feed's thread closes a file's index (truncation, rotation) while the UI thread reads
lines from it: a read gets the old file's text or nothing, never EBADF, never the text of the
file opened next under the same descriptor number."""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kctui.logs.feed import LogFeed
from kctui.logs.filters import LogFilter
from kctui.logs.index import FileIndex
from kctui.settings import LogSource

OLD = "[2026-01-05 10:00:00,000] INFO old line of the first file (org.example.Old:1)\n"
NEW = "[2026-01-05 11:00:00,000] INFO new line after truncation (org.example.New:2)\n"


@pytest.fixture(autouse=True)
def _switch_threads_often() -> Iterator[None]:
    """Switch threads every 10 microseconds so the reader is often stopped mid-read."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(before)


def _read_while(read: Callable[[], str], change: Callable[[], None]) -> tuple[set[str], list[str]]:
    """Call ``read`` in a thread until ``change`` (run here) returns; what it saw and errors."""
    seen: set[str] = set()
    errors: list[str] = []
    started = threading.Event()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.add(read())
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(repr(exc))
            started.set()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert started.wait(10)
        change()
    finally:
        stop.set()
        thread.join(10)
    return seen, errors


def test_closing_an_index_while_another_thread_reads_it(tmp_path: Path) -> None:
    old, new = tmp_path / "old.log", tmp_path / "new.log"
    old.write_text(OLD * 50)
    new.write_text(NEW * 50)
    seen: set[str] = set()
    errors: list[str] = []
    for _ in range(40):
        index = FileIndex(str(old))

        def close_and_reuse_the_number(index: FileIndex = index) -> None:
            index.close()
            fds = [os.open(new, os.O_RDONLY) for _ in range(3)]  # likely the freed number
            try:
                for _ in range(200):
                    os.sched_yield()
            finally:
                for fd in fds:
                    os.close(fd)

        more, problems = _read_while(
            functools.partial(index.read_line, 0), close_and_reuse_the_number
        )
        seen |= more
        errors += problems
    assert errors == []
    assert seen <= {OLD.rstrip("\n"), ""}
    assert OLD.rstrip("\n") in seen and "" in seen  # both sides of the race happened


def test_truncation_while_the_view_reads_the_old_records(tmp_path: Path) -> None:
    path = tmp_path / "connect.log"
    path.write_text(OLD * 200)
    feed = LogFeed([LogSource(worker="w1", path=str(path))])
    feed.step()
    while feed.step().scanning:
        pass
    old_rows = feed.build(LogFilter()).rows
    assert len(old_rows) == 200

    def truncate_and_follow() -> None:
        with open(path, "w") as handle:  # truncated, then other text at the same offsets
            handle.write(NEW * 10)
        step = feed.step()  # the pump: drops the old index, opens the file again
        assert any("truncated" in notice.message for notice in step.notices)
        for _ in range(2000):
            os.sched_yield()

    seen, errors = _read_while(lambda: feed.read_line(old_rows[-1]), truncate_and_follow)
    feed.close()
    assert errors == []
    assert NEW.rstrip("\n") not in seen  # never the new file's text under an old key
