"""Reading diagnosis rules from TOML: the set shipped in the package and the user's own.

The shipped ``rules.toml`` sits beside this module. The user's ``rules.toml`` in the
config folder (``$XDG_CONFIG_HOME/kctui/`` and beside the config file) adds rules and
overrides shipped ones by id: keys it gives replace the shipped rule's, ``enabled =
false`` turns a rule off. A file that cannot be used raises :class:`RuleFileError` naming
the file and the rule.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kctui.diagnose.classify import load_catalog
from kctui.diagnose.model import DEFAULT_PRIORITY, STAGES, Criteria, Rule
from kctui.errors import KctuiError

RULE_KEYS = frozenset(
    {"id", "summary", "action", "link", "priority", "enabled", "match", "restart", "category"}
)
MATCH_KEYS = frozenset({"classes", "messages", "stages", "connector_class", "frames"})
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
BUILT_IN = "built-in rules"


class RuleFileError(KctuiError):
    """A rules file that cannot be used; the message names the file and the rule."""


def _where(source: str, index: int, rule_id: object) -> str:
    if isinstance(rule_id, str) and rule_id:
        return f"rules file {source}, rule '{rule_id}'"
    return f"rules file {source}, rule #{index + 1}"


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise RuleFileError(f"{where}: '{key}' must be a string or a list of strings")


def _regex(pattern: str, key: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise RuleFileError(f"{where}: '{key}' regex {pattern!r} is invalid: {exc}") from None


def _criteria(match: Any, where: str) -> Criteria:
    if not isinstance(match, Mapping):
        raise RuleFileError(f"{where}: 'match' must be a table ([rule.match])")
    unknown = sorted(set(match) - MATCH_KEYS)
    if unknown:
        raise RuleFileError(
            f"{where}: unknown match key(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(MATCH_KEYS))}"
        )
    stages = frozenset(
        s.strip().upper() for s in _strings(match.get("stages", []), "stages", where)
    )
    bad = sorted(stages - STAGES)
    if bad:
        raise RuleFileError(
            f"{where}: unknown stage(s) {', '.join(bad)}; known: {', '.join(sorted(STAGES))}"
        )
    connector = match.get("connector_class")
    frames = match.get("frames")
    for key, value in (("connector_class", connector), ("frames", frames)):
        if value is not None and not isinstance(value, str):
            raise RuleFileError(f"{where}: '{key}' must be a string (a regex)")
    criteria = Criteria(
        classes=_strings(match.get("classes", []), "classes", where),
        messages=tuple(
            _regex(p, "messages", where)
            for p in _strings(match.get("messages", []), "messages", where)
        ),
        stages=stages,
        connector_class=_regex(connector, "connector_class", where) if connector else None,
        frames=_regex(frames, "frames", where) if frames else None,
    )
    if criteria.is_empty():
        raise RuleFileError(
            f"{where}: 'match' gives no criterion "
            "(classes, messages, stages, connector_class, frames)"
        )
    return criteria


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise RuleFileError(f"{where}: '{key}' is missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def _rule(raw: Mapping[str, Any], source: str, where: str, base: Rule | None) -> Rule:
    """One rule from its TOML table; ``base`` is the rule it overrides, if any."""
    unknown = sorted(set(raw) - RULE_KEYS)
    if unknown:
        raise RuleFileError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(RULE_KEYS))}"
        )
    priority = raw.get("priority", base.priority if base else DEFAULT_PRIORITY)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise RuleFileError(f"{where}: 'priority' must be an integer")
    link = _text(raw, "link", where, required=False)
    restart = raw.get("restart", base.restart_helps if base else True)
    if not isinstance(restart, bool):
        raise RuleFileError(f"{where}: 'restart' must be true or false")
    if "match" in raw:
        criteria = _criteria(raw["match"], where)
    elif base is not None:
        criteria = base.criteria
    else:
        raise RuleFileError(
            f"{where}: 'match' is missing (a [rule.match] table with at least one criterion)"
        )
    if link is not None and not link.startswith(("https://", "http://")):
        raise RuleFileError(f"{where}: 'link' must be an http(s) URL")
    category = raw.get("category", base.category if base else None)
    known = category_ids()
    if category is not None and category not in known:
        raise RuleFileError(
            f"{where}: unknown category {category!r}; known: {', '.join(sorted(known))}"
        )
    return Rule(
        id=str(raw["id"]),
        summary=_text(raw, "summary", where, required=base is None)
        or (base.summary if base else ""),
        action=_text(raw, "action", where, required=base is None) or (base.action if base else ""),
        criteria=criteria,
        link=link if link is not None else (base.link if base else None),
        priority=priority,
        source=source,
        restart_helps=restart,
        category=category,
    )


def parse_rules(text: str, source: str, base: Sequence[Rule] = ()) -> list[Rule]:
    """The rules of one file merged over ``base`` (same id: override; ``enabled = false``: off)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"rules file {source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"rule"})
    if unknown:
        raise RuleFileError(
            f"rules file {source}: unknown top-level key(s) {', '.join(unknown)}; "
            "rules go in [[rule]] tables"
        )
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise RuleFileError(f"rules file {source}: 'rule' must be an array of tables ([[rule]])")
    merged = {rule.id: rule for rule in base}
    added: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(tables):
        rule_id = raw.get("id") if isinstance(raw, Mapping) else None
        where = _where(source, index, rule_id)
        if not isinstance(raw, Mapping):
            raise RuleFileError(f"{where}: must be a table")
        if not isinstance(rule_id, str) or not _ID.match(rule_id):
            raise RuleFileError(
                f"{where}: 'id' must be lower-case letters, digits, '-', '_' or '.'"
            )
        if rule_id in seen:
            raise RuleFileError(f"{where}: the id is used twice in this file")
        seen.add(rule_id)
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            raise RuleFileError(f"{where}: 'enabled' must be true or false")
        if not enabled:
            merged.pop(rule_id, None)
            continue
        rule = _rule(raw, source, where, merged.get(rule_id))
        if rule_id not in merged:
            added.append(rule_id)
        merged[rule_id] = rule
    # New rules first: among rules of equal rank, the user's own win.
    return [merged[i] for i in added] + [merged[r.id] for r in base if r.id in merged]


