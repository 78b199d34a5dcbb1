"""The auto-restart policy of ``kctui watch`` (pure): who is restarted, when, and when not.

Per cluster in the config file::

    [clusters.prod.auto_restart]
    include = ".*"              # connectors covered (regex, searched in the name)
    exclude = "^test-"          # never restarted automatically
    max_restarts = 7            # then "gave up" until healthy again or cleared
    backoff_minutes = 1.0       # delay before restart n+1 = backoff_minutes * (n*n + n)
    backoff_cap_minutes = 60.0  # Strimzi's schedule: 0, 2, 6, 12, 20, 30, 42, 56, 60, 60...
    restart_cannot_fix = false  # restart even failures a restart cannot fix
    reset_after_minutes = 10.0  # healthy this long: the restart count starts again

    [[clusters.prod.auto_restart.connectors]]
    match = "^jdbc-"            # first matching entry overrides the keys it sets
    max_restarts = 3

The backoff grows per connector, as Strimzi's operator does (n*n + n minutes after n
previous restarts, capped at 60).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kctui.errors import KctuiError

if TYPE_CHECKING:
    from kctui.diagnose.model import Rule

STRIMZI_CAP_MINUTES = 60.0
DEFAULT_MAX_RESTARTS = 7  # Strimzi restarts forever by default; a watch from cron should not


def restart_cannot_fix(trace: str | None, rules: Sequence[Rule] | None = None) -> str | None:
    """Why restarting cannot fix the failure behind ``trace`` (None: a restart may help).

    The diagnosis rules decide (``restart = false`` in kctui/diagnose/rules.toml, or in the
    user's own rules): one classifier for the console, triage and the watch.
    """
    from kctui.diagnose import diagnose

    found = diagnose(trace, rules=rules) if trace else None
    if found is None or found.restart_helps:
        return None
    return f"{found.rule}: {found.summary}"


def backoff_seconds(previous_restarts: int, *, minutes: float, cap_minutes: float) -> float:
    """Delay before the next restart after ``previous_restarts``: ``minutes * (n*n + n)``."""
    n = max(0, previous_restarts)
    return min(cap_minutes, minutes * (n * n + n)) * 60.0


@dataclass(frozen=True)
class PolicySettings:
    """The settings that apply to one connector (cluster defaults, maybe overridden)."""

    enabled: bool = True
    max_restarts: int = DEFAULT_MAX_RESTARTS
    backoff_minutes: float = 1.0
    backoff_cap_minutes: float = STRIMZI_CAP_MINUTES
    restart_cannot_fix: bool = False
    reset_after_minutes: float = 10.0

    def delay_after(self, previous_restarts: int) -> float:
        return backoff_seconds(
            previous_restarts, minutes=self.backoff_minutes, cap_minutes=self.backoff_cap_minutes
        )


@dataclass(frozen=True)
class Override:
    """``[[clusters.X.auto_restart.connectors]]``: keys for connectors matching ``match``."""

    match: re.Pattern[str]
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class AlertSettings:
    """Where failed and gave-up events are sent, and how often at most."""

    command: tuple[str, ...] = ()
    webhook: str | None = None
    min_interval_seconds: float = 300.0

    @property
    def configured(self) -> bool:
        return bool(self.command or self.webhook)


@dataclass(frozen=True)
class RestartPolicy:
    """A cluster's auto-restart policy: defaults, include/exclude and overrides."""

    defaults: PolicySettings = field(default_factory=PolicySettings)
    include: re.Pattern[str] | None = None
    exclude: re.Pattern[str] | None = None
    overrides: tuple[Override, ...] = ()
    alerts: AlertSettings = field(default_factory=AlertSettings)

    def settings_for(self, connector: str) -> PolicySettings:
        """The settings of ``connector``; ``enabled`` is False when it is not covered."""
        settings = self.defaults
        for override in self.overrides:
            if override.match.search(connector):
                settings = replace(settings, **dict(override.values))
                break
        covered = (self.include is None or bool(self.include.search(connector))) and not (
            self.exclude is not None and self.exclude.search(connector)
        )
        return settings if covered else replace(settings, enabled=False)


# --------------------------------------------------------------------------- parsing

_SETTING_KEYS = {
    "enabled": "flag",
    "max_restarts": "count",
    "backoff_minutes": "minutes",
    "backoff_cap_minutes": "minutes",
    "restart_cannot_fix": "flag",
    "reset_after_minutes": "minutes",
}
_TOP_KEYS = set(_SETTING_KEYS) | {
    "include", "exclude", "connectors", "alert_command", "alert_webhook",
    "alert_min_interval_seconds",
}  # fmt: skip


class PolicyError(KctuiError):
    """The ``auto_restart`` table of the config is wrong (names the file and key)."""


def _fail(path: Path, key: str, expected: str, value: Any) -> PolicyError:
    return PolicyError(f"{path}: key '{key}': expected {expected}, got {value!r}")


def _regex(path: Path, key: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise _fail(path, key, "a regular expression string", value)
    try:
        return re.compile(value)
    except re.error as exc:
        raise PolicyError(f"{path}: key '{key}': invalid regular expression: {exc}") from exc


def _setting(path: Path, key: str, kind: str, value: Any) -> Any:
    if kind == "flag":
        if not isinstance(value, bool):
            raise _fail(path, key, "true or false", value)
        return value
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(path, key, "a whole number >= 0", value)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _fail(path, key, "a number of minutes >= 0", value)
    return float(value)


def _settings(path: Path, prefix: str, table: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: _setting(path, prefix + key, kind, table[key])
        for key, kind in _SETTING_KEYS.items()
        if key in table
    }


def parse_policy(path: Path, prefix: str, table: Any) -> RestartPolicy:
    """Parse ``[clusters.X.auto_restart]``; errors name the file and the key."""
    if not isinstance(table, Mapping):
        raise PolicyError(f"{path}: key '{prefix}': expected a table")
    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise PolicyError(
            f"{path}: unknown key '{prefix}.{unknown[0]}' "
            f"(expected one of: {', '.join(sorted(_TOP_KEYS))})"
        )
    defaults = PolicySettings(**_settings(path, prefix + ".", table))
    overrides = []
    entries = table.get("connectors", [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise PolicyError(f"{path}: key '{prefix}.connectors': expected [[{prefix}.connectors]]")
    for index, entry in enumerate(entries):
        where = f"{prefix}.connectors[{index}]."
        extra = sorted(set(entry) - set(_SETTING_KEYS) - {"match"})
        if extra:
            raise PolicyError(f"{path}: unknown key '{where}{extra[0]}'")
        if "match" not in entry:
            raise PolicyError(f"{path}: key '{where}match': a name regex is required")
        values = tuple(sorted(_settings(path, where, entry).items()))
        overrides.append(Override(_regex(path, where + "match", entry["match"]), values))
    command = table.get("alert_command", [])
    if isinstance(command, str) or not isinstance(command, list):
        raise _fail(path, prefix + ".alert_command", "an argv list such as [\"notify\", \"-u\"]",
                    command)  # fmt: skip
    if not all(isinstance(part, str) for part in command):
        raise _fail(path, prefix + ".alert_command", "a list of strings", command)
    webhook = table.get("alert_webhook")
    if webhook is not None and (
        not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))
    ):
        raise _fail(path, prefix + ".alert_webhook", "an http:// or https:// URL", webhook)
    interval = _setting(
        path, prefix + ".alert_min_interval_seconds", "minutes",
        table.get("alert_min_interval_seconds", 300.0),
    )  # fmt: skip
    return RestartPolicy(
        defaults=defaults,
        include=_regex(path, prefix + ".include", table["include"]) if "include" in table else None,
        exclude=_regex(path, prefix + ".exclude", table["exclude"]) if "exclude" in table else None,
        overrides=tuple(overrides),
        alerts=AlertSettings(tuple(command), webhook, float(interval)),
    )
