"""Reading diagnosis rules from TOML: the set shipped in the package and the user's own.

The shipped ``rules.toml`` sits beside this module. The user's ``rules.toml`` in the
config folder (``$XDG_CONFIG_HOME/kctui/`` and beside the config file) adds rules and
overrides shipped ones by id: keys it gives replace the shipped rule's, ``enabled =
false`` turns a rule off. A file that cannot be used raises :class:`RuleFileError` naming
the file, the line and the rule. Rules read through the one settings validator
(:mod:`kctui.settings.validate`); nothing here remembers what it loaded: the command or the
console session holds the rules it loaded and passes them on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from msgspec import Meta

from kctui.diagnose.classify import load_catalog
from kctui.diagnose.model import DEFAULT_PRIORITY, STAGES, Criteria, Rule
from kctui.errors import KctuiError
from kctui.settings import Settings, config_path, xdg_dir
from kctui.settings.validate import Problem, TomlSource

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
BUILT_IN = "built-in rules"

Strings = Annotated[
    tuple[str, ...], Meta(extra={"text": "whole", "expected": "a string or a list of strings"})
]
Pattern = Annotated[str, Meta(extra={"expected": "a string (a regex)"})]
Text = Annotated[str, Meta(min_length=1)]


class RuleFileError(KctuiError):
    """A rules file that cannot be used; the message names the file and the rule."""


class MatchTable(Settings, frozen=True, kw_only=True):
    """``[rule.match]``: every criterion given must hold."""

    classes: Strings = ()
    messages: Strings = ()
    stages: Strings = ()
    connector_class: Pattern | None = None
    frames: Pattern | None = None


class RuleTable(Settings, frozen=True, kw_only=True):
    """One ``[[rule]]`` as the file writes it (an override may give only some keys)."""

    id: Annotated[str, Meta(extra={"expected": "lower-case letters, digits, '-', '_' or '.'"})]
    summary: Text | None = None
    action: Text | None = None
    link: Text | None = None
    priority: Annotated[int, Meta(extra={"expected": "an integer"})] | None = None
    enabled: bool = True
    match: Annotated[MatchTable, Meta(extra={"expected": "a table ([rule.match])"})] | None = None
    restart: bool | None = None
    category: str | None = None


class RulesFile(Settings, frozen=True, kw_only=True):
    rule: Annotated[
        tuple[RuleTable, ...], Meta(extra={"expected": "an array of tables ([[rule]])"})
    ] = ()


class _RuleSource(TomlSource):
    """A rules file: its errors read ``rules file F:LINE: rule 'id': ...``."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text, source, error=RuleFileError)

    def rule_where(self, index: int) -> str:
        tables = self.data.get("rule")
        table = tables[index] if isinstance(tables, list) and index < len(tables) else None
        rule_id = table.get("id") if isinstance(table, dict) else None
        if isinstance(rule_id, str) and rule_id:
            return f"rule '{rule_id}'"
        return f"rule #{index + 1}"

    def phrase(self, problem: Problem) -> str:
        head, path = f"rules file {problem.where}", problem.path
        listed = ", ".join(problem.unknown)
        if problem.kind == "toml":
            return f"{head}: not valid TOML: {problem.detail}"
        if not path:
            return f"{head}: unknown top-level key(s) {listed}; rules go in [[rule]] tables"
        if len(path) == 1:
            return f"{head}: 'rule' must be {problem.expected}"
        where = f"{head}, {self.rule_where(int(path[1]))}"
        if problem.kind == "unknown":
            what = "match key(s)" if path[2:] == ("match",) else "key(s)"
            return f"{where}: unknown {what} {listed}; known: {', '.join(problem.known)}"
        if problem.kind == "value" and len(path) == 2:
            return f"{where}: must be a table"
        if problem.kind == "value":
            field = next((p for p in reversed(path) if isinstance(p, str)), "")
            return f"{where}: '{field}' must be {problem.expected}"
        return f"{where}: {problem.detail}"