# Categories only rules use: a record an error handler gave up on, a transform (SMT) failing.
RULE_ONLY_CATEGORIES = frozenset({"bad-record", "transform"})


def category_ids() -> frozenset[str]:
    """The categories a rule may name: those of categories.toml and the rules' own."""
    return frozenset(c.id for c in load_catalog().categories) | RULE_ONLY_CATEGORIES


def builtin_text() -> str:
    return resources.files("kctui.diagnose").joinpath("rules.toml").read_text(encoding="utf-8")


_config_file: Path | None = None  # the config file named by --config, if any


def use_config_file(path: Path | None) -> None:
    """Look for the user's rules beside this config file (the commands' ``--config``)."""
    global _config_file
    _config_file = path


def user_rule_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """Where the user's rules may live: the XDG config folder, then beside the config file."""
    from kctui.config import config_path, xdg_dir

    env = os.environ if env is None else env
    config_file = _config_file if _config_file is not None else config_path(env)
    candidates = [
        xdg_dir("config", env) / "kctui" / "rules.toml",
        config_file.parent / "rules.toml",
    ]
    paths: list[Path] = []
    for path in candidates:
        if path not in paths:
            paths.append(path)
    return paths


_loaded: tuple[Rule, ...] | None = None  # the rules last loaded, for current_rules()


@lru_cache(maxsize=8)
def _load(files: tuple[tuple[str, int], ...]) -> tuple[Rule, ...]:
    rules = parse_rules(builtin_text(), BUILT_IN)
    for name, _mtime in files:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleFileError(
                f"rules file {path}: cannot be read: {exc.strerror or exc}"
            ) from None
        rules = parse_rules(text, str(path), rules)
    return tuple(rules)


def load_rules(env: Mapping[str, str] | None = None) -> tuple[Rule, ...]:
    """The shipped rules with the user's files applied (cached until a file changes)."""
    global _loaded
    files = []
    for path in user_rule_paths(env):
        try:
            files.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            continue
    rules = _load(tuple(files))
    if env is None:  # the process's own environment: what the screens will use
        _loaded = rules
    return rules


def current_rules() -> tuple[Rule, ...]:
    """The rules last loaded (loading them the first time): for screens, which do no I/O
    after start-up. The console loads them before it starts, so a bad file stops it there."""
    global _loaded
    if _loaded is None:
        _loaded = load_rules()
    return _loaded
