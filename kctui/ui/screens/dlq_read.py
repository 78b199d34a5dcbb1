"""What the DLQ browser's read worker sends back, and the summary it folds as it reads.

Every read (a page, the topic list, an original record, an export, a redrive plan) runs
in the browser's one thread worker and comes back as ONE message derived from
:class:`DlqRead`, whose ``generation`` says which read it answers (a newer read makes
older answers stale). A page comes with the summary of everything read of its topic so
far (:class:`DlqOverview`), folded in the worker by :class:`DlqFold`: the UI thread only
shows it, whatever the number of dead letters read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from textual.message import Message

from kctui.diagnose.dlq import diagnose_dead_letter, group_diagnoses
from kctui.diagnose.model import Diagnosis, Rule
from kctui.dlq.groups import CauseGroup
from kctui.dlq.pages import Page, TopicInfo
from kctui.dlq.protocol import CancelCheck, DlqSource, Progress
from kctui.dlq.records import DeadLetter, KafkaRecord, Summary, summarize
from kctui.dlq.redrive import Plan
from kctui.dlq.tally import MAX_REMEMBERED, DlqTally

# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class DlqOverview:
    """The summary bar's content: counts of everything read of a topic, its cause groups,
    and what the groups' failures usually mean (keyed by kind and value)."""

    read: int = 0
    summary: Summary = field(default_factory=lambda: summarize(()))
    causes: tuple[CauseGroup, ...] = ()
    diagnoses: Mapping[tuple[str, str], Diagnosis] = field(default_factory=dict)


class DlqFold:
    """The running summary of one topic, fed by the read worker (thread-safe)."""

    def __init__(
        self, topic: str | None, rules: Sequence[Rule] | None, limit: int = MAX_REMEMBERED
    ) -> None:
        self.topic = topic
        self.rules = rules
        self._tally = DlqTally(limit)
        self._cause_diagnoses: dict[str, Diagnosis | None] = {}  # a group's sample never changes
        self._group_diagnoses: dict[tuple[str, str], Diagnosis] = {}
        self._sampled = 0  # samples the group diagnoses were made from (they only grow)
        self._lock = threading.Lock()  # a cancelled read may still be folding

    def add(self, page: Page) -> DlqOverview | None:
        """Count the page's dead letters (cause keys computed here, once each); None when
        the page is of another topic."""
        if page.topic != self.topic:
            return None
        with self._lock:
            tally = self._tally
            tally.add(page.dead_letters)
            causes = tuple(tally.cause_groups())
            samples = tally.samples
            if len(samples) != self._sampled:
                self._group_diagnoses = group_diagnoses(samples, rules=self.rules)
                self._sampled = len(samples)
            diagnoses = dict(self._group_diagnoses)
            for group in causes:  # a cause group is diagnosed from one of its records
                if group.key not in self._cause_diagnoses:
                    self._cause_diagnoses[group.key] = diagnose_dead_letter(
                        group.sample, self.rules
                    )
                found = self._cause_diagnoses[group.key]
                if found is not None:
                    diagnoses[("cause", group.key)] = found
            return DlqOverview(tally.read, tally.summary(), causes, diagnoses)


# --------------------------------------------------------------------------- messages


class DlqRead(Message):
    """The answer of one read of the browser's worker; ``generation`` names the read."""

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0  # set by the worker before it posts the message


class DlqTopicsLoaded(DlqRead):
    def __init__(self, infos: list[TopicInfo]) -> None:
        super().__init__()
        self.infos = infos


class DlqPageLoaded(DlqRead):
    """A page, and the summary of its topic with the page counted (None: not counted)."""

    def __init__(self, page: Page, description: str, overview: DlqOverview | None) -> None:
        super().__init__()
        self.page = page
        self.description = description
        self.overview = overview


class DlqOriginalLoaded(DlqRead):
    def __init__(self, dead_letter: DeadLetter, record: KafkaRecord | None) -> None:
        super().__init__()
        self.dead_letter = dead_letter
        self.record = record


class DlqReadProgress(DlqRead):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DlqReadProgress)


class DlqRedrivePlanned(DlqRead):
    def __init__(self, plan: Plan, warnings: list[str]) -> None:
        super().__init__()
        self.plan, self.warnings = plan, warnings


class DlqReadFailed(DlqRead):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class DlqDone(DlqRead):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


# What the worker runs: a job (export, redrive plan), a read of the source, a page read.
Job = Callable[[CancelCheck, Progress], DlqRead]
SourceRead = Callable[[DlqSource, CancelCheck, Progress], DlqRead]
PageRead = Callable[[DlqSource, CancelCheck, Progress], Page]
