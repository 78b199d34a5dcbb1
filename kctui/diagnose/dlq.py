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

    A group gets the diagnosis most of its sampled records share: the first ``sample``
    records of each (exception class, stage) pair are diagnosed, so a topic of 100,000
    dead letters costs one cheap pass and a few dozen diagnoses.
    """
    pairs: dict[tuple[str | None, str | None], list[DeadLetter]] = {}
    for dl in dead_letters:
        key = (dl.exception_class, dl.stage)
        bucket = pairs.get(key)
        if bucket is None:
            bucket = pairs[key] = []
        if len(bucket) < sample:
            bucket.append(dl)
    seen: dict[tuple[str | None, str | None], Diagnosis | None] = {}
    votes: dict[tuple[str, str], dict[str, tuple[int, Diagnosis]]] = {}
    for letters in pairs.values():
        for dl in letters:
            failure = (failure_of(dl), dl.stage)
            if failure not in seen:
                seen[failure] = diagnose(failure[0], stage=failure[1], rules=rules)
            found = seen[failure]
            if found is None:
                continue
            for kind in GROUP_KINDS:
                tally = votes.setdefault((kind, group_value(dl, kind)), {})
                tally[found.rule] = (tally.get(found.rule, (0, found))[0] + 1, found)
    return {
        group: max(tally.values(), key=lambda vote: vote[0])[1] for group, tally in votes.items()
    }
