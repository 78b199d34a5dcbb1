"""All the log sources of a cluster as one merged, filterable sequence of records.

A :class:`LogFeed` is driven by one thread (the log screen's worker): :meth:`LogFeed.step`
follows files (rotation, truncation, appearing later) and commands, and continues the
backward indexing of big files; :meth:`LogFeed.build` selects the records a
:class:`~kctui.logs.patterns.LogFilter` keeps, merged by timestamp across workers. A
record is named by a packed key: store id in the high 16 bits, offset or line number below.
"""

from __future__ import annotations

import os
import threading
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from kctui.logs.filters import LogFilter
from kctui.logs.index import FileIndex
from kctui.logs.layouts import Layout, for_source
from kctui.logs.memory import MemoryLog
from kctui.logs.patterns import LogLine
from kctui.logs.sources import CommandSource, Notice, expand_path, followed_path, open_problem
from kctui.logs.timecache import NO_TIME, TimeCache
from kctui.settings import LogSource

SHIFT = 48
KEY_MASK = (1 << SHIFT) - 1
FIRST_BUDGET = 256 * 1024
MAX_BUDGET = 64 * 1024 * 1024
MAX_ROTATED = 8
_LOW_64 = (1 << 64) - 1


def pack(store_id: int, key: int) -> int:
    return (store_id << SHIFT) | key


@dataclass
class Store:
    """One file (or one command's output) and the worker it belongs to."""

    store_id: int
    worker: str
    data: FileIndex | MemoryLog
    budget: int = FIRST_BUDGET
    backfill: bool = True  # index the file's history backwards (off: only what is appended)
    times: TimeCache = field(default_factory=TimeCache)  # for merging with other stores

    @property
    def scanning(self) -> bool:
        return self.backfill and isinstance(self.data, FileIndex) and not self.data.done


@dataclass(frozen=True)
class FeedStep:
    """What one step changed: new records per store, or a structural change (rebuild)."""

    appended: dict[int, array[int]] = field(default_factory=dict)
    changed: bool = False
    notices: tuple[Notice, ...] = ()
    scanning: bool = False


@dataclass(frozen=True)
class Rows:
    """Packed record keys to show, and the positions (in ``rows``) of failure records."""

    rows: array[int]
    failure_rows: array[int]


class _FileFeed:
    """A configured path or glob: the followed file plus rotated files kept readable."""

    def __init__(self, feed: LogFeed, source: LogSource) -> None:
        self.feed, self.worker = feed, source.worker
        self.layout: Layout | None = for_source(source.layout, source.pattern)
        self.pattern = os.path.expanduser(source.path or "")
        self.current: Store | None = None
        self.rotated: list[Store] = []
        self.waiting: str | None = None

    def start(self, notices: list[Notice]) -> None:
        follow = followed_path(self.pattern)
        for path in expand_path(self.pattern):
            if path != follow:
                store = self._open(path, notices)
                if store is not None:
                    self.rotated.append(store)
        self.poll(notices, {})

    def _open(self, path: str, notices: list[Notice]) -> Store | None:
        try:
            index = FileIndex(path, layout=self.layout)
        except OSError as exc:
            self._tell(*open_problem(path, exc), notices)
            return None
        if self.waiting is not None:
            notices.append(Notice(self.worker, f"{path}: file appeared", "information"))
        self.waiting = None
        return self.feed.add_store(self.worker, index)

    def _tell(self, message: str, severity: str, notices: list[Notice]) -> None:
        if self.waiting != message:
            self.waiting = message
            notices.append(Notice(self.worker, message, severity))

    def _retire(self, store: Store) -> None:
        self.rotated.append(store)
        while len(self.rotated) > MAX_ROTATED:
            self.feed.drop_store(self.rotated.pop(0))

    def poll(self, notices: list[Notice], appended: dict[int, array[int]]) -> bool:
        """Follow the file; True when stores were added or dropped (the view must rebuild)."""
        current = self.current
        if current is not None and isinstance(current.data, FileIndex):
            path: str | None = current.data.path
        else:
            path = followed_path(self.pattern)
        if path is None:
            self._tell(f"{self.pattern}: no file matches yet", "warning", notices)
            return False
        try:
            stat = os.stat(path)
            inode: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
        except OSError:
            inode = None
        if current is not None:
            index = current.data
            assert isinstance(index, FileIndex)
            grown = index.extend()
            if grown is None:  # truncated: what we indexed is gone
                notices.append(Notice(self.worker, f"{path}: file truncated", "warning"))
                self.feed.drop_store(current)
                self.current = self._open(path, notices)
                return True
            if grown:
                appended[current.store_id] = index.tail_records(grown)
            if inode == index.inode:
                return False
            self._retire(current)
            self.current = None
            if inode is None:
                self._tell(f"{path}: file deleted, waiting for it again", "warning", notices)
                return bool(grown)
            notices.append(Notice(self.worker, f"{path}: file rotated", "information"))
        if inode is None and self.current is None and not os.path.exists(path):
            if self.waiting is None:  # not again after "file deleted, waiting for it again"
                self._tell(f"{path}: waiting for the file to appear", "warning", notices)
            return current is not None
        self.current = self._open(path, notices)
        return self.current is not None or current is not None


