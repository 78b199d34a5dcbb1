"""Settings: what kctui knows about the user's clusters, typed, with no I/O (the low layer).

The structs (msgspec) are read from TOML by :mod:`kctui.settings.validate`, the one validator
of the config file, the restart policy, the diagnosis rules and the themes; reading and
writing the config file itself is :mod:`kctui.configfile`'s job.
"""

from __future__ import annotations

from kctui.settings.base import ConfigError, Settings
from kctui.settings.cluster import (
    METRIC_SOURCES,
    SECURITY_PROTOCOLS,
    ClusterConfig,
    HttpAuth,
    JmxEndpoint,
    KafkaSettings,
    LogSource,
    MetricsEndpoint,
    SchemaRegistrySettings,
)
from kctui.settings.config import Config, ConfigFile
from kctui.settings.paths import config_path, user_theme_dir, xdg_dir
from kctui.settings.restart import AlertSettings, PolicySettings, RestartPolicy, backoff_seconds
from kctui.settings.secrets import read_secret

__all__ = [
    "METRIC_SOURCES",
    "SECURITY_PROTOCOLS",
    "AlertSettings",
    "ClusterConfig",
    "Config",
    "ConfigError",
    "ConfigFile",
    "HttpAuth",
    "JmxEndpoint",
    "KafkaSettings",
    "LogSource",
    "MetricsEndpoint",
    "PolicySettings",
    "RestartPolicy",
    "SchemaRegistrySettings",
    "Settings",
    "backoff_seconds",
    "config_path",
    "read_secret",
    "user_theme_dir",
    "xdg_dir",
]
