"""Pilot tests of the DLQ browser against an in-memory reader (no Kafka)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, Static

from kctui.dlq.reader import Page, ReadCancelled, TopicInfo, TopicNotFound
from kctui.dlq.records import HEADER_PREFIX, KafkaRecord, decode_dead_letter
from kctui.settings import ClusterConfig, KafkaSettings
from kctui.ui.screens.dlq import DlqScreen
from kctui.ui.screens.dlq_modals import DlqOriginalScreen, DlqPrompt
from kctui.ui.widgets.dlq_detail import DlqDetail
from kctui.ui.widgets.dlq_summary import DlqStatus, DlqSummary
from kctui.ui.widgets.dlq_table import DlqTable, DlqTopicTable

CLUSTER = ClusterConfig(name="test", urls=("http://x",), kafka=KafkaSettings(("k:1",)))


def dead_letter_record(offset: int) -> KafkaRecord:
    stage = "VALUE_CONVERTER" if offset % 4 else "TASK_PUT"
    exc = "org.apache.kafka.connect.errors.DataException" if offset % 4 else "java.io.IOException"
    headers = [
        ("trace-id", f"t-{offset}".encode()),
        (HEADER_PREFIX + "topic", b"orders"),
        (HEADER_PREFIX + "partition", b"1"),
        (HEADER_PREFIX + "offset", str(offset * 10).encode()),
        (HEADER_PREFIX + "stage", stage.encode()),
        (HEADER_PREFIX + "exception.class.name", exc.encode()),
        (HEADER_PREFIX + "exception.message", f"bad record [{offset}]".encode()),
        (HEADER_PREFIX + "exception.stacktrace", f"{exc}: boom\n\tat a.B.c(B.java:1)\n".encode()),
    ]
    value = b'{"id": %d}' % offset if offset % 2 else b"not json \xff"
    return KafkaRecord("orders-dlq", 0, offset, 1_700_000_000_000 + offset, b"k", value,
                       tuple(headers))  # fmt: skip


class FakeReader:
    """One partition of ``count`` dead letters; ``gate`` makes reads wait (to test cancel)."""

    def __init__(self, count: int = 30, *, fail: Exception | None = None) -> None:
        self.records = [dead_letter_record(i) for i in range(count)]
        self.fail = fail
        self.gate: threading.Event | None = None
        self.calls: list[str] = []
        self.closed = False

    def _wait(self, cancel: Callable[[], bool] | None) -> None:
        if self.fail is not None:
            raise self.fail
        while self.gate is not None and not self.gate.is_set():
            if cancel is not None and cancel():
                raise ReadCancelled("read of 'orders-dlq' cancelled after 0 records")
            self.gate.wait(0.01)

    def _page(self, low: int, high: int) -> Page:
        low, high = max(0, low), min(len(self.records), high)
        chosen = self.records[low:high]
        return Page("orders-dlq", tuple(decode_dead_letter(r) for r in reversed(chosen)),
                    ((0, low, high),), ((0, 0, len(self.records)),))  # fmt: skip

    def topic_infos(self, topics: dict[str, str]) -> list[TopicInfo]:
        self.calls.append("topics")
        self._wait(None)
        return [TopicInfo(t, c, ((0, 0, len(self.records)),)) for t, c in topics.items()]

    def newest(self, topic: str, limit: int, cancel: Any = None, progress: Any = None) -> Page:
        self.calls.append(f"newest {limit}")
        self._wait(cancel)
        if progress:
            progress(limit, limit)
        return self._page(len(self.records) - limit, len(self.records))

    def older(self, page: Page, limit: int, cancel: Any = None, progress: Any = None) -> Page:
        low = page.ranges[0][1]
        self.calls.append(f"older {low}")
        return self._page(low - limit, low)

    def newer(self, page: Page, limit: int, cancel: Any = None, progress: Any = None) -> Page:
        high = page.ranges[0][2]
        return self._page(high, high + limit)

    def from_offset(self, topic: str, offset: int, partition: int | None, limit: int,
                    cancel: Any = None, progress: Any = None) -> Page:  # fmt: skip
        self.calls.append(f"offset {partition}:{offset}")
        return self._page(offset, offset + limit)

    def from_time(self, topic: str, ts: int, limit: int, cancel: Any = None,
                  progress: Any = None) -> Page:  # fmt: skip
        offset = ts - 1_700_000_000_000
        self.calls.append(f"time {offset}")
        return self._page(offset, offset + limit)

    def record(self, topic: str, partition: int, offset: int) -> KafkaRecord | None:
        self.calls.append(f"record {topic} {partition} {offset}")
        source = next((r for r in self.records if r.offset * 10 == offset), None)
        if source is None:
            return None
        return KafkaRecord(topic, partition, offset, source.timestamp_ms, b"k", source.value,
                           (("trace-id", b"x"),))  # fmt: skip

    def close(self) -> None:
        self.closed = True


class Host(App[None]):
    def __init__(self, screen: DlqScreen) -> None:
        super().__init__()
        self.dlq = screen

    def on_mount(self) -> None:
        self.push_screen(self.dlq)


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def screen_for(reader: FakeReader, topic: str | None = "orders-dlq", **kw: Any) -> DlqScreen:
    return DlqScreen(CLUSTER, {"orders-dlq": "orders-sink"}, topic, reader=reader, page_size=10,
                     **kw)  # fmt: skip


async def test_topic_list_then_newest_dead_letters_decoded() -> None:
    reader = FakeReader()
    screen = screen_for(reader, topic=None)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        topics = screen.query_one(DlqTopicTable)
        await until(pilot, lambda: topics.row_count == 1, "the topic list")
        assert "1 DLQ topic, 30 records" in screen.query_one(DlqStatus).text
        topics.focus()
        await pilot.press("enter")
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 10, "the newest page")
        offsets = [dl.record.offset for dl in table.dead_letters]
        assert offsets == list(range(29, 19, -1))  # newest first
        detail = screen.query_one(DlqDetail)
        headers = detail.query_one("#dlq-headers")
        cells = {str(headers.get_row_at(i)[0]): str(headers.get_row_at(i)[1])
                 for i in range(headers.row_count)}  # fmt: skip
        assert cells["topic"] == "orders" and cells["offset"] == "290"
        assert cells["exception.message"] == "bad record [29]"  # brackets are not markup
        assert "JSON" in str(detail.query_one("#dlq-value-label").content)
        summary = screen.query_one(DlqSummary)
        headline = str(summary.query_one("#dlq-headline").content)
        assert headline == "10 records, 7 DataException at VALUE_CONVERTER"
        assert reader.calls == ["topics", "newest 10"]
        await pilot.press("escape")  # back to the topic list
        await until(pilot, lambda: reader.calls.count("topics") == 2, "the topic list again")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, DlqScreen), "screen closed")
        await until(pilot, lambda: reader.closed is False, "reader kept (not ours)")


async def test_group_filter_mark_and_export(tmp_path: Path) -> None:
    reader = FakeReader()
    screen = screen_for(reader, export_dir=tmp_path)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 10, "the newest page")
        options = screen.query_one("#dlq-groups", OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        index = next(i for i, label in enumerate(labels) if "stage: TASK_PUT (3)" in label)
        options.focus()
        options.highlighted = index
        await pilot.press("enter")
        await until(pilot, lambda: table.row_count == 3, "the filtered rows")
        assert {dl.stage for dl in table.dead_letters} == {"TASK_PUT"}
        table.focus()
        await pilot.press("x")
        await until(pilot, lambda: isinstance(pilot.app.screen, DlqPrompt), "the export prompt")
        await pilot.press("enter")
        files = lambda: list(tmp_path.glob("orders-dlq-*.jsonl"))  # noqa: E731
        await until(pilot, lambda: bool(files()), "the export file")
        lines = [json.loads(line) for line in files()[0].read_text().splitlines()]
        assert [line["offset"] for line in lines] == [28, 24, 20]
        assert all(line["connect"]["stage"] == "TASK_PUT" for line in lines)
        await pilot.press("c")  # all groups again
        await until(pilot, lambda: table.row_count == 10, "the unfiltered rows")
        await pilot.press("space")  # mark the first row only
        await pilot.press("x")
        await until(pilot, lambda: isinstance(pilot.app.screen, DlqPrompt), "the export prompt")
        prompt_input = pilot.app.screen.query_one(Input)
        prompt_input.value = str(tmp_path / "marked.jsonl")
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "marked.jsonl").exists(), "the marked export")
        assert len((tmp_path / "marked.jsonl").read_text().splitlines()) == 1


async def test_original_record_opens_from_a_dead_letter() -> None:
    reader = FakeReader()
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 10, "the newest page")
        await pilot.press("down")  # offset 28
        await pilot.press("o")
        await until(pilot, lambda: isinstance(pilot.app.screen, DlqOriginalScreen), "original")
        modal = pilot.app.screen
        assert isinstance(modal, DlqOriginalScreen)
        assert reader.calls[-1] == "record orders 1 280"
        assert modal.same_value
        assert "identical" in str(modal.query_one("#dlq-original-note", Static).content)
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is screen, "back to the browser")


async def test_paging_and_seeking() -> None:
    reader = FakeReader()
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 10, "the newest page")
        await pilot.press("n")
        await until(pilot, lambda: table.dead_letters[0].record.offset == 19, "the older page")
        await pilot.press("p")
        await until(pilot, lambda: table.dead_letters[0].record.offset == 29, "the newer page")
        await pilot.press("g")
        await until(pilot, lambda: isinstance(pilot.app.screen, DlqPrompt), "the offset prompt")
        await pilot.press("0", ":", "5", "enter")
        await until(pilot, lambda: table.dead_letters[-1].record.offset == 5, "offset 5")
        assert reader.calls[-1] == "offset 0:5"
        await pilot.press("g")
        await until(pilot, lambda: isinstance(pilot.app.screen, DlqPrompt), "the offset prompt")
        await pilot.press("x", "enter")
        await until(pilot, lambda: "not an offset" in screen.query_one(DlqStatus).text, "error")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(pilot.app.screen, DlqPrompt), "the time prompt")
        await pilot.press(*"1700000000012", "enter")
        await until(pilot, lambda: table.dead_letters[-1].record.offset == 12, "time seek")


async def test_escape_cancels_a_long_read() -> None:
    reader = FakeReader()
    reader.gate = threading.Event()
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        status = screen.query_one(DlqStatus)
        await until(pilot, lambda: screen.reading and "esc cancels" in status.text, "reading")
        assert status.has_class("-reading")
        await pilot.press("escape")
        await until(pilot, lambda: "cancelled" in status.text, "the cancel notice")
        assert not screen.reading and pilot.app.screen is screen
        reader.gate.set()
        await pilot.press("r")
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 10, "a fresh read")


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (TopicNotFound("topic 'orders-dlq' does not exist"), "topic 'orders-dlq' does not exist"),
        (RuntimeError("boom"), "unexpected error: RuntimeError: boom"),
    ],
)
async def test_reader_errors_are_shown_not_raised(error: Exception, shown: str) -> None:
    screen = screen_for(FakeReader(fail=error))
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        status = screen.query_one(DlqStatus)
        await until(pilot, lambda: status.text == shown, "the error")
        assert status.has_class("-error") and pilot.app.screen is screen
        assert not screen.reading


async def test_cluster_without_kafka_settings_is_explained() -> None:
    cluster = ClusterConfig(name="nokafka", urls=("http://x",))
    screen = DlqScreen(cluster, {"orders-dlq": "orders-sink"}, "orders-dlq")
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        status = screen.query_one(DlqStatus)
        await until(pilot, lambda: "no Kafka settings" in status.text, "the explanation")
        assert "[clusters.nokafka.kafka]" in status.text


async def test_foreign_records_null_payloads_and_huge_traces_are_shown_safely() -> None:
    reader = FakeReader(count=0)
    huge = "java.lang.IllegalStateException: deep\n" + "\tat a.B.c(B.java:1)\n" * 20_000
    reader.records = [
        KafkaRecord("orders-dlq", 0, 0, None, None, None, (("x", b"\xff\xfe"),)),  # foreign
        KafkaRecord(
            "orders-dlq",
            0,
            1,
            1_700_000_000_000,
            b"",
            b"\x00\x00\x00\x00\x07\x02",
            (
                (HEADER_PREFIX + "exception.stacktrace", huge.encode()),
                (HEADER_PREFIX + "exception.message", None),
            ),
        ),  # fmt: skip
    ]
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 2, "both records")
        detail = screen.query_one(DlqDetail)
        trace = str(detail.query_one("#dlq-trace").content)
        assert "20001 lines" in trace and len(trace) < 64 * 1024 + 200
        headers = detail.query_one("#dlq-headers")
        assert [str(c) for c in headers.get_row_at(1)] == ["exception.message", "null"]
        assert "schema id 7" in str(detail.query_one("#dlq-value-label").content)
        assert "empty" in str(detail.query_one("#dlq-key-label").content)
        await pilot.press("down")
        await until(pilot, lambda: table.current is not None and table.current.record.offset == 0,
                    "the foreign record")  # fmt: skip
        await until(pilot, lambda: str(headers.get_row_at(0)[0]) == "(none)", "its detail")
        assert table.current is not None and table.current.message_line.startswith("(no Connect")
        shown = [str(headers.get_row_at(i)[1]) for i in range(headers.row_count)]
        assert shown == ["this record has no __connect.errors.* headers"]
        assert str(detail.query_one("#dlq-value").content) == "null"
        other = detail.query_one("#dlq-other")
        assert [str(c) for c in other.get_row_at(0)] == ["x", "\\xff\\xfe"]
