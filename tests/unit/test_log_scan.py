"""The fast failure scan finds exactly what the line-by-line classifier finds."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctui.logs.feed import LogFeed
from kctui.logs.filters import LogFilter
from kctui.logs.index import FileIndex
from kctui.logs.layouts import DEFAULT, parse_line
from kctui.logs.scan import FailureRecord, failures_slow, scan_failures, scan_file
from kctui.settings import LogSource


def _kafka_candidates() -> re.Pattern[bytes]:
    """The Kafka default's failure candidates (its tolerant grammar reads levels in any case)."""
    assert DEFAULT.candidates is not None
    return DEFAULT.candidates


FAILURE_CANDIDATES = _kafka_candidates()
FIXTURE = Path(__file__).parent.parent / "fixtures" / "logs" / "sandbox-connect.log"
TS = "[2026-11-24 00:22:21,499]"

# Lines that are easy to get wrong: other levels and their aliases, odd whitespace, ERROR in a
# message, headers that look indented, invalid UTF-8, CRLF, wordings far along a long line.
TRICKY: list[bytes] = [
    f"{TS} error [c1|task-0] lower case level".encode(),
    f"{TS} Warning [c1|task-1] Task threw an uncaught and unrecoverable exception".encode(),
    f"{TS} WARN [c1|task-2] Catching up to assignment's config offset.".encode(),
    f"{TS} WARN [c1|task-2] rewinding to last committed offsets (a.B:1)".encode(),
    f"{TS} WARN offset commit timed out for WorkerSinkTask{{id=c2-3}}".encode(),
    f"{TS} SEVERE something broke".encode(),
    f"{TS} CRITICAL worker down".encode(),
    f"{TS} ERRORS is not a level".encode(),
    f"{TS} ERROR".encode(),  # no whitespace after the level: not a header match
    f"{TS} ERROR\r".encode(),  # the same once CRLF is cut
    f"{TS} ERROR \r".encode(),  # a blank, then CR: a header with an empty message
    f"{TS}  FATAL\tdouble blank and a tab".encode(),
    f"{TS}\tERROR\ttabs around the level".encode(),
    f"{TS}\u00a0ERROR\u00a0no-break spaces".encode(),
    f"{TS} INFO [c1|task-0] the word ] ERROR inside an INFO message".encode(),
    f"{TS} INFO Failed to start task c3-0 (at INFO: not a failure)".encode(),
    f" {TS} ERROR [c4|task-0] an indented header".encode(),
    f"\tat x.Y.z(Y.java:1) {TS} ERROR a trace line holding a header".encode(),
    f"Caused by: x.YException: {TS} WARN Tolerance exceeded in error handler".encode(),
    f"journal: {TS} FATAL [c5|worker] with a prefix".encode(),
    b"[2026-11-24T00:22:21.5+01:00] ERROR iso time and zone",
    "[\u0662\u0660\u0662\u0666-11-24 00:22:21,000] ERROR arabic-indic digits".encode(),
    f"{TS} ERROR \xff\xfe invalid utf-8 \xc3".encode("latin-1"),
    b"\xff\xfe\xfd binary garbage ] ERROR  \x00\x01",
    f"{TS} ERROR [c6|task-0] crlf line\r".encode(),
    f"{TS} INFO [c6|task-0] crlf info\r".encode(),
    (f"{TS} WARN [c7|task-0] long " + "x" * 20_000 + " Offset commit failed").encode(),
    (f"{TS} INFO [c7|task-0] long " + "y" * 20_000 + " ERROR Failed to flush").encode(),
    f"{TS} ERROR [c8|task-0] WorkerSinkTask{{id=c8-1}} Error in task".encode(),
]
TRACE: list[bytes] = [
    b"org.apache.kafka.connect.errors.ConnectException: boom",
    b"\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:298) ~[r-4.3.1.jar:?]",
    b"\tat java.base/java.lang.Thread.run(Thread.java:840) [?:?]",
    b"Caused by: java.nio.file.NoSuchFileException: /missing",
    b"Suppressed: x.YError: also",
    b"\t... 10 more",
    b"... 3 common frames omitted",
    b"... 3 things",  # not a continuation wording: a header line of its own
    "\u00fcber.FooException: a non-ASCII exception name".encode(),
    b"",
    b"\r",
    b"  indented config = value [x]",
]


