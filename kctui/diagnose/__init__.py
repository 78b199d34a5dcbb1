"""A diagnosis for known Connect failures: rules shipped as data, matched on the trace model.

``diagnose(trace, stage=None, connector_class=None)`` returns the :class:`Diagnosis` of
the most specific rule that matches (or None): what the failure usually means, what to
check or do, and a documentation link. Pure apart from reading the rule files once.
"""

from __future__ import annotations

from collections.abc import Sequence

from kctui.diagnose.loading import (
    RuleFileError,
    current_rules,
    load_rules,
    parse_rules,
    user_rule_paths,
)
from kctui.diagnose.model import Diagnosis, Rule, best_match, evidence
from kctui.traces import Trace, parse_trace

__all__ = [
    "Diagnosis",
    "Rule",
    "RuleFileError",
    "current_rules",
    "diagnose",
    "diagnosis_json",
    "diagnosis_lines",
    "load_rules",
    "parse_rules",
    "user_rule_paths",
]


def diagnose(
    trace: str | Trace | None,
    stage: str | None = None,
    connector_class: str | None = None,
    *,
    rules: Sequence[Rule] | None = None,
) -> Diagnosis | None:
    """The diagnosis of a trace, log record or error message; None when no rule knows it.

    ``stage`` is a DLQ record's ``__connect.errors.stage``; ``connector_class`` the
    failing connector's class. ``rules`` defaults to the shipped rules plus the user's
    (:func:`load_rules`, which raises :class:`RuleFileError` for a bad user file).
    """
    parsed = trace if isinstance(trace, Trace) else parse_trace(trace)
    if not parsed.text.strip():
        return None
    chosen = best_match(
        load_rules() if rules is None else rules,
        evidence(parsed, stage=stage, connector_class=connector_class),
    )
    return chosen.diagnosis if chosen else None


def diagnosis_json(
    trace: str | Trace | None, stage: str | None = None, connector_class: str | None = None
) -> dict[str, str | None] | None:
    """The ``"diagnosis"`` value of the ``--json`` outputs: the object, or None."""
    found = diagnose(trace, stage, connector_class)
    return found.to_json() if found else None


def diagnosis_lines(found: Diagnosis) -> list[str]:
    """The diagnosis as text lines: the rule and summary, what to check, the link."""
    lines = [f"Diagnosis ({found.rule}): {found.summary}", f"  Action: {found.action}"]
    if found.link:
        lines.append(f"  Docs: {found.link}")
    return lines
