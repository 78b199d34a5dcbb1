"""The log view never reads a file while drawing: on a slow file system (a stand-in whose
reads sleep, as on an sshfs or NFS mount) it draws placeholders, its reader thread fills
them, and the UI loop never stalls over 50 ms."""

from __future__ import annotations

import asyncio
import gc
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.strip import Strip

from kctui.diagnose import builtin_rules
from kctui.logs.feed import LogFeed
from kctui.logs.patterns import LogLine
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.log_view import PLACEHOLDER, LogView
from tests.ui.test_log_screen import TRACE, LogApp, all_read, cluster_for, until, write_log

SLOW_READ = 0.15  # seconds one read takes on the slow mount: three times the allowed stall
MAX_STALL = 0.05


class SlowFeed(LogFeed):
    """A log feed on a slow mount: every read of a record sleeps; the readers are noted."""

    readers: set[int]

    def _slow(self) -> None:
        self.readers.add(threading.get_ident())
        time.sleep(SLOW_READ)  # the slow mount itself, not a wait of the test

    def header(self, packed: int) -> LogLine:
        self._slow()
        return super().header(packed)

    def continuation_count(self, packed: int) -> int:
        self._slow()
        return super().continuation_count(packed)

    def read_continuation(self, packed: int) -> list[str]:
        self._slow()
        return super().read_continuation(packed)


def _switches() -> tuple[int, int]:
    """This thread's context switches so far, (blocked, preempted); (0, 0) where unknown."""
    who = getattr(resource, "RUSAGE_THREAD", None)
    if who is None:
        return 0, 0
    usage = resource.getrusage(who)
    return usage.ru_nvcsw, usage.ru_nivcsw


class LoopWatch:
    """The longest single step of the event loop (each callback or task step it runs): how
    long the UI stays frozen. A step that blocked (a read on the UI thread would, for at
    least ``SLOW_READ``) counts its wall time; one that never blocked counts its CPU time,
    so that the OS handing a loaded machine's CPU to other processes is not counted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.longest = 0.0
        self.what = ""
        self.watching = False
        original = asyncio.events.Handle._run

        def run(handle: asyncio.Handle) -> None:
            switches, cpu, started = _switches(), time.thread_time(), time.perf_counter()
            try:
                original(handle)
            finally:
                blocked = _switches()[0] != switches[0] or switches == (0, 0)
                took = time.perf_counter() - started if blocked else time.thread_time() - cpu
                if self.watching and took > self.longest:
                    self.longest, self.what = took, repr(handle)[:300]

        monkeypatch.setattr(asyncio.events.Handle, "_run", run)


def drawn_lines(view: LogView) -> list[str]:
    """Every line the view draws from now on, as plain text."""
    lines: list[str] = []
    original: Callable[[int], Strip] = view.render_line

    def render_line(y: int) -> Strip:
        strip = original(y)
        lines.append("".join(segment.text for segment in strip).rstrip())
        return strip

    view.render_line = render_line  # type: ignore[method-assign]
    return lines


async def test_slow_reads_show_placeholders_and_never_stall_the_ui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "connect.log"
    write_log(log, count=60, failures_at=(30, 55))
    cluster = cluster_for(log)
    feed = SlowFeed(cluster.logs)
    feed.readers = set()
    builtin_rules()  # the console loads the diagnosis rules before it starts
    watch = LoopWatch(monkeypatch)
    screen = LogScreen(cluster, feed=feed)
    async with LogApp(screen).run_test(size=(120, 12)) as pilot:
        view = screen.query_one(LogView)
        drawn = drawn_lines(view)
        # Before the first rows come, until every record shown is read. Garbage collection
        # pauses are the interpreter's, not the view's: they are kept out of the measure.
        gc.disable()
        watch.watching = True
        try:
            await until(pilot, lambda: len(view.rows) == 62)
            await until(pilot, lambda: all_read(view), timeout=30)
            await pilot.press("N", "enter")  # the last failure, unfolded once its trace is read
            key = view.rows[view.cursor]
            await until(pilot, lambda: view.is_expanded(key) and all_read(view), timeout=30)
        finally:
            watch.watching = False
            gc.enable()
        stalled = f"the UI loop stalled {watch.longest * 1000:.0f} ms in {watch.what}"
        assert watch.longest < MAX_STALL, stalled
        assert PLACEHOLDER.strip() in {line.strip() for line in drawn}
        assert any("record batch 59" in line for line in drawn)  # filled in by the reader
        assert view.trace(key) == tuple(TRACE)
        assert feed.readers and threading.get_ident() not in feed.readers
