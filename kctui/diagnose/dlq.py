"""Diagnoses of dead letters: one per record and one per group of the DLQ summary (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kctui.diagnose import diagnose
from kctui.diagnose.model import Diagnosis, Rule
from kctui.diagnose.payload import WireFacts, wire_facts, wire_format_diagnosis
from kctui.dlq.records import NO_VALUE, DeadLetter

SAMPLE = 20  # records of a group whose failures are diagnosed


def failure_of(dl: DeadLetter) -> str | None:
    """The failure a dead letter records: its stack trace, else ``Class: message``."""
    if dl.stacktrace and dl.stacktrace.strip():
        return dl.stacktrace
    parts = [p for p in (dl.exception_class, dl.exception_message) if p]
    return ": ".join(parts) or None


def _diagnose(
    failure: str | None, stage: str | None, facts: WireFacts | None, rules: Sequence[Rule] | None
) -> Diagnosis | None:
    """The failure's diagnosis, or what the record's bytes say when they say more."""
    found = diagnose(failure, stage=stage, rules=rules)
    return wire_format_diagnosis(facts, found, failure) or found


def diagnose_dead_letter(dl: DeadLetter, rules: Sequence[Rule] | None = None) -> Diagnosis | None:
    """A dead letter's diagnosis: its error headers, and its own bytes (cross-signal)."""
    return _diagnose(failure_of(dl), dl.stage, wire_facts(dl), rules)


def _votes(
    dead_letters: Iterable[DeadLetter], rules: Sequence[Rule] | None, sample: int
) -> dict[tuple[str, str], dict[str, tuple[int, Diagnosis]]]:
    """Per (stage, exception class): how many of its first ``sample`` records each rule explains."""
    pairs: dict[tuple[str, str], list[DeadLetter]] = {}
    for dl in dead_letters:
        key = (dl.stage or NO_VALUE, dl.exception_class or NO_VALUE)
        bucket = pairs.get(key)
        if bucket is None:
            bucket = pairs[key] = []
        if len(bucket) < sample:
            bucket.append(dl)
    seen: dict[tuple[str | None, str | None, WireFacts | None], Diagnosis | None] = {}
    votes: dict[tuple[str, str], dict[str, tuple[int, Diagnosis]]] = {}
    for pair, letters in pairs.items():
        tally = votes.setdefault(pair, {})
        for dl in letters:
            failure = (failure_of(dl), dl.stage, wire_facts(dl))
            if failure not in seen:
                seen[failure] = _diagnose(*failure, rules)
            found = seen[failure]
            if found is not None:
                tally[found.rule] = (tally.get(found.rule, (0, found))[0] + 1, found)
    return votes


def _winner(tally: dict[str, tuple[int, Diagnosis]]) -> Diagnosis:
    return max(tally.values(), key=lambda vote: vote[0])[1]


def pair_diagnoses(
    dead_letters: Iterable[DeadLetter],
    rules: Sequence[Rule] | None = None,
    *,
    sample: int = SAMPLE,
) -> dict[tuple[str, str], Diagnosis]:
    """``(stage, exception class) -> diagnosis``, the groups of ``kctui dlq --summary``."""
    return {pair: _winner(t) for pair, t in _votes(dead_letters, rules, sample).items() if t}


def group_diagnoses(
    dead_letters: Iterable[DeadLetter],
    rules: Sequence[Rule] | None = None,
    *,
    sample: int = SAMPLE,
) -> dict[tuple[str, str], Diagnosis]:
    """``(kind, value) -> diagnosis`` for the console summary's groups (exception, stage).

    A group gets the diagnosis most of its sampled records share: the first ``sample``
    records of each (stage, exception class) pair are diagnosed, so a topic of 100,000
    dead letters costs one cheap pass and a few dozen diagnoses.
    """
    merged: dict[tuple[str, str], dict[str, tuple[int, Diagnosis]]] = {}
    for (stage, exception), tally in _votes(dead_letters, rules, sample).items():
        for group in (("exception", exception), ("stage", stage)):
            into = merged.setdefault(group, {})
            for rule, (count, found) in tally.items():
                into[rule] = (into.get(rule, (0, found))[0] + count, found)
    return {group: _winner(t) for group, t in merged.items() if t}
