"""Config diffs: added, removed and changed keys, rendered with secrets masked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kctui.masking import MASK, is_secret_key, mask_value

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(frozen=True)
class ConfigChange:
    """One key that differs between two configs (``old``/``new`` None when absent)."""

    key: str
    kind: str
    old: str | None = None
    new: str | None = None


def diff_configs(old: Mapping[str, str], new: Mapping[str, str]) -> list[ConfigChange]:
    """The keys that differ, by key name."""
    changes = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes.append(ConfigChange(key, ADDED, None, new[key]))
        elif key not in new:
            changes.append(ConfigChange(key, REMOVED, old[key], None))
        elif old[key] != new[key]:
            changes.append(ConfigChange(key, CHANGED, old[key], new[key]))
    return changes


def patch_body(changes: Iterable[ConfigChange]) -> dict[str, str | None]:
    """A PATCH body (KIP-477): changed and added keys with their value, removed keys as null."""
    return {c.key: (None if c.kind == REMOVED else c.new) for c in changes}


def _shown(key: str, value: str | None, reveal: bool) -> str:
    if value is None:
        return ""
    return value if reveal else str(mask_value(key, value))


def render_change(change: ConfigChange, *, reveal: bool = False) -> str:
    """One line: ``+ key = value``, ``- key = value`` or ``~ key: old -> new``."""
    old = _shown(change.key, change.old, reveal)
    new = _shown(change.key, change.new, reveal)
    if change.kind == ADDED:
        return f"+ {change.key} = {new}"
    if change.kind == REMOVED:
        return f"- {change.key} = {old}"
    if old == new:  # both masked: say that the secret changed without showing it
        note = "secret changed" if is_secret_key(change.key) or MASK in old else "changed"
        return f"~ {change.key}: {old} ({note})"
    return f"~ {change.key}: {old} -> {new}"


def render_diff(changes: Iterable[ConfigChange], *, reveal: bool = False) -> list[str]:
    """Every change as a line; secrets masked unless ``reveal``."""
    return [render_change(c, reveal=reveal) for c in changes]


def summary(changes: Iterable[ConfigChange]) -> str:
    """``2 changed, 1 added, 0 removed``."""
    items = list(changes)
    counts = {kind: sum(1 for c in items if c.kind == kind) for kind in (CHANGED, ADDED, REMOVED)}
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())