class _CommandFeed:
    def __init__(self, feed: LogFeed, source: LogSource, max_lines: int) -> None:
        assert source.command is not None
        self.command = CommandSource(source.command, shell=source.shell, worker=source.worker)
        layout = for_source(source.layout, source.pattern)
        self.store = feed.add_store(source.worker, MemoryLog(max_lines, layout=layout))
        self.dropped = 0

    def poll(self, notices: list[Notice], appended: dict[int, array[int]]) -> bool:
        lines, news = self.command.poll()
        notices.extend(news)
        log = self.store.data
        assert isinstance(log, MemoryLog)
        if lines:
            added = log.append_lines(lines)
            if added:
                appended[self.store.store_id] = log.tail_records(added)
        if log.dropped != self.dropped:
            self.dropped = log.dropped
            return True
        return False


class LogFeed:
    """The stores of some log sources; drive it from ONE thread with :meth:`step`."""

    def __init__(
        self,
        sources: Sequence[LogSource],
        *,
        max_command_lines: int = 100_000,
        index_history: bool = True,
    ) -> None:
        """``index_history=False``: files are not indexed backwards (a failures-only reader
        finds their past failures with the fast scan instead)."""
        self.sources = tuple(sources)
        self.max_command_lines = max_command_lines
        self.index_history = index_history
        self.stores: dict[int, Store] = {}
        self._next_id = 0
        self._files: list[_FileFeed] = []
        self._commands: list[_CommandFeed] = []
        self._restart = threading.Event()
        self._started = False

    @property
    def workers(self) -> list[str]:
        return list(dict.fromkeys(s.worker for s in self.sources))

    @property
    def commands_running(self) -> bool:
        """Some command is still running or its output is still being read."""
        return any(not f.command.finished for f in self._commands)

    def add_store(self, worker: str, data: FileIndex | MemoryLog) -> Store:
        store = Store(self._next_id, worker, data, backfill=self.index_history)
        self._next_id += 1
        self.stores[store.store_id] = store
        return store

    def drop_store(self, store: Store) -> None:
        self.stores.pop(store.store_id, None)
        if isinstance(store.data, FileIndex):
            store.data.close()

    def start(self) -> list[Notice]:
        notices: list[Notice] = []
        for source in self.sources:
            if source.command:
                try:
                    cap = source.max_lines or self.max_command_lines
                    feed = _CommandFeed(self, source, cap)
                except ValueError as exc:
                    notices.append(Notice(source.worker, str(exc), "error"))
                    continue
                feed.command.start()
                self._commands.append(feed)
            else:
                file_feed = _FileFeed(self, source)
                file_feed.start(notices)
                self._files.append(file_feed)
        self._started = True
        return notices

    def request_restart(self) -> None:
        """Restart the commands that stopped (done by the next :meth:`step`)."""
        self._restart.set()

    def step(self) -> FeedStep:
        """Follow every source once and index a little more of the big files backwards."""
        notices: list[Notice] = [] if self._started else self.start()
        appended: dict[int, array[int]] = {}
        changed = False
        if self._restart.is_set():
            self._restart.clear()
            for feed in self._commands:
                if not feed.command.running:
                    feed.command.restart()
                    notices.append(Notice(feed.store.worker, "command restarted"))
        for file_feed in self._files:
            changed = file_feed.poll(notices, appended) or changed
        for command_feed in self._commands:
            changed = command_feed.poll(notices, appended) or changed
        for store in list(self.stores.values()):
            if store.scanning and isinstance(store.data, FileIndex):
                store.data.scan_back(store.budget)
                store.budget = min(MAX_BUDGET, store.budget * 2)
                changed = True
        scanning = any(
            s.scanning or (isinstance(s.data, FileIndex) and s.data.pending)
            for s in self.stores.values()
        )
        return FeedStep(appended, changed, tuple(notices), scanning)

    def progress(self) -> float:
        """How much of the files is indexed (1.0 once every backward scan is done)."""
        total = indexed = 0
        for store in self.stores.values():
            if isinstance(store.data, FileIndex):
                total += store.data.complete_end
                indexed += store.data.complete_end - store.data.low
        return indexed / total if total else 1.0

    def close(self) -> None:
        for feed in self._commands:
            feed.command.close()
        for store in list(self.stores.values()):
            self.drop_store(store)

    # ------------------------------------------------------------------ reading

    def _data(self, packed: int) -> FileIndex | MemoryLog | None:
        store = self.stores.get(packed >> SHIFT)
        return store.data if store else None

    def worker_of(self, packed: int) -> str:
        store = self.stores.get(packed >> SHIFT)
        return store.worker if store else ""

    def read_line(self, packed: int) -> str:
        data = self._data(packed)
        return data.read_line(packed & KEY_MASK) if data else ""

    def header(self, packed: int) -> LogLine:
        data = self._data(packed)
        return data.header(packed & KEY_MASK) if data else LogLine(text="")

    def growing(self) -> tuple[int, ...]:
        """The records that may still change (each store's last: it grows while followed);
        every other record reads the same until its store is dropped."""
        found = []
        for store in list(self.stores.values()):
            last = store.data.tail_records(1)
            if last:
                found.append(pack(store.store_id, last[0]))
        return tuple(found)

    def layout_labels(self) -> list[str]:
        """The layouts of the sources read so far (``strimzi``, ``kafka (journald)``)."""
        labels = []
        for store in list(self.stores.values()):
            data = store.data
            if isinstance(data, MemoryLog) and data.detected is None:
                continue  # no output yet: nothing detected
            labels.append(data.layout.label)
        return list(dict.fromkeys(labels))

    def read_continuation(self, packed: int) -> list[str]:
        data = self._data(packed)
        return data.read_continuation(packed & KEY_MASK) if data else []

    def continuation_count(self, packed: int) -> int:
        data = self._data(packed)
        return data.continuation_count(packed & KEY_MASK) if data else 0

    # ------------------------------------------------------------------ selecting

    def _keeps(self, data: FileIndex | MemoryLog, key: int, flt: LogFilter) -> bool:
        line = data.layout.parse(data.read_header(key))
        if not flt.matches_line(line):
            return False
        if not flt.text:
            return True
        return flt.matches_text("\n".join([line.text, *data.read_continuation(key)]))

    def _select(self, store: Store, flt: LogFilter) -> array[int]:
        data = store.data
        if flt.is_empty:
            return data.records()
        if flt.failures_only:
            # Failure offsets are exact (the layout's own parser): no need to test
            # is_failure again, nor to look at any other record.
            if isinstance(data, FileIndex) and not data.done:
                data.scan_history()
            rest = replace(flt, failures_only=False)
            failures = data.failures()
            if rest.is_empty:
                return failures
            return array("Q", (k for k in failures if self._keeps(data, k, rest)))
        records = data.records()
        pattern = flt.prefilter()
        if isinstance(data, FileIndex) and pattern is not None:
            candidates: array[int] = data.candidates(pattern, records)
        else:
            candidates = records
        return array("Q", (k for k in candidates if self._keeps(data, k, flt)))

    def _order(self, chosen: list[tuple[Store, array[int]]]) -> tuple[array[int], Store | None]:
        """Packed keys in display order; the store too when they all come from one (sorted)."""
        nonempty = [(s, keys) for s, keys in chosen if keys]
        if len(nonempty) == 1:
            store, keys = nonempty[0]
            if store.store_id == 0:
                return keys, store
            return array("Q", map((store.store_id << SHIFT).__or__, keys)), store
        # One int per record sorts faster than tuples: (timestamp + 1) above the packed key.
        decorated: list[int] = []
        for store, keys in nonempty:
            data = store.data
            if isinstance(data, MemoryLog):
                store.times.forget_before(data.first_key)
            base = store.store_id << SHIFT
            # A running maximum keeps each worker's records in file order: threads log out of
            # timestamp order by a few ms, and a record without a timestamp stays after the one
            # before it.
            last = NO_TIME
            for key, value in zip(keys, store.times.lookup(keys, data.timestamp), strict=True):
                last = max(last, value)
                decorated.append(((last + 1) << 64) | base | key)
        decorated.sort()
        return array("Q", map(_LOW_64.__and__, decorated)), None

    def _failure_rows(self, rows: array[int], single: Store | None) -> array[int]:
        """Positions in ``rows`` of failure records."""
        found: array[int] = array("Q")
        if not rows:
            return found
        if single is not None:  # ascending keys of one store: look each failure up
            base = single.store_id << SHIFT
            failures = single.data.failures()
            for key in failures[bisect_left(failures, rows[0] & KEY_MASK) :]:
                index = bisect_left(rows, base | key)
                if index < len(rows) and rows[index] == base | key:
                    found.append(index)
            return found
        wanted = {
            pack(store.store_id, key)
            for store in self.stores.values()
            for key in store.data.failures()
        }
        found.extend(i for i, packed in enumerate(rows) if packed in wanted)
        return found

    def build(self, flt: LogFilter) -> Rows:
        """Every record the filter keeps, merged by timestamp across workers."""
        stores = sorted(self.stores.values(), key=_order_key)
        chosen = [(s, self._select(s, flt)) for s in stores if flt.worker in (None, s.worker)]
        rows, single = self._order(chosen)
        return Rows(rows, self._failure_rows(rows, single))

    def select_new(self, appended: dict[int, array[int]], flt: LogFilter) -> Rows:
        """The new records of a step that the filter keeps (failure rows relative to them)."""
        chosen = []
        for store_id, keys in appended.items():
            store = self.stores.get(store_id)
            if store is not None and flt.worker in (None, store.worker):
                data = store.data
                kept = (
                    keys
                    if flt.is_empty
                    else array("Q", (k for k in keys if self._keeps(data, k, flt)))
                )
                chosen.append((store, kept))
        rows, single = self._order(chosen)
        return Rows(rows, self._failure_rows(rows, single))


def _order_key(store: Store) -> int:
    return store.store_id
