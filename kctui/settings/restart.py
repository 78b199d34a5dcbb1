"""The auto-restart policy of ``kctui watch`` as settings: who is restarted, when, and when not.

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

The file's table is flat (:class:`RestartTable`); the policy it builds groups the defaults,
the overrides and the alerts (:class:`RestartPolicy`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from kctui.settings.base import Settings
from kctui.settings.validate import Invalid, expected

STRIMZI_CAP_MINUTES = 60.0
DEFAULT_MAX_RESTARTS = 7  # Strimzi restarts forever by default; a watch from cron should not

Count = Annotated[int, Meta(ge=0)]
Minutes = Annotated[float, Meta(ge=0, extra={"expected": "a number of minutes >= 0"})]
Regex = Annotated[str, Meta(extra={"expected": "a regular expression string"})]
Argv = Annotated[tuple[str, ...], Meta(extra={"expected": 'an argv list such as ["notify", "-u"]'})]


def backoff_seconds(previous_restarts: int, *, minutes: float, cap_minutes: float) -> float:
    """Delay before the next restart after ``previous_restarts``: ``minutes * (n*n + n)``."""
    n = max(0, previous_restarts)
    return min(cap_minutes, minutes * (n * n + n)) * 60.0


def _check_regex(pattern: str | None, key: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise Invalid(f"invalid regular expression: {exc}", key) from None


class PolicySettings(Settings, frozen=True, kw_only=True):
    """The settings that apply to one connector (cluster defaults, maybe overridden)."""

    enabled: bool = True
    max_restarts: Count = DEFAULT_MAX_RESTARTS
    backoff_minutes: Minutes = 1.0
    backoff_cap_minutes: Minutes = STRIMZI_CAP_MINUTES
    restart_cannot_fix: bool = False
    reset_after_minutes: Minutes = 10.0

    def delay_after(self, previous_restarts: int) -> float:
        return backoff_seconds(
            previous_restarts, minutes=self.backoff_minutes, cap_minutes=self.backoff_cap_minutes
        )


class Override(Settings, frozen=True, kw_only=True):
    """``[[clusters.X.auto_restart.connectors]]``: keys for connectors matching ``match``."""

    match: Annotated[str, Meta(extra={"expected": "a name regex"})]
    enabled: bool | UnsetType = UNSET
    max_restarts: Count | UnsetType = UNSET
    backoff_minutes: Minutes | UnsetType = UNSET
    backoff_cap_minutes: Minutes | UnsetType = UNSET
    restart_cannot_fix: bool | UnsetType = UNSET
    reset_after_minutes: Minutes | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        """The settings this entry gives (the others stay as the cluster's)."""
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if name != "match" and getattr(self, name) is not UNSET
        }

    def check(self) -> None:
        _check_regex(self.match, "match")


class AlertSettings(Settings, frozen=True):
    """Where failed and gave-up events are sent, and how often at most."""

    command: tuple[str, ...] = ()
    webhook: str | None = None
    min_interval_seconds: float = 300.0

    @property
    def configured(self) -> bool:
        return bool(self.command or self.webhook)


class RestartPolicy(Settings, frozen=True, kw_only=True):
    """A cluster's auto-restart policy: defaults, include/exclude and overrides."""

    defaults: PolicySettings = msgspec.field(default_factory=PolicySettings)
    include: str | None = None  # regexes, searched in the connector's name
    exclude: str | None = None
    overrides: tuple[Override, ...] = ()
    alerts: AlertSettings = msgspec.field(default_factory=AlertSettings)

    def settings_for(self, connector: str) -> PolicySettings:
        """The settings of ``connector``; ``enabled`` is False when it is not covered."""
        settings = self.defaults
        for override in self.overrides:
            if re.search(override.match, connector):
                settings = msgspec.structs.replace(settings, **override.changes())
                break
        covered = (self.include is None or bool(re.search(self.include, connector))) and not (
            self.exclude is not None and re.search(self.exclude, connector)
        )
        return settings if covered else msgspec.structs.replace(settings, enabled=False)


class RestartTable(PolicySettings, frozen=True, kw_only=True):
    """``[clusters.X.auto_restart]`` as the file writes it: the defaults' keys at the top,
    the overrides as ``connectors``, the alerts as ``alert_*``."""

    include: Regex | None = None
    exclude: Regex | None = None
    connectors: tuple[Override, ...] = ()
    alert_command: Argv = ()
    alert_webhook: str | None = None
    alert_min_interval_seconds: Minutes = 300.0

    def check(self) -> None:
        _check_regex(self.include, "include")
        _check_regex(self.exclude, "exclude")
        webhook = self.alert_webhook
        if webhook is not None and not webhook.startswith(("http://", "https://")):
            raise expected("an http:// or https:// URL", webhook, "alert_webhook")

    def build(self) -> RestartPolicy:
        defaults = {name: getattr(self, name) for name in PolicySettings.__struct_fields__}
        return RestartPolicy(
            defaults=PolicySettings(**defaults),
            include=self.include,
            exclude=self.exclude,
            overrides=self.connectors,
            alerts=AlertSettings(
                self.alert_command, self.alert_webhook, self.alert_min_interval_seconds
            ),
        )


def parse_policy(origin: object, prefix: str, table: object) -> RestartPolicy:
    """A ``[clusters.X.auto_restart]`` table already parsed; errors name ``origin`` and the key."""
    from kctui.settings.base import ConfigError
    from kctui.settings.validate import read_table

    at = tuple(prefix.split("."))
    return read_table(table, RestartTable, str(origin), at=at, error=ConfigError).build()
