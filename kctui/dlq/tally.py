"""Running counters of the dead letters read from one DLQ topic (pure).

The DLQ browser folds each page into a :class:`DlqTally` in the worker that read it, so
its summary (counts by exception, stage and cause) never needs the dead letters again
and the UI thread never recomputes it. A record read twice (paging back and forth) counts
once; past ``limit`` records nothing more is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from kctui.dlq.groups import CauseCounts, CauseGroup
from kctui.dlq.records import NO_VALUE, DeadLetter, Summary, SummaryCounts

MAX_REMEMBERED = 100_000  # dead letters counted for the summary of one topic
SAMPLE = 20  # dead letters kept per (stage, exception class) for the group diagnoses


class DlqTally:
    """What has been read of one topic so far: the counts, the cause groups, and the first
    ``sample`` dead letters of each (stage, exception class) pair, in read order."""

    def __init__(self, limit: int = MAX_REMEMBERED, sample: int = SAMPLE) -> None:
        self.limit = limit
        self.sample = sample
        self._seen: set[tuple[int, int]] = set()
        self._counts = SummaryCounts()
        self._causes = CauseCounts()
        self._per_pair: Counter[tuple[str, str]] = Counter()
        self._samples: list[DeadLetter] = []

    @property
    def read(self) -> int:
        """Distinct dead letters counted."""
        return len(self._seen)

    def add(self, dead_letters: Iterable[DeadLetter]) -> int:
        """Count the dead letters not counted yet; how many were new."""
        added = 0
        for dl in dead_letters:
            where = (dl.record.partition, dl.record.offset)
            if where in self._seen or len(self._seen) >= self.limit:
                continue
            self._seen.add(where)
            self._counts.add(dl)
            self._causes.add(dl)
            pair = (dl.stage or NO_VALUE, dl.exception_class or NO_VALUE)
            if self._per_pair[pair] < self.sample:
                self._per_pair[pair] += 1
                self._samples.append(dl)
            added += 1
        return added

    def summary(self) -> Summary:
        return self._counts.summary()

    def cause_groups(self) -> list[CauseGroup]:
        return self._causes.groups()

    @property
    def samples(self) -> tuple[DeadLetter, ...]:
        """The first ``sample`` dead letters of each (stage, exception class), in read order:
        all that ``kctui.diagnose.dlq.group_diagnoses`` looks at."""
        return tuple(self._samples)