def projection(records: list[FailureRecord]) -> list[tuple[object, ...]]:
    return [
        (r.offset, r.end, r.line.connector, r.line.task, r.line.level, r.line.kind) for r in records
    ]


def generated(seed: int, lines: int = 3000) -> bytes:
    rng = random.Random(seed)
    fixture = FIXTURE.read_bytes().split(b"\n")[:-1]
    out: list[bytes] = []
    while len(out) < lines:
        roll = rng.random()
        if roll < 0.3:
            start = rng.randrange(len(fixture))
            out.extend(fixture[start : start + rng.randint(1, 30)])
        elif roll < 0.6:
            out.append(rng.choice(TRICKY))
            out.extend(rng.choice(TRACE) for _ in range(rng.choice((0, 0, 1, 5, 40))))
        else:
            out.append(rng.choice(TRACE))
    return b"\n".join(out) + b"\n"


def fast(path: Path, chunk: int) -> list[FailureRecord]:
    return scan_file(str(path), chunk=chunk)


@pytest.mark.parametrize("chunk", [64, 1000, 1 << 24])
def test_fast_scan_equals_slow_on_the_real_fixture(tmp_path: Path, chunk: int) -> None:
    data = FIXTURE.read_bytes()
    slow = failures_slow(data)
    assert len(slow) >= 2, "the fixture holds the FAILED task and the DLQ errors"
    assert any(r.line.connector == "demo-failing-sink" and r.line.task == 0 for r in slow)
    found = fast(FIXTURE, chunk)
    assert projection(found) == projection(slow)
    assert found == slow


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("chunk", [257, 4096, 1 << 24])
def test_fast_scan_equals_slow_on_tricky_generated_logs(
    tmp_path: Path, seed: int, chunk: int
) -> None:
    data = generated(seed)
    log = tmp_path / "connect.log"
    log.write_bytes(data)
    slow = failures_slow(data)
    assert len(slow) > 50
    found = fast(log, chunk)
    assert projection(found) == projection(slow)
    assert found == slow
    # The backward index agrees, and every failure is one of its records.
    index = FileIndex(str(log))
    while not index.done:
        index.scan_back(3000)
    assert list(index.failures()) == [r.offset for r in slow]
    assert set(index.failures()) <= set(index.records())
    index.close()


def test_tricky_lines_are_classified_as_the_parser_says() -> None:
    """Each tricky line alone: a failure for the fast scan exactly when parse_line says so."""
    for raw in TRICKY:
        expected = parse_line(raw.decode("utf-8", "replace").rstrip("\r")).is_failure
        assert bool(failures_slow(raw + b"\n")) is expected, raw[:80]
        if expected:
            assert FAILURE_CANDIDATES.search(raw), raw[:80]


def test_a_trace_running_past_the_chunk_and_a_range_start(tmp_path: Path) -> None:
    header = f"{TS} ERROR [c9|task-0] Failed to start task c9-0\n".encode()
    trace = b"\tat a.B.c(B.java:1) ~[x.jar:?]\n" * 200
    tail = f"{TS} INFO [c9|task-0] next\n".encode()
    log = tmp_path / "connect.log"
    log.write_bytes(tail + header + trace + tail)
    found = scan_file(str(log), chunk=100)
    assert [(r.offset, r.end) for r in found] == [(len(tail), len(tail) + len(header) + len(trace))]
    fd = FileIndex(str(log))
    assert scan_failures(fd.fd, len(tail) + len(header), fd.complete_end) == []
    fd.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TRICKY + TRACE), min_size=1, max_size=40))
