"""A diagnosis for Connect failures: rules shipped as data, by cause category, matched on the
trace model.

``diagnose(trace, stage=None, connector_class=None)`` returns the :class:`Diagnosis` of the
most specific rule that matches; when none does (or only a catch-all rule does), the
failure is still put in a cause category from its classes, words and error codes
(``"rule": "generic:<category>"``), but only on clear evidence. A validation answer
(*Connector configuration is invalid ...*) is diagnosed by the errors it wraps: it is an
invalid configuration only when none of them has a category of its own. Either way the
diagnosis names its category and the system the failure comes from, and its action fits
that system. Pure: the rules are passed in (the shipped ones when none are).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kctui.diagnose.classify import Catalog, Category, classify_parts, failing_key, load_catalog
from kctui.diagnose.loading import (
    RuleFileError,
    builtin_rules,
    load_rules,
    parse_rules,
    user_rule_paths,
)
from kctui.diagnose.model import (
    DEFAULT_PRIORITY,
    Diagnosis,
    Evidence,
    Rule,
    best_match,
    evidence,
)
from kctui.diagnose.systems import System
from kctui.diagnose.systems import system_of as system_of
from kctui.diagnose.tokens import failure_parts
from kctui.diagnose.validation import validation_errors
from kctui.trace_unwrap import BARE_EXCEPTION_CLASS
from kctui.traces import Trace, leading_classes, parse_trace

__all__ = [
    "Diagnosis",
    "Rule",
    "RuleFileError",
    "builtin_rules",
    "diagnose",
    "diagnosis_json",
    "diagnosis_lines",
    "load_rules",
    "parse_rules",
    "system_of",
    "user_rule_paths",
]

GENERIC_PREFIX = "generic:"


def _cause_class(trace: Trace, text: str = "") -> str | None:
    """The class the root cause names last (``ConnectException: java.sql.SQLException: ...``
    names SQLException), else the last class of the trace, else the last one prose names."""
    root = trace.root_cause
    if root is not None and root.short_name:
        inner = leading_classes(root.message)
        return inner[-1].rsplit(".", 1)[-1] if inner else root.short_name
    classes = trace.exception_classes
    if classes:
        return classes[-1].rsplit(".", 1)[-1]
    named = [match.group(1) for match in BARE_EXCEPTION_CLASS.finditer(text)]
    return named[-1] if named else None


def headline(title: str, system: System, trace: Trace, text: str = "") -> str:
    """``permission denied at SQL Server (from SQLServerException)``."""
    where = "" if system.generic and system.name == "Kafka Connect" else f" at {system.name}"
    cause = _cause_class(trace, text)
    return f"{title}{where} (from {cause})" if cause else f"{title}{where}"


def _excerpt(trace: Trace, text: str) -> str:
    root = trace.root_cause
    line = root.first_message_line if root is not None and root.class_name else ""
    line = line or (text.strip().splitlines() or [""])[-1].strip()
    return line if len(line) <= 160 else line[:157] + "..."


def _with_key(action: str, text: str) -> str:
    """``{key}`` in an action: the configuration key the failure names, if it names one."""
    if "{key}" not in action:
        return action
    key = failing_key(text)
    return action.replace("{key}", f" (key: {key})" if key else "")


def _generic(category: Category, system: System, trace: Trace, text: str) -> Diagnosis:
    action = _with_key(category.action_for(system), text)
    head = headline(category.title, system, trace, text)
    return Diagnosis(
        rule=GENERIC_PREFIX + category.id,
        summary=f"{head}: {_excerpt(trace, text)}",
        action=action,
        restart_helps=category.restart_helps,
        category=category.id,
        system=system.name,
        headline=head,
    )


def _from_rule(rule: Rule, system: System, trace: Trace, text: str) -> Diagnosis:
    catalog = load_catalog()
    category = catalog.category(rule.category) if rule.category else None
    title = category.title if category else (rule.category or "known failure")
    name = "the remote system" if system.generic else system.name
    found = rule.diagnosis
    return dataclasses.replace(
        found,
        summary=found.summary.replace("{system}", name),
        action=_with_key(found.action.replace("{system}", name), text),
        system=system.name,
        headline=headline(title, system, trace, text),
    )


def diagnose(
    trace: str | Trace | None,
    stage: str | None = None,
    connector_class: str | None = None,
    *,
    rules: Sequence[Rule] | None = None,
) -> Diagnosis | None:
    """The diagnosis of a trace, log record or error message; None without clear evidence.

    ``stage`` is a DLQ record's ``__connect.errors.stage``; ``connector_class`` the
    failing connector's class. ``rules`` are the ones the command or the console loaded
    (:func:`load_rules`: the shipped rules with the user's); without them, the shipped ones.
    """
    parsed = trace if isinstance(trace, Trace) else parse_trace(trace)
    if not parsed.text.strip():
        return None
    chosen_rules = builtin_rules() if rules is None else rules
    catalog = load_catalog()
    found = evidence(parsed, stage=stage, connector_class=connector_class)
    wrapped = _wrapped_cause(found.text, parsed, chosen_rules, catalog)
    if wrapped is not None:
        return wrapped
    return _diagnose_one(parsed, found, chosen_rules, catalog)


def _diagnose_one(
    parsed: Trace,
    found: Evidence,
    rules: Sequence[Rule],
    catalog: Catalog,
    around: tuple[Trace, str] | None = None,
) -> Diagnosis | None:
    """A rule of normal priority, else the category with clear evidence (a catch-all rule
    of lower priority yields to a category of another cause), else None. ``around``: the
    answer an error came in, whose system counts when the error names none."""

    def system() -> System:
        own = system_of(parsed, found.text, catalog)
        if own.generic and around is not None:
            outer = system_of(around[0], around[1], catalog)
            return own if outer.generic else outer
        return own

    chosen = best_match(rules, found)
    if chosen is not None and chosen.priority >= DEFAULT_PRIORITY:
        return _from_rule(chosen, system(), parsed, found.text)
    category = classify_parts(failure_parts(parsed), catalog)
    if chosen is not None and (category is None or chosen.category == category.id):
        return _from_rule(chosen, system(), parsed, found.text)
    if category is not None:  # a catch-all rule yields to the cause it wraps
        return _generic(category, system(), parsed, found.text)
    return None


def _wrapped_cause(
    text: str, whole: Trace, rules: Sequence[Rule], catalog: Catalog
) -> Diagnosis | None:
    """For a validation answer: the diagnosis of the most causal error it wraps that is
    not a configuration mistake (None when every error is one, or it is no such answer)."""
    errors = validation_errors(text)
    if not errors:
        return None
    order = {category.id: index for index, category in enumerate(catalog.categories)}
    best: tuple[int, Diagnosis] | None = None
    for error in errors:
        error_trace = parse_trace(error)
        error_found = evidence(error_trace, stage=None, connector_class=None)
        found = _diagnose_one(error_trace, error_found, rules, catalog, (whole, text))
        if found is None or found.category in (None, "invalid-config"):
            continue
        rank = order.get(found.category or "", len(order))
        if best is None or rank < best[0]:
            best = (rank, found)
    return best[1] if best else None


def diagnosis_json(
    trace: str | Trace | None,
    stage: str | None = None,
    connector_class: str | None = None,
    *,
    rules: Sequence[Rule] | None = None,
) -> dict[str, str | None] | None:
    """The ``"diagnosis"`` value of the ``--json`` outputs: the object, or None."""
    found = diagnose(trace, stage, connector_class, rules=rules)
    return found.to_json() if found else None


def diagnosis_lines(found: Diagnosis) -> list[str]:
    """The diagnosis as text lines: the rule and summary, what to check, the link."""
    lines = [f"Diagnosis ({found.rule}): {found.summary}", f"  Action: {found.action}"]
    if found.link:
        lines.append(f"  Docs: {found.link}")
    return lines
