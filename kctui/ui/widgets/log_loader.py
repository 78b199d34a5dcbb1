"""Records of the log view read on a thread of their own, so drawing never waits for a file.

The log view asks for the records it is about to draw (:meth:`RecordLoader.want`, a queue:
no I/O) and draws a placeholder until they come; the thread that the log screen runs
(:meth:`RecordLoader.run`) reads them, newest request first, and hands them back in small
batches. On a slow mount (sshfs, NFS) the console stays responsive: only the lines not read
yet wait. This is how toolong keeps its UI thread free of ``pread``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from textual.cache import LRUCache

from kctui.logs.patterns import LogLine
from kctui.ui.widgets.log_render import fold_cause

MAX_WANTED = 512  # requests kept at most: older ones are for rows long scrolled away
BATCH_SECONDS = 0.03  # while more is asked, hand back what was read at least this often
BATCH_RECORDS = 32


class RecordReader(Protocol):
    """Where records are read (the log feed); called from the loader's thread only."""

    def header(self, packed: int) -> LogLine: ...
    def read_continuation(self, packed: int) -> list[str]: ...
    def continuation_count(self, packed: int) -> int: ...
    def worker_of(self, packed: int) -> str: ...


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    """What the view draws of one record: its header line and what is folded under it.

    ``trace`` holds the continuation lines when they were read (a failure's, or an expanded
    record's); ``cause`` is a failure's root cause for its folded line; ``stamp`` is the
    view's epoch when the record was asked for (newer invalidations make it stale).
    """

    key: int
    header: LogLine
    worker: str
    count: int
    trace: tuple[str, ...] | None
    cause: str
    stamp: int


def read_record(reader: RecordReader, key: int, *, trace: bool, stamp: int) -> LoadedRecord:
    """One record read through ``reader`` (blocking: call it off the UI thread)."""
    try:
        header = reader.header(key)
        count = reader.continuation_count(key)
        lines: tuple[str, ...] | None = None
        if count and (trace or header.is_failure):
            lines = tuple(reader.read_continuation(key))
        cause = fold_cause(list(lines)) if lines and header.is_failure else ""
        return LoadedRecord(key, header, reader.worker_of(key), count, lines, cause, stamp)
    except Exception as exc:  # noqa: BLE001 - one unreadable record must not stop the others
        shown = LogLine(text=f"(could not read this line: {exc})", is_header=True)
        return LoadedRecord(key, shown, "", 0, (), "", stamp)


class RecordLoader:
    """A queue of records to read, and the loop that reads them (:meth:`run`, on a thread)."""

    def __init__(self, reader: RecordReader) -> None:
        self.reader = reader
        self._wanted: dict[int, tuple[bool, int]] = {}  # key -> (with trace, stamp), oldest first
        self._changed = threading.Condition()
        self._closed = False

    def want(self, key: int, *, trace: bool, stamp: int) -> list[int]:
        """Ask for a record (the most recent request is read first); never blocks on I/O.

        Returns the keys whose requests were dropped to make room (the oldest): they are
        not coming, ask again when they are needed.
        """
        dropped: list[int] = []
        with self._changed:
            previous = self._wanted.pop(key, None)
            if previous is not None:
                trace = trace or previous[0]
            self._wanted[key] = (trace, stamp)
            while len(self._wanted) > MAX_WANTED:
                oldest = next(iter(self._wanted))
                del self._wanted[oldest]
                dropped.append(oldest)
            self._changed.notify()
        return dropped

    def close(self) -> None:
        """Stop :meth:`run` (after the read in progress)."""
        with self._changed:
            self._closed = True
            self._changed.notify()

    def _next(self, wait: float) -> tuple[int, bool, int] | None:
        with self._changed:
            if not self._wanted and not self._closed and wait > 0:
                self._changed.wait(wait)
            if self._closed or not self._wanted:
                return None
            key, (trace, stamp) = self._wanted.popitem()  # the newest request
            return key, trace, stamp

    def run(
        self,
        deliver: Callable[[list[LoadedRecord]], None],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        """Read what is asked until closed or cancelled; ``deliver`` gets each batch read."""
        batch: list[LoadedRecord] = []
        first = 0.0  # when the batch's first read started
        while not self._closed and not cancelled():
            wanted = self._next(0.0 if batch else 0.5)  # nothing more asked: deliver now
            if wanted is not None:
                key, trace, stamp = wanted
                if not batch:
                    first = time.monotonic()
                batch.append(read_record(self.reader, key, trace=trace, stamp=stamp))
            full = len(batch) >= BATCH_RECORDS or time.monotonic() - first >= BATCH_SECONDS
            if batch and (wanted is None or full):
                deliver(batch)
                batch = []


class RecordStore:
    """The records the view has read (small LRU caches) and what it asked the loader for.

    Records asked for before an epoch are stale: drawn as they were, and asked for again
    (all of them when the rows change, one when the last record grew while followed).
    """

    def __init__(self, loader: RecordLoader) -> None:
        self.loader = loader
        self._records: LRUCache[int, LoadedRecord] = LRUCache(2048)  # without their traces
        self._traces: LRUCache[int, tuple[str, ...]] = LRUCache(64)
        self._epoch = 0
        self._fresh_from = 0  # every record
        self._key_fresh_from: dict[int, int] = {}  # one record
        self._asked: dict[int, tuple[int, bool]] = {}  # key -> (epoch, with trace) on its way

    def invalidate(self, key: int | None = None) -> None:
        """Every record (``key`` None) or one is stale from now on."""
        self._epoch += 1
        if key is None:
            self._fresh_from = self._epoch
            self._key_fresh_from.clear()
        else:
            self._key_fresh_from[key] = self._epoch

    def get(self, key: int, *, trace: bool = False) -> LoadedRecord | None:
        """The record as last read (None: not read yet); a missing or stale one is asked
        for (``trace``: with its continuation lines)."""
        found = self._records.get(key)
        needed = max(self._fresh_from, self._key_fresh_from.get(key, 0))
        if found is None or found.stamp < needed:
            self.ask(key, trace, needed)
        elif trace and found.count and key not in self._traces:
            self.ask(key, trace, needed)
        return found

    def trace(self, key: int) -> tuple[str, ...] | None:
        """A record's continuation lines as last read (None: not read yet)."""
        return self._traces.get(key)

    def ask(self, key: int, trace: bool, needed: int | None = None) -> None:
        """Ask the loader for a record, once (not again while it is on its way)."""
        asked = self._asked.get(key)
        needed = self._epoch if needed is None else needed
        if asked is not None and asked[0] >= needed and (asked[1] or not trace):
            return
        self._asked[key] = (self._epoch, trace)
        for dropped in self.loader.want(key, trace=trace, stamp=self._epoch):
            self._asked.pop(dropped, None)

    def store(self, loaded: LoadedRecord) -> bool:
        """Keep a record read; False when a newer read of it is already kept."""
        key = loaded.key
        current = self._records.get(key)
        if current is not None and current.stamp > loaded.stamp:
            return False  # an older read finished after a newer one
        if loaded.stamp >= self._key_fresh_from.get(key, 0):
            self._key_fresh_from.pop(key, None)
        asked = self._asked.get(key)
        if asked is not None and loaded.stamp >= asked[0]:
            if not asked[1] or loaded.trace is not None or not loaded.count:
                del self._asked[key]
        # (textual's LRUCache keeps the first value set for a key: replacing is discarding)
        self._records.discard(key)
        self._records[key] = replace(loaded, trace=None)
        if loaded.trace is not None:
            self._traces.discard(key)
            self._traces[key] = loaded.trace
        return True
