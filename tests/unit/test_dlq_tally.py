"""The running DLQ summary: folding pages one by one gives what summarising everything read
at once gives, a record read twice counts once, and a dead letter's cause is computed once."""

from __future__ import annotations

import pytest

import kctui.dlq.groups
from kctui.diagnose.dlq import group_diagnoses
from kctui.dlq.groups import cause_groups
from kctui.dlq.records import DeadLetter, summarize
from kctui.dlq.tally import DlqTally
from tests.unit.test_dlq_groups import dead_letter

CAUSES = (
    "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('{c}' (code {n}))",
    "org.apache.kafka.common.errors.SerializationException: Unknown magic byte!",
    "java.io.IOException: file /data/out-{n}.txt not found",
)


def letters(count: int) -> list[DeadLetter]:
    """Dead letters of three causes and two stages, over three partitions, times unordered."""
    out = []
    for i in range(count):
        cause = CAUSES[i % 3].format(c=chr(97 + i % 20), n=i)
        stage = "VALUE_CONVERTER" if i % 4 else "TASK_PUT"
        out.append(dead_letter(i, i % 3, 5_000 - (i * 37) % 1_000, cause, stage))
    return out


def pages(items: list[DeadLetter], size: int) -> list[list[DeadLetter]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def test_pages_folded_one_by_one_give_the_summary_of_everything_at_once() -> None:
    everything = letters(250)
    tally = DlqTally(sample=5)
    for page in pages(everything, 40):
        tally.add(page)
    assert tally.read == 250
    assert tally.summary() == summarize(everything)
    assert tally.cause_groups() == cause_groups(everything)
    groups = tally.cause_groups()
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    assert sum(g.count for g in groups) == 250
    assert group_diagnoses(tally.samples, sample=5) == group_diagnoses(everything, sample=5)
    pairs = {(dl.stage, dl.exception_class) for dl in everything}
    assert len(tally.samples) == 5 * len(pairs)  # ``sample`` per (stage, exception) pair


def test_a_record_read_twice_counts_once_and_the_limit_holds() -> None:
    everything = letters(30)
    tally = DlqTally(limit=25)
    assert tally.add(everything[:20]) == 20
    assert tally.add(everything[10:20]) == 0  # paging back over what was read
    assert tally.add(everything[20:]) == 5  # the limit: 25 counted, 5 left out
    assert tally.read == 25
    assert tally.summary().total == 25
    assert tally.summary() == summarize(everything[:25])


def test_the_cause_of_a_dead_letter_is_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = kctui.dlq.groups.key_of

    def counting(dl: DeadLetter) -> str:
        calls.append(dl.record.offset)
        return real(dl)

    monkeypatch.setattr(kctui.dlq.groups, "key_of", counting)
    everything = letters(12)
    tally = DlqTally()
    tally.add(everything)
    keys = [dl.cause_key for dl in everything]  # what a group click compares
    tally.cause_groups()
    assert sorted(calls) == [dl.record.offset for dl in everything]  # once each
    assert keys == [real(dl) for dl in everything]
