"""The config file at the XDG config path: reading it into settings, the clusters imported
from kcctl, choosing the cluster (options and environment), and writing it back.

The file looks like this (see docs/configuration.md for every key)::

    current = "prod"
    theme = "kctui-dark"

    [keymap]
    connector.pause = "P"

    [clusters.prod]
    urls = ["https://connect-1:8083", "https://connect-2:8083"]
    username = "ops"
    password_env = "CONNECT_PASSWORD"
    read_only = true

    [clusters.prod.kafka]
    bootstrap_servers = ["kafka-1:9093"]
    security_protocol = "SASL_SSL"

    [[clusters.prod.metrics]]          # jmx | prometheus | jolokia
    worker = "connect-2:8083"
    source = "prometheus"
    url = "https://connect-2:9404/metrics"

    [[clusters.prod.logs]]
    worker = "connect-1:8083"
    command = ["ssh", "connect-1", "tail", "-F", "/var/log/kafka/connect.log"]

Secrets are never stored in this file by kctui: passwords come from an environment
variable (``*_env``) or a file (``*_file``). Importing this module has no side effects.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from kctui.settings import (
    ClusterConfig,
    Config,
    ConfigError,
    ConfigFile,
    KafkaSettings,
    config_path,
)
from kctui.settings.validate import TomlSource

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

# --------------------------------------------------------------------------- reading


def _check_layouts_and_presets(source: TomlSource, file: ConfigFile) -> None:
    """What only the log and metrics readers know: layout names, patterns, preset names."""
    from kctui.logs.layouts import LayoutError, for_source
    from kctui.metrics.presets import PRESET_NAMES

    for name, cluster in file.clusters.items():
        for index, log in enumerate(cluster.logs):
            try:
                for_source(log.layout, log.pattern)
            except LayoutError as exc:
                key = "pattern" if log.pattern else "layout"
                raise source.fail(("clusters", name, "logs", index, key), str(exc)) from exc
        for index, metrics in enumerate(cluster.metrics):
            preset = metrics.preset
            known = metrics.source == "prometheus" and preset in PRESET_NAMES
            if preset is not None and not known:
                what = "for a prometheus source, one of " + ", ".join(PRESET_NAMES)
                path = ("clusters", name, "metrics", index, "preset")
                raise source.fail(path, f"expected {what}, got {preset!r}")


def parse_config(path: Path, text: str) -> Config:
    """Parse config text; errors name the file, the line and key, and what was expected."""
    source = TomlSource(text, str(path), error=ConfigError)
    file = source.read(ConfigFile)
    _check_layouts_and_presets(source, file)
    return Config(
        path=path,
        current=file.current,
        theme=file.theme,
        keymap=dict(file.keymap),
        clusters=dict(file.clusters),
    )


def load_config(path: Path | None = None, *, import_kcctl: bool = True) -> Config:
    """Load the config file (an absent file is an empty config) plus kcctl's contexts."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    config = parse_config(path, text)
    if import_kcctl:
        config = replace(config, imported=kcctl_clusters())
    return config


# --------------------------------------------------------------------------- kcctl


def kcctl_clusters(path: Path | None = None) -> dict[str, ClusterConfig]:
    """Contexts of kcctl's ``~/.kcctl`` file as clusters named ``kcctl-<context>``.

    They are kept in memory only; a broken or absent file imports nothing.
    """
    path = path or Path.home() / ".kcctl"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    clusters = {}
    for context, entry in data.items():
        if context == "currentContext" or not isinstance(entry, dict):
            continue
        url = entry.get("cluster")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            continue
        name = f"kcctl-{context}"
        bootstrap = entry.get("bootstrapServers")
        kafka = (
            KafkaSettings(bootstrap_servers=tuple(s.strip() for s in bootstrap.split(",")))
            if isinstance(bootstrap, str) and bootstrap.strip()
            else None
        )
        username = entry.get("username") if isinstance(entry.get("username"), str) else None
        password = entry.get("password") if isinstance(entry.get("password"), str) else None
        clusters[name] = ClusterConfig(
            name=name, urls=(url,), username=username, password=password, kafka=kafka
        )
    return clusters