def test_property_fast_equals_slow(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    data = b"\n".join(lines) + b"\n"
    log = tmp_path_factory.mktemp("scan") / "connect.log"
    log.write_bytes(data)
    assert scan_file(str(log), chunk=128) == failures_slow(data)


def test_failures_only_view_uses_the_fast_scan_before_indexing(tmp_path: Path) -> None:
    """A feed that does not index history still lists every failure, with its trace."""
    data = generated(4)
    log = tmp_path / "connect.log"
    log.write_bytes(data)
    slow = failures_slow(data)
    feed = LogFeed([LogSource("w", str(log))], index_history=False)
    feed.step()
    rows = feed.build(LogFilter(failures_only=True)).rows
    assert list(rows) == [r.offset for r in slow]
    for packed, record in zip(rows, slow, strict=True):
        lines = data[record.offset : record.end].split(b"\n")[1:-1]
        assert feed.continuation_count(packed) == len(lines)
    only_c1 = feed.build(LogFilter(failures_only=True, connector="c1")).rows
    assert list(only_c1) == [r.offset for r in slow if r.line.connector == "c1"]
    feed.close()


def test_only_failures_while_the_view_is_still_indexing(tmp_path: Path) -> None:
    """Toggling "only failures" on a half-indexed file lists every failure at once (n/N too)."""
    data = b"".join(generated(seed) for seed in range(5, 25))
    log = tmp_path / "connect.log"
    log.write_bytes(data)
    slow = failures_slow(data)
    feed = LogFeed([LogSource("w", str(log))])
    step = feed.step()
    assert step.scanning, "the first step indexes only the end of the file"
    rows = feed.build(LogFilter(failures_only=True))
    assert list(rows.rows) == [r.offset for r in slow]
    assert list(rows.failure_rows) == list(range(len(slow)))
    assert (
        feed.continuation_count(rows.rows[0]) == data[slow[0].offset : slow[0].end].count(b"\n") - 1
    )
    while feed.step().scanning:
        pass
    assert list(feed.build(LogFilter(failures_only=True)).rows) == [r.offset for r in slow]
    feed.close()


def test_both_forms_of_the_candidates_pattern_find_the_same_lines() -> None:
    """Possessive (Python >= 3.11.5) and atomic-lookahead (3.11.0-3.11.4) forms agree."""
    from kctui.logs.fastpath import POSSESSIVE_WORKS, failure_candidates
    from kctui.logs.log4j import tolerant_levels

    def candidates(possessive: bool) -> re.Pattern[bytes]:
        return failure_candidates(b"] ", tolerant_levels(), possessive=possessive)

    data = b"".join(generated(seed) for seed in (4, 5))
    lookahead = [m.span() for m in candidates(False).finditer(data)]
    assert len(lookahead) > 100
    assert [m.span() for m in FAILURE_CANDIDATES.finditer(data)] == lookahead
    if POSSESSIVE_WORKS:  # where possessive quantifiers are matched correctly
        assert [m.span() for m in candidates(True).finditer(data)] == lookahead


PREFIXED = [
    ("journald", "Nov 30 03:35:{s:02d} host connect[123]: "),
    ("docker compose", "connect-1  | "),
    ("kubectl --timestamps", "2026-11-30T03:35:{s:02d}.123456789Z "),
]


@pytest.mark.parametrize(("prefix", "template"), PREFIXED)
def test_fast_scan_equals_slow_behind_a_collector_prefix(
    tmp_path: Path, prefix: str, template: str
) -> None:
    """The tricky lines (odd levels, traces, invalid UTF-8) behind each collector prefix."""
    from kctui.logs.layouts import LAYOUTS, detect, with_prefixes

    lines = generated(7).split(b"\n")[:-1]
    data = b"".join(
        template.format(s=i % 60).encode() + line + b"\n" for i, line in enumerate(lines)
    )
    layout = with_prefixes(LAYOUTS["kafka"], [prefix])
    assert detect(data[:65536].decode("utf-8", "replace").splitlines()[:-1]).label == layout.label
    log = tmp_path / "connect.log"
    log.write_bytes(data)
    slow = failures_slow(data, 0, layout)
    assert len(slow) > 50
    assert any(r.end - r.offset > len(r.text) + 1 for r in slow)  # traces kept in the record
    for chunk in (257, 4096, 1 << 24):
        assert projection(scan_file(str(log), chunk=chunk, layout=layout)) == projection(slow)


@pytest.mark.parametrize("name", ["strimzi", "ecs"])
@pytest.mark.parametrize("seed", [8, 9])
def test_fast_scan_equals_slow_in_other_layouts(tmp_path: Path, name: str, seed: int) -> None:
    """The generated lines re-written in the Strimzi layout or as ECS JSON events."""
    from kctui.logs.layouts import LAYOUTS
    from tests.bench import layout_logs

    data = layout_logs.block(name, generated(seed, 4000))
    layout = LAYOUTS[name]
    log = tmp_path / "connect.log"
    log.write_bytes(data)
    slow = failures_slow(data, 0, layout)
    assert len(slow) > 30
    for chunk in (257, 4096, 1 << 24):
        found = scan_file(str(log), chunk=chunk, layout=layout)
        assert projection(found) == projection(slow)