def _regex(source: _RuleSource, at: tuple[str | int, ...], pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        key = at[-1]
        raise source.fail(at, f"'{key}' regex {pattern!r} is invalid: {exc}") from None


def _criteria(source: _RuleSource, at: tuple[str | int, ...], match: MatchTable) -> Criteria:
    stages = frozenset(s.strip().upper() for s in match.stages)
    bad = sorted(stages - STAGES)
    if bad:
        detail = f"unknown stage(s) {', '.join(bad)}; known: {', '.join(sorted(STAGES))}"
        raise source.fail((*at, "stages"), detail)
    criteria = Criteria(
        classes=match.classes,
        messages=tuple(_regex(source, (*at, "messages"), p) for p in match.messages),
        stages=stages,
        connector_class=_regex(source, (*at, "connector_class"), match.connector_class)
        if match.connector_class
        else None,
        frames=_regex(source, (*at, "frames"), match.frames) if match.frames else None,
    )
    if criteria.is_empty():
        detail = "'match' gives no criterion (classes, messages, stages, connector_class, frames)"
        raise source.fail(at, detail)
    return criteria


def _text(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split()) or None


def _rule(source: _RuleSource, index: int, table: RuleTable, base: Rule | None) -> Rule:
    """One rule from its table; ``base`` is the rule it overrides, if any."""
    at: tuple[str | int, ...] = ("rule", index)
    summary, action, link = _text(table.summary), _text(table.action), _text(table.link)
    for key, value, given in (("summary", summary, table.summary),
                              ("action", action, table.action)):  # fmt: skip
        if given is not None and value is None:
            raise source.fail((*at, key), f"'{key}' must be a non-empty string")
        if value is None and base is None:
            raise source.fail(at, f"'{key}' is missing")
    if table.match is not None:
        criteria = _criteria(source, (*at, "match"), table.match)
    elif base is not None:
        criteria = base.criteria
    else:
        detail = "'match' is missing (a [rule.match] table with at least one criterion)"
        raise source.fail(at, detail)
    if link is not None and not link.startswith(("https://", "http://")):
        raise source.fail((*at, "link"), "'link' must be an http(s) URL")
    category = table.category if table.category is not None else (base.category if base else None)
    known = category_ids()
    if category is not None and category not in known:
        detail = f"unknown category {category!r}; known: {', '.join(sorted(known))}"
        raise source.fail((*at, "category"), detail)
    return Rule(
        id=table.id,
        summary=summary or (base.summary if base else ""),
        action=action or (base.action if base else ""),
        criteria=criteria,
        link=link if link is not None else (base.link if base else None),
        priority=table.priority if table.priority is not None else (
            base.priority if base else DEFAULT_PRIORITY),
        source=source.origin,
        restart_helps=table.restart if table.restart is not None else (
            base.restart_helps if base else True),
        category=category,
    )  # fmt: skip


def parse_rules(text: str, source: str, base: Sequence[Rule] = ()) -> list[Rule]:
    """The rules of one file merged over ``base`` (same id: override; ``enabled = false``: off)."""
    rules_file = _RuleSource(text, source)
    tables = rules_file.read(RulesFile).rule
    merged = {rule.id: rule for rule in base}
    added: list[str] = []
    seen: set[str] = set()
    for index, table in enumerate(tables):
        if not _ID.match(table.id):
            detail = "'id' must be lower-case letters, digits, '-', '_' or '.'"
            raise rules_file.fail(("rule", index, "id"), detail)
        if table.id in seen:
            raise rules_file.fail(("rule", index, "id"), "the id is used twice in this file")
        seen.add(table.id)
        if not table.enabled:
            merged.pop(table.id, None)
            continue
        rule = _rule(rules_file, index, table, merged.get(table.id))
        if table.id not in merged:
            added.append(table.id)
        merged[table.id] = rule
    # New rules first: among rules of equal rank, the user's own win.
    return [merged[i] for i in added] + [merged[r.id] for r in base if r.id in merged]


# Categories only rules use: a record an error handler gave up on, a transform (SMT) failing.
RULE_ONLY_CATEGORIES = frozenset({"bad-record", "transform"})


def category_ids() -> frozenset[str]:
    """The categories a rule may name: those of categories.toml and the rules' own."""
    return frozenset(c.id for c in load_catalog().categories) | RULE_ONLY_CATEGORIES


def builtin_text() -> str:
    return resources.files("kctui.diagnose").joinpath("rules.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[Rule, ...]:
    """The shipped rules (package data, parsed once): what a diagnosis uses when the caller
    passes no rules of its own."""
    return tuple(parse_rules(builtin_text(), BUILT_IN))


def user_rule_paths(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> list[Path]:
    """Where the user's rules may live: the XDG config folder, then beside the config file
    (``config_file``, the commands' ``--config``; by default the usual config path)."""
    env = os.environ if env is None else env
    config_file = config_file if config_file is not None else config_path(env)
    candidates = [
        xdg_dir("config", env) / "kctui" / "rules.toml",
        config_file.parent / "rules.toml",
    ]
    paths: list[Path] = []
    for path in candidates:
        if path not in paths:
            paths.append(path)
    return paths


def load_rules(
    env: Mapping[str, str] | None = None, *, config_file: Path | None = None
) -> tuple[Rule, ...]:
    """The shipped rules with the user's files applied (read now; the caller keeps them)."""
    rules: Sequence[Rule] = builtin_rules()
    for path in user_rule_paths(env, config_file):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise RuleFileError(
                f"rules file {path}: cannot be read: {exc.strerror or exc}"
            ) from None
        rules = parse_rules(text, str(path), rules)
    return tuple(rules)
