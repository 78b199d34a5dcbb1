"""Rules that explain known Connect failures, and how one is matched against a trace.

A :class:`Rule` holds its match criteria already compiled; :func:`best_match` picks the
most specific rule that matches a parsed trace (pure, no I/O). Loading rules from TOML
lives in :mod:`kctui.diagnose.loading`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kctui.traces import Trace

# The stages Connect writes in ``__connect.errors.stage`` (and logs in its error context).
STAGES = frozenset(
    {
        "TASK_POLL",
        "TASK_PUT",
        "TRANSFORMATION",
        "KEY_CONVERTER",
        "VALUE_CONVERTER",
        "HEADER_CONVERTER",
        "KAFKA_PRODUCE",
        "KAFKA_CONSUME",
    }
)

DEFAULT_PRIORITY = 50

# How much each kind of criterion says about a failure; the sum orders rules of one
# priority, so a rule that checks a message and a class beats one that checks a class.
_WEIGHT_MESSAGE = 4
_WEIGHT_CLASS = 3
_WEIGHT_FRAME = 2
_WEIGHT_STAGE = 2
_WEIGHT_CONNECTOR = 2


@dataclass(frozen=True)
class Diagnosis:
    """What a known failure usually means and what to check; ``link`` may be None."""

    rule: str
    summary: str
    action: str
    link: str | None = None
    restart_helps: bool = True  # False: restarting the task cannot fix it (kctui watch)
    category: str | None = None  # the cause category (kctui/diagnose/categories.toml)
    system: str | None = None  # where the failure comes from ("SQL Server", "Kafka")
    headline: str = ""  # "permission denied at SQL Server (from SQLServerException)"

    def to_json(self) -> dict[str, str | None]:
        """The ``"diagnosis"`` object of the ``--json`` outputs."""
        return {
            "rule": self.rule,
            "summary": self.summary,
            "action": self.action,
            "link": self.link,
        }


@dataclass(frozen=True)
class Criteria:
    """What a rule matches on; every criterion given must hold (an empty one is not checked).

    ``classes``: any of these exception classes anywhere in the trace (a name without a
    dot matches the simple name). ``messages``: every regex must be found in the trace's
    text without its frames. ``stages``: the DLQ stage is one of these. ``connector_class``
    and ``frames``: a regex found in the connector class / in one frame's method.
    """

    classes: tuple[str, ...] = ()
    messages: tuple[re.Pattern[str], ...] = ()
    stages: frozenset[str] = frozenset()
    connector_class: re.Pattern[str] | None = None
    frames: re.Pattern[str] | None = None

    @property
    def specificity(self) -> int:
        return (
            _WEIGHT_MESSAGE * len(self.messages)
            + (_WEIGHT_CLASS if self.classes else 0)
            + (_WEIGHT_FRAME if self.frames else 0)
            + (_WEIGHT_STAGE if self.stages else 0)
            + (_WEIGHT_CONNECTOR if self.connector_class else 0)
        )

    def is_empty(self) -> bool:
        return self.specificity == 0


@dataclass(frozen=True)
class Rule:
    """One known failure: an id, its criteria, and the diagnosis it gives."""

    id: str
    summary: str
    action: str
    criteria: Criteria
    link: str | None = None
    priority: int = DEFAULT_PRIORITY
    source: str = "built-in"  # the file the rule came from, for error messages and docs
    restart_helps: bool = True  # the rule's ``restart = false``: a restart cannot fix it
    category: str | None = None  # the cause category this rule specialises

    @property
    def diagnosis(self) -> Diagnosis:
        return Diagnosis(self.id, self.summary, self.action, self.link, self.restart_helps,
                         self.category)  # fmt: skip


@dataclass(frozen=True)
class Evidence:
    """The parts of a failure rules look at, extracted once per diagnosis."""

    text: str  # the trace without frames: headers, messages, log lines around it
    classes: frozenset[str]  # full and simple names of every exception class
    frames: tuple[str, ...]
    stage: str | None = None
    connector_class: str | None = None
    flat: str = ""  # ``text`` with its whitespace runs (line breaks too) made one space


def evidence(trace: Trace, *, stage: str | None, connector_class: str | None) -> Evidence:
    """What :func:`best_match` needs from a parsed trace (and the caller's context)."""
    lines = [line for line in trace.preamble if line.strip()]
    for entry in trace.entries:
        header = f"{entry.class_name}: {entry.message}" if entry.class_name else entry.message
        if header.strip():
            lines.append(header)
    if not trace.entries and not lines:
        lines = [trace.text]
    classes: set[str] = set()
    for name in trace.exception_classes:
        classes.add(name)
        classes.add(name.rsplit(".", 1)[-1])
    text = "\n".join(lines)
    return Evidence(
        text=text,
        flat=" ".join(text.split()),
        classes=frozenset(classes),
        frames=tuple(frame.call for frame in trace.frames),
        stage=stage.strip().upper() if stage else None,
        connector_class=connector_class,
    )


def _found_in(pattern: re.Pattern[str], found: Evidence) -> bool:
    """True when a rule's message pattern is in the flattened text (a message wrapped over
    lines still matches); a pattern about lines (``^``, ``$``, ``\\n``) also tries the text."""
    source = pattern.pattern
    if found.flat and pattern.search(found.flat):
        return True
    if found.flat and not ("^" in source or "$" in source or "\\n" in source):
        return False
    return pattern.search(found.text) is not None


def matches(criteria: Criteria, found: Evidence) -> bool:
    """True when every criterion the rule gives holds for this failure."""
    if criteria.is_empty():
        return False
    if criteria.classes and not any(name in found.classes for name in criteria.classes):
        return False
    if not all(_found_in(pattern, found) for pattern in criteria.messages):
        return False
    if criteria.stages and found.stage not in criteria.stages:
        return False
    if criteria.connector_class is not None and not (
        found.connector_class and criteria.connector_class.search(found.connector_class)
    ):
        return False
    frames = criteria.frames
    return frames is None or any(frames.search(call) for call in found.frames)


def best_match(rules: Sequence[Rule], found: Evidence) -> Rule | None:
    """The matching rule of highest priority, then specificity, then earliest in the set."""
    best: tuple[int, int, int] | None = None
    chosen: Rule | None = None
    for order, rule in enumerate(rules):
        if not matches(rule.criteria, found):
            continue
        rank = (rule.priority, rule.criteria.specificity, -order)
        if best is None or rank > best:
            best, chosen = rank, rule
    return chosen
