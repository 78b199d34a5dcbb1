"""DLQ summary benchmark: a group click after 100,000 dead letters were read; prints figures.

The DLQ browser runs headless (``App.run_test``) on an in-memory DLQ source of 100,000 dead
letters with Connect's error headers and ~4 KB stack traces (the shape of
``bench_dlq.py``'s), of six root causes whose messages carry record-specific parts (ids,
offsets, quoted values), two stages and three exception classes. It reads the topic page by
page (500 a page, as the console does) until 100,000 are read, then chooses every group of
the summary in turn, and the "all" group, ``--clicks`` times over.

Printed: the UI-thread time of one click (the handler: filter the page, show the table
and the summary), median and max; the time from the click until the screen is idle
again (Textual's measuring and drawing of the refilled table included); the time per
page read; and, for comparison, what
recomputing the summary from every dead letter read costs (the console's former path:
counts, cause groups with the trace of each dead letter parsed again, diagnoses), timed on
10,000 fresh dead letters and per dead letter. Never asserts on time.

Run: ``.venv/bin/python tests/bench/bench_dlq_summary.py [--count 100000 --clicks 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.app import App  # noqa: E402

from kctui.diagnose import builtin_rules  # noqa: E402
from kctui.diagnose.dlq import diagnose_dead_letter, group_diagnoses  # noqa: E402
from kctui.dlq.groups import cause_groups  # noqa: E402
from kctui.dlq.pages import Page, TopicInfo  # noqa: E402
from kctui.dlq.protocol import CancelCheck, Progress  # noqa: E402
from kctui.dlq.records import KafkaRecord, decode_dead_letter, summarize  # noqa: E402
from kctui.settings import ClusterConfig, KafkaSettings  # noqa: E402
from kctui.ui.screens.dlq import DlqScreen  # noqa: E402
from kctui.ui.widgets.dlq_summary import DlqSummary  # noqa: E402
from tests.bench.bench_dlq import FRAMES, PREFIX  # noqa: E402
from tests.ui.test_dlq_screen import Host  # noqa: E402

TOPIC = "orders-dlq"
CAUSES = (
    "com.fasterxml.jackson.core.JsonParseException: Unrecognized token 'order{n}': was "
    "expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    "org.apache.kafka.common.errors.SerializationException: Unknown magic byte!",
    "org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique "
    'constraint "orders_pkey"\n  Detail: Key (id)=({n}) already exists.',
    "java.net.SocketTimeoutException: Read timed out after 30000 ms on 10.0.{p}.17:5432",
    "org.apache.kafka.connect.errors.DataException: Failed to deserialize data for topic "
    "orders to Avro: Error retrieving Avro value schema for id {p}",
    "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"value\" is null",
)
EXCEPTIONS = (
    "org.apache.kafka.connect.errors.DataException",
    "org.apache.kafka.connect.errors.ConnectException",
    "org.apache.kafka.connect.errors.RetriableException",
)


def stack_trace(n: int, size: int = 4096) -> bytes:
    """A Connect-like trace of about ``size`` bytes whose root cause is one of ``CAUSES``."""
    cause = CAUSES[n % len(CAUSES)].format(n=n, p=n % 7)
    lines = [f"{EXCEPTIONS[n % 3]}: Exiting WorkerSinkTask due to unrecoverable exception."]
    depth = 0
    while sum(len(line) + 1 for line in lines) < size - 300:
        lines.append("\tat " + FRAMES[depth % len(FRAMES)])
        depth += 1
    lines.append(f"Caused by: {cause}")
    lines.append("\tat " + FRAMES[0])
    lines.append(f"\t... {depth} more")
    return ("\n".join(lines) + "\n").encode()


def record(n: int) -> KafkaRecord:
    headers = (
        (PREFIX + "topic", b"orders"),
        (PREFIX + "partition", str(n % 6).encode()),
        (PREFIX + "offset", str(n // 6).encode()),
        (PREFIX + "connector.name", b"orders-sink"),
        (PREFIX + "task.id", str(n % 3).encode()),
        (PREFIX + "stage", b"VALUE_CONVERTER" if n % 5 else b"TASK_PUT"),
        (PREFIX + "class.name", b"org.apache.kafka.connect.json.JsonConverter"),
        (PREFIX + "exception.class.name", EXCEPTIONS[n % 3].encode()),
        (PREFIX + "exception.message", b"Exiting WorkerSinkTask due to unrecoverable exception."),
        (PREFIX + "exception.stacktrace", stack_trace(n)),
    )
    value = b'{"id": %d, "amount": 12.5}' % n
    return KafkaRecord(TOPIC, 0, n, 1_700_000_000_000 + n, b"order-%d" % n, value, headers)


class SyntheticSource:
    """One partition of ``count`` dead letters, decoded when a page is read (as the reader)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def _page(self, low: int, high: int) -> Page:
        low, high = max(0, low), min(self.count, high)
        letters = tuple(decode_dead_letter(record(n)) for n in range(high - 1, low - 1, -1))
        return Page(TOPIC, letters, ((0, low, high),), ((0, 0, self.count),))

    def topic_infos(self, dlq_topics: dict[str, str], /) -> list[TopicInfo]:
        return [TopicInfo(TOPIC, "orders-sink", ((0, 0, self.count),))]

    def newest(
        self, topic: str, limit: int, /, *, cancel: CancelCheck | None = None,
        progress: Progress | None = None,
    ) -> Page:  # fmt: skip
        return self._page(self.count - limit, self.count)

    def older(
        self, page: Page, limit: int, /, *, cancel: CancelCheck | None = None,
        progress: Progress | None = None,
    ) -> Page:  # fmt: skip
        low = page.ranges[0][1]
        return self._page(low - limit, low)

    def newer(
        self, page: Page, limit: int, /, *, cancel: CancelCheck | None = None,
        progress: Progress | None = None,
    ) -> Page:  # fmt: skip
        high = page.ranges[0][2]
        return self._page(high, high + limit)

    def from_offset(
        self, topic: str, offset: int, partition: int | None, limit: int, /, *,
        cancel: CancelCheck | None = None, progress: Progress | None = None,
    ) -> Page:  # fmt: skip
        return self._page(offset, offset + limit)

    def from_time(
        self, topic: str, timestamp_ms: int, limit: int, /, *,
        cancel: CancelCheck | None = None, progress: Progress | None = None,
    ) -> Page:  # fmt: skip
        offset = timestamp_ms - 1_700_000_000_000
        return self._page(offset, offset + limit)

    def record(self, topic: str, partition: int, offset: int, /) -> KafkaRecord | None:
        return None

    def close(self) -> None:
        pass


