"""The DLQ summary is folded in the read worker: the UI thread shows the payload of each
page and never works out a dead letter's cause, whatever it does with the groups."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import OptionList

import kctui.dlq.groups
from kctui.dlq.records import DeadLetter
from kctui.ui.screens.dlq_read import DlqPageLoaded
from kctui.ui.widgets.dlq_summary import DlqSummary
from kctui.ui.widgets.dlq_table import DlqTable
from tests.ui.test_dlq_screen import FakeReader, Host, screen_for, until


async def test_causes_are_worked_out_once_in_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    keyed: list[tuple[int, int]] = []
    real = kctui.dlq.groups.key_of

    def recording(dl: DeadLetter) -> str:
        threads.append(threading.current_thread().name)
        keyed.append((dl.record.partition, dl.record.offset))
        return real(dl)

    monkeypatch.setattr(kctui.dlq.groups, "key_of", recording)
    overviews: dict[int, int] = {}  # message -> dead letters its summary counts

    def seen(message: object) -> None:
        if isinstance(message, DlqPageLoaded) and message.overview is not None:
            overviews[id(message)] = message.overview.read  # (it bubbles: seen twice)

    screen = screen_for(FakeReader(count=30))
    async with Host(screen).run_test(size=(160, 50), message_hook=seen) as pilot:
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 10, "the newest page")
        await pilot.press("n")
        await until(pilot, lambda: table.dead_letters[0].record.offset == 19, "the older page")
        await until(pilot, lambda: screen.overview.read == 20, "both pages counted")
        summary = screen.query_one(DlqSummary)
        options = summary.query_one(OptionList)
        assert options.option_count > 1
        for index in range(options.option_count):  # every group, then "all" again
            options.highlighted = index
            options.action_select()
            await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
    assert list(overviews.values()) == [10, 20]  # the summary came with each page
    assert threads and "MainThread" not in threads  # never on the UI thread
    assert sorted(keyed) == sorted(set(keyed)) and len(keyed) == 20  # once per dead letter
