"""Diagnoses of dead letters: one per record and one per group of the DLQ summary (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kctui.diagnose import diagnose
from kctui.diagnose.model import Diagnosis, Rule
from kctui.dlq.records import DeadLetter, group_value

GROUP_KINDS = ("exception", "stage")
SAMPLE = 20  # records of a group whose failures are diagnosed


def failure_of(dl: DeadLetter) -> str | None:
    """The failure a dead letter records: its stack trace, else ``Class: message``."""
    if dl.stacktrace and dl.stacktrace.strip():
        return dl.stacktrace
    parts = [p for p in (dl.exception_class, dl.exception_message) if p]
    return ": ".join(parts) or None


def diagnose_dead_letter(dl: DeadLetter, rules: Sequence[Rule] | None = None) -> Diagnosis | None:
    return diagnose(failure_of(dl), stage=dl.stage, rules=rules)


def group_diagnoses(
    dead_letters: Iterable[DeadLetter],
    rules: Sequence[Rule] | None = None,
    *,
    sample: int = SAMPLE,
) -> dict[tuple[str, str], Diagnosis]:
    """``(kind, value) -> diagnosis`` for the summary's groups (exception class, stage).

    A group gets the diagnosis most of its first ``sample`` records share, so a topic of
    100,000 dead letters costs one pass of cheap grouping and a few dozen diagnoses.
    """
    members: dict[tuple[str, str], list[DeadLetter]] = {}
    for dl in dead_letters:
        for kind in GROUP_KINDS:
            bucket = members.setdefault((kind, group_value(dl, kind)), [])
            if len(bucket) < sample:
                bucket.append(dl)
    seen: dict[tuple[str | None, str | None], Diagnosis | None] = {}
    result: dict[tuple[str, str], Diagnosis] = {}
    for group, letters in members.items():
        votes: dict[str, tuple[int, Diagnosis]] = {}
        for dl in letters:
            key = (failure_of(dl), dl.stage)
            if key not in seen:
                seen[key] = diagnose(key[0], stage=key[1], rules=rules)
            found = seen[key]
            if found is not None:
                votes[found.rule] = (votes.get(found.rule, (0, found))[0] + 1, found)
        if votes:
            result[group] = max(votes.values(), key=lambda vote: vote[0])[1]
    return result