async def settle(app: App[None], screen: DlqScreen, condition: object) -> None:
    while not (callable(condition) and condition()):
        await asyncio.sleep(0.005)
    await app.workers.wait_for_complete()


async def run(count: int, clicks: int) -> None:
    cluster = ClusterConfig(name="bench", urls=("http://127.0.0.1:1",), kafka=KafkaSettings(()))
    source = SyntheticSource(count)
    screen = DlqScreen(cluster, {TOPIC: "orders-sink"}, TOPIC, reader=source, page_size=500)
    app = Host(screen)
    async with app.run_test(size=(160, 50)) as pilot:
        started = time.perf_counter()
        await settle(app, screen, lambda: screen.page is not None and not screen.reading)
        page_times = []
        while screen.overview.read < count:
            before = time.perf_counter()
            screen.action_older()
            await settle(app, screen, lambda: not screen.reading)
            page_times.append(time.perf_counter() - before)
        read_seconds = time.perf_counter() - started
        overview = screen.overview
        groups: list[tuple[str | None, str | None]] = [(None, None)]
        groups += [("cause", g.key) for g in overview.causes]
        groups += [("exception", v) for v, _ in overview.summary.by_exception]
        groups += [("stage", v) for v, _ in overview.summary.by_stage]
        handler: list[float] = []
        settled: list[float] = []
        for _ in range(clicks):
            for kind, value in groups:
                message = DlqSummary.GroupSelected(kind, value)
                before = time.perf_counter()
                screen.on_dlq_summary_group_selected(message)  # what a click runs
                handler.append(time.perf_counter() - before)
                await pilot.pause()
                settled.append(time.perf_counter() - before)
    print(f"read {overview.read:,} dead letters in {read_seconds:.1f} s "
          f"({len(page_times) + 1} pages; a page from the key until the screen is idle: median "
          f"{statistics.median(page_times) * 1000:.0f} ms, of which decoding and folding run "
          f"in the read worker)")  # fmt: skip
    print(f"summary: {len(overview.causes)} cause groups, "
          f"{len(overview.summary.by_exception)} exceptions, "
          f"{len(overview.summary.by_stage)} stages; {len(handler)} clicks")  # fmt: skip
    print(f"group click on the UI thread: {spread(handler)} (target: at most 50 ms)")
    print(f"click until the screen is idle (rendering included): {spread(settled)}")


def spread(seconds: list[float]) -> str:
    """Median, 95th percentile and max, in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"median {statistics.median(ordered) * 1000:.1f} ms, 95th percentile "
        f"{p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def former_path(count: int) -> None:
    """The summary recomputed from every dead letter read, as the console did on each click."""
    letters = [decode_dead_letter(record(n)) for n in range(count)]  # fresh: nothing cached
    rules = builtin_rules()
    before = time.perf_counter()
    summarize(letters)
    causes = cause_groups(letters)
    group_diagnoses(letters, rules=rules)
    for group in causes:
        diagnose_dead_letter(group.sample, rules)
    seconds = time.perf_counter() - before
    print(f"former path (recompute from everything read) at {count:,}: {seconds:.2f} s, "
          f"{seconds / count * 1e6:.0f} µs a dead letter")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--former", type=int, default=10_000, help="0 skips it")
    args = parser.parse_args()
    asyncio.run(run(args.count, args.clicks))
    if args.former:
        former_path(args.former)


if __name__ == "__main__":
    main()