# --------------------------------------------------------------------------- choosing


def resolve_cluster(
    config: Config,
    *,
    name: str | None = None,
    url: str | None = None,
    read_only: bool = False,
    env: Mapping[str, str] | None = None,
) -> ClusterConfig:
    """The cluster to use: ``--url``, then ``$KCTUI_URL``, then ``--cluster``, then current."""
    env = os.environ if env is None else env
    url = url or env.get("KCTUI_URL")
    clusters = config.all_clusters()
    if url:
        urls = tuple(u.strip().rstrip("/") for u in url.split(",") if u.strip())
        if not urls:
            raise ConfigError(f"--url: expected an http:// or https:// URL, got {url!r}")
        for u in urls:
            if not u.startswith(("http://", "https://")):
                raise ConfigError(f"--url: expected an http:// or https:// URL, got {u!r}")
        cluster = ClusterConfig(name=urls[0], urls=urls)
    else:
        chosen = name or config.current or (next(iter(clusters)) if len(clusters) == 1 else None)
        if chosen is None:
            raise ConfigError(
                f"no cluster configured: add one to {config.path}, pass --url URL, "
                "set KCTUI_URL, or run 'kctui sandbox up'"
            )
        if chosen not in clusters:
            known = ", ".join(sorted(clusters)) or "none"
            raise ConfigError(f"unknown cluster '{chosen}' (known: {known}; file {config.path})")
        cluster = clusters[chosen]
    if read_only and not cluster.read_only:
        cluster = msgspec.structs.replace(cluster, read_only=True)
    return cluster


# --------------------------------------------------------------------------- writing
# Written with tomlkit, which edits the parsed document in place: the user's comments,
# blank lines, key order and quoting survive ``kctui config use``, a theme change and the
# sandbox adding its cluster. It is imported only when something is written.


def dump_toml(data: Mapping[str, Any]) -> str:
    """TOML text of nested tables, arrays of tables and scalars (what the config uses)."""
    import tomlkit

    return tomlkit.dumps(data)


def _read_document(path: Path) -> TOMLDocument:
    """The file as a tomlkit document (an absent file is an empty one)."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return tomlkit.document()
    except ParseError as exc:
        raise ConfigError(f"{path}: invalid TOML, not changed: {exc}") from exc


def _write_document(path: Path, document: TOMLDocument) -> None:
    """Save atomically, never a file we could not read back."""
    text = dump_toml(document)
    parse_config(path, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def update_config(path: Path, **top_level: str | None) -> None:
    """Set top-level keys (``current``, ``theme``) in the file, keeping everything else."""
    document = _read_document(path)
    for key, value in top_level.items():
        if value is not None:
            document[key] = _in_the_users_style(document.get(key), value)
    _write_document(path, document)


def _in_the_users_style(old: object, value: str) -> object:
    """``value`` quoted as the user quoted the value it replaces.

    A single-quoted (literal) string stays single-quoted when the new text can be one (no
    quote, no line break); tomlkit's own choice differs between its releases.
    """
    import tomlkit
    from tomlkit.items import String

    # 'x' or '''x''' (literal), as the user wrote it (String.type is missing before 0.13)
    literal = isinstance(old, String) and old.as_string().startswith("'")
    if literal and "'" not in value and "\n" not in value:
        return tomlkit.string(value, literal=True)
    return value


def write_cluster(path: Path, name: str, table: Mapping[str, Any], *, make_current: bool) -> None:
    """Add or replace the cluster ``name`` (a raw table as in the file) and save atomically."""
    import tomlkit

    document = _read_document(path)
    if "clusters" not in document:
        document["clusters"] = tomlkit.table(is_super_table=True)  # no bare [clusters] line
    document["clusters"][name] = dict(table)
    if make_current or not document.get("current"):
        document["current"] = name
    _write_document(path, document)
