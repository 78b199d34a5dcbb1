"""The log view's record loader: what is asked last is read first, each record once, a
failing read becomes a line that says so, and closing stops the loop."""

from __future__ import annotations

import threading

from kctui.logs.patterns import LogLine
from kctui.ui.widgets.log_loader import MAX_WANTED, LoadedRecord, RecordLoader, RecordStore
from tests.polling import wait_until

TRACE = ["org.apache.kafka.connect.errors.ConnectException: boom", "\tat a.B.c(B.java:1)"]


class FakeReader:
    """Records 0-99: even ones are failures with a trace; reading 13 fails; reads are noted."""

    def __init__(self) -> None:
        self.read: list[int] = []
        self.gate = threading.Event()  # reads wait for it: requests pile up meanwhile

    def header(self, packed: int) -> LogLine:
        self.gate.wait(10)
        if packed == 13:
            raise OSError(5, "Input/output error")
        self.read.append(packed)
        level = "ERROR" if packed % 2 == 0 else "INFO"
        return LogLine(text=f"line {packed}", is_header=True, level=level)

    def continuation_count(self, packed: int) -> int:
        return len(TRACE) if packed % 2 == 0 else 0

    def read_continuation(self, packed: int) -> list[str]:
        return list(TRACE)

    def worker_of(self, packed: int) -> str:
        return "w1"


def start(loader: RecordLoader) -> tuple[list[LoadedRecord], threading.Thread]:
    delivered: list[LoadedRecord] = []
    thread = threading.Thread(target=loader.run, args=(delivered.extend,), daemon=True)
    thread.start()
    return delivered, thread


def test_the_newest_request_is_read_first_and_each_record_once() -> None:
    reader = FakeReader()
    loader = RecordLoader(reader)
    delivered, thread = start(loader)
    loader.want(1, trace=False, stamp=1)
    wait_until(lambda: len(loader._wanted) == 0, timeout=10, what="the first request taken")
    for key in (2, 3, 4, 3):  # 3 asked again is the newest request: read first, once
        loader.want(key, trace=False, stamp=1)
    reader.gate.set()
    wait_until(lambda: len(delivered) == 4, timeout=10, what="four records")
    assert reader.read == [1, 3, 4, 2]
    by_key = {record.key: record for record in delivered}
    assert by_key[4].trace == tuple(TRACE) and by_key[4].cause.startswith("error: ")
    assert by_key[3].trace is None and by_key[3].count == 0 and by_key[3].worker == "w1"
    loader.close()
    thread.join(10)
    assert not thread.is_alive()


def test_a_failing_read_says_so_and_the_others_are_read() -> None:
    reader = FakeReader()
    reader.gate.set()
    loader = RecordLoader(reader)
    delivered, thread = start(loader)
    loader.want(12, trace=True, stamp=7)
    loader.want(13, trace=False, stamp=7)
    wait_until(lambda: len(delivered) == 2, timeout=10, what="two records")
    failed = next(record for record in delivered if record.key == 13)
    assert "could not read this line" in failed.header.text and "Input/output" in failed.header.text
    assert failed.count == 0 and failed.stamp == 7
    loader.close()
    thread.join(10)


def test_requests_for_rows_long_gone_are_dropped() -> None:
    loader = RecordLoader(FakeReader())
    for key in range(MAX_WANTED + 10):
        loader.want(key, trace=False, stamp=0)
    assert len(loader._wanted) == MAX_WANTED
    assert next(iter(loader._wanted)) == 10  # the oldest ten went


class AskedLoader(RecordLoader):
    """A loader that only notes what it is asked (nothing reads)."""

    def __init__(self) -> None:
        super().__init__(FakeReader())
        self.asked: list[tuple[int, bool, int]] = []

    def want(self, key: int, *, trace: bool, stamp: int) -> list[int]:
        self.asked.append((key, trace, stamp))
        return super().want(key, trace=trace, stamp=stamp)


def loaded(key: int, stamp: int, trace: tuple[str, ...] | None = None) -> LoadedRecord:
    header = LogLine(text=f"line {key} read at {stamp}", is_header=True)
    return LoadedRecord(key, header, "w1", len(trace or ()), trace, "", stamp)


def test_the_view_asks_once_and_draws_stale_records_while_they_are_read_again() -> None:
    loader = AskedLoader()
    store = RecordStore(loader)
    assert store.get(5) is None and store.get(5) is None
    assert loader.asked == [(5, False, 0)]  # once while on its way
    assert store.store(loaded(5, 0))
    assert store.get(5) == loaded(5, 0) and len(loader.asked) == 1
    store.invalidate()  # new rows: every record read again, the old one drawn meanwhile
    record = store.get(5)
    assert record is not None and record.header.text == "line 5 read at 0"
    assert loader.asked[-1] == (5, False, 1)
    assert store.store(loaded(5, 1))
    assert not store.store(loaded(5, 0))  # an older read coming late changes nothing
    fresh = store.get(5)
    assert fresh is not None and fresh.stamp == 1 and len(loader.asked) == 2
    store.invalidate(7)  # one record grew: only it is read again
    assert store.get(5) is not None and len(loader.asked) == 2


def test_a_trace_is_asked_for_when_wanted_and_kept() -> None:
    loader = AskedLoader()
    store = RecordStore(loader)
    store.store(LoadedRecord(3, LogLine(text="x", is_header=True), "w1", 2, None, "", 0))
    assert store.get(3, trace=True) is not None
    assert loader.asked == [(3, True, 0)]
    store.store(loaded(3, 0, trace=("a", "b")))
    assert store.trace(3) == ("a", "b")
    store.get(3, trace=True)
    assert len(loader.asked) == 1


def test_requests_dropped_by_the_loader_are_asked_again() -> None:
    loader = AskedLoader()
    store = RecordStore(loader)
    for key in range(MAX_WANTED + 1):
        store.get(key)  # key 0's request is dropped to make room
    store.get(0)
    assert loader.asked[-1] == (0, False, 0)
