"""Clusters ("contexts") from a TOML file at the XDG config path.

The file looks like this (see docs/configuration.md for every key)::

    current = "prod"
    theme = "kctui-dark"

    [keymap]
    connector.pause = "P"

    [clusters.prod]
    urls = ["https://connect-1:8083", "https://connect-2:8083"]
    username = "ops"
    password_env = "CONNECT_PASSWORD"
    ca_file = "/etc/ssl/corp-ca.pem"
    read_only = true

    [clusters.prod.kafka]
    bootstrap_servers = ["kafka-1:9093"]
    security_protocol = "SASL_SSL"
    sasl_mechanism = "SCRAM-SHA-512"
    sasl_username = "kctui"
    sasl_password_file = "~/.secrets/kafka"

    [[clusters.prod.jmx]]
    worker = "connect-1:8083"
    url = "service:jmx:rmi:///jndi/rmi://connect-1:9999/jmxrmi"

    [[clusters.prod.metrics]]          # or a Prometheus exporter / Jolokia agent
    worker = "connect-2:8083"
    source = "prometheus"              # jmx | prometheus | jolokia
    url = "https://connect-2:9404/metrics"
    token_file = "~/.secrets/metrics-token"

    [[clusters.prod.logs]]
    worker = "connect-1:8083"
    command = ["ssh", "connect-1", "tail", "-F", "/var/log/kafka/connect.log"]

Secrets are never stored in this file by kctui: passwords come from an environment
variable (``*_env``) or a file (``*_file``). Importing this module has no side effects.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kctui.errors import KctuiError

if TYPE_CHECKING:
    from kctui.operate.restart_policy import RestartPolicy

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


class ConfigError(KctuiError):
    """The config file (or an option) is wrong; the message names the file and key."""


# --------------------------------------------------------------------------- paths


def xdg_dir(
    kind: Literal["config", "cache", "state", "data"], env: Mapping[str, str] | None = None
) -> Path:
    """The user's base directory of ``kind``: ``$XDG_<KIND>_HOME`` when ``env`` sets it (tests
    pass their own), else platformdirs' answer for this platform (``~/.config`` on Linux)."""
    env = os.environ if env is None else env
    value = env.get(f"XDG_{kind.upper()}_HOME")
    if value:
        return Path(value)
    import platformdirs  # user_config_dir, user_cache_dir, user_state_dir, user_data_dir

    return Path(getattr(platformdirs, f"user_{kind}_dir")())


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file lives: ``$KCTUI_CONFIG`` or ``$XDG_CONFIG_HOME/kctui/config.toml``."""
    env = os.environ if env is None else env
    explicit = env.get("KCTUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return xdg_dir("config", env) / "kctui" / "config.toml"


def user_theme_dir(env: Mapping[str, str] | None = None) -> Path:
    return xdg_dir("config", env) / "kctui" / "themes"


# --------------------------------------------------------------------------- secrets


def read_secret(
    env_name: str | None, file_name: str | None, *, what: str, env: Mapping[str, str] | None = None
) -> str | None:
    """Read a secret from an environment variable or a file; None when neither is set."""
    env = os.environ if env is None else env
    if env_name:
        value = env.get(env_name)
        if value is None:
            raise ConfigError(f"{what}: environment variable {env_name} is not set")
        return value
    if file_name:
        path = Path(file_name).expanduser()
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"{what}: cannot read {path}: {exc.strerror or exc}") from exc
    return None


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class KafkaSettings:
    """How to reach the Kafka brokers (for the DLQ browser and sink lag)."""

    bootstrap_servers: tuple[str, ...]
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password_env: str | None = None
    sasl_password_file: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password_env: str | None = None
    ssl_password_file: str | None = None
    ssl_check_hostname: bool = True
    sasl_password: str | None = field(default=None, repr=False, compare=False)

    def client_kwargs(self, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Keyword arguments for kafka-python clients (secrets resolved now)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": list(self.bootstrap_servers),
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL"):
            password = self.sasl_password or read_secret(
                self.sasl_password_env,
                self.sasl_password_file,
                what="kafka.sasl_password",
                env=env,
            )
            kwargs["sasl_mechanism"] = self.sasl_mechanism or "PLAIN"
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = password
        if self.security_protocol.endswith("SSL"):
            kwargs["ssl_check_hostname"] = self.ssl_check_hostname
            for key in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
                value = getattr(self, key)
                if value:
                    kwargs[key] = str(Path(value).expanduser())
            key_password = read_secret(
                self.ssl_password_env, self.ssl_password_file, what="kafka.ssl_password", env=env
            )
            if key_password:
                kwargs["ssl_password"] = key_password
        return kwargs


@dataclass(frozen=True, kw_only=True)
class HttpAuth:
    """The auth and TLS choices of an HTTP endpoint besides the REST API (a metrics page, a
    Schema Registry): basic auth or a bearer token, each secret from env or a file."""

    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    token_env: str | None = None
    token_file: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    insecure: bool = False
    tls_strict: bool | None = None  # None: Python's default (strict X.509 checks from 3.13)

    @property
    def secret_label(self) -> str:
        """How a missing secret is named in errors (``<label>.password``)."""
        raise NotImplementedError

    def check(self, where: str) -> None:
        """Basic auth or a bearer token, never both (a config error naming ``where``)."""
        if self.username and (self.token_env or self.token_file):
            raise ConfigError(f"{where}: give username (basic auth) or a token, not both")

    def password(self, env: Mapping[str, str] | None = None) -> str | None:
        what = f"{self.secret_label}.password"
        return read_secret(self.password_env, self.password_file, what=what, env=env)

    def token(self, env: Mapping[str, str] | None = None) -> str | None:
        what = f"{self.secret_label}.token"
        return read_secret(self.token_env, self.token_file, what=what, env=env)


@dataclass(frozen=True)
class SchemaRegistrySettings(HttpAuth):
    """A Confluent Schema Registry (read-only use: schemas by id) to decode DLQ payloads."""

    urls: tuple[str, ...]
    timeout: float = 5.0

    @property
    def name(self) -> str:
        """How TLS errors name it."""
        return "schema_registry"

    @property
    def secret_label(self) -> str:
        return "schema_registry"


@dataclass(frozen=True)
class JmxEndpoint:
    """The JMX URL of one worker; ``worker`` is its Connect worker id (host:port)."""

    worker: str
    url: str
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None

    def password(self, env: Mapping[str, str] | None = None) -> str | None:
        return read_secret(self.password_env, self.password_file, what="jmx.password", env=env)


METRIC_SOURCES = ("jmx", "prometheus", "jolokia")


@dataclass(frozen=True)
class MetricsEndpoint(HttpAuth):
    """Where one worker's metrics are read: remote JMX, a Prometheus ``/metrics`` page or
    a Jolokia agent. HTTP sources take the REST client's auth and TLS choices."""

    worker: str
    url: str
    source: str = "jmx"
    preset: str | None = None  # prometheus only: name mapping; None detects it

    @property
    def name(self) -> str:
        return f"{self.source} of {self.worker}"

    @property
    def secret_label(self) -> str:
        return self.source


@dataclass(frozen=True)
class LogSource:
    """A worker's log: a file (path or glob) or a command whose output is followed."""

    worker: str
    path: str | None = None
    command: tuple[str, ...] | None = None
    shell: bool = False
    max_lines: int | None = None  # lines of a command's output kept in memory (None: default)
    layout: str | None = None  # a built-in layout name (None: detected from the first lines)
    pattern: str | None = None  # a log4j PatternLayout string (wins over detection)

    @property
    def label(self) -> str:
        return self.worker


@dataclass(frozen=True)
class ClusterConfig:
    """One named Connect cluster and everything kctui knows how to reach about it."""

    name: str
    urls: tuple[str, ...]
    read_only: bool = False
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    insecure: bool = False
    tls_strict: bool | None = None  # None: Python's default (strict X.509 checks from 3.13)
    timeout: float = 10.0
    refresh_seconds: float = 5.0
    lag_threshold: int = 10_000
    kafka: KafkaSettings | None = None
    jmx: tuple[JmxEndpoint, ...] = ()
    logs: tuple[LogSource, ...] = ()
    metrics: tuple[MetricsEndpoint, ...] = ()
    schema_registry: SchemaRegistrySettings | None = None
    auto_restart: RestartPolicy | None = None  # [clusters.X.auto_restart] for kctui watch
    # Only for clusters imported from kcctl, whose file holds the password itself.
    password: str | None = field(default=None, repr=False, compare=False)

    def rest_password(self, env: Mapping[str, str] | None = None) -> str | None:
        if self.password is not None:
            return self.password
        return read_secret(self.password_env, self.password_file, what="password", env=env)

    def metric_endpoints(self, source: str | None = None) -> tuple[MetricsEndpoint, ...]:
        """Every metrics source of every worker (``[[jmx]]`` entries included), or one kind."""
        legacy = tuple(
            MetricsEndpoint(
                worker=j.worker,
                url=j.url,
                username=j.username,
                password_env=j.password_env,
                password_file=j.password_file,
            )
            for j in self.jmx
        )
        found = legacy + self.metrics
        return found if source is None else tuple(e for e in found if e.source == source)


@dataclass(frozen=True)
class Config:
    """The whole config file, parsed."""

    path: Path
    current: str | None = None
    theme: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    clusters: Mapping[str, ClusterConfig] = field(default_factory=dict)
    imported: Mapping[str, ClusterConfig] = field(default_factory=dict)

    def all_clusters(self) -> dict[str, ClusterConfig]:
        return {**self.imported, **self.clusters}


# --------------------------------------------------------------------------- parsing


class _Reader:
    """Typed access to one TOML table, with errors that name the file and the key."""

    def __init__(self, path: Path, prefix: str, table: Mapping[str, Any]) -> None:
        self.path, self.prefix, self.table = path, prefix, table

    def _fail(self, key: str, expected: str) -> ConfigError:
        value = self.table.get(key)
        return ConfigError(
            f"{self.path}: key '{self.prefix}{key}': expected {expected}, got {value!r}"
        )

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.table.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def optional_flag(self, key: str, default: bool | None = None) -> bool | None:
        value = self.table.get(key, default)
        if value is not None and not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self._fail(key, "a positive number")
        return float(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, ())
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return tuple(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.text(key, default)
        if value is not None and value.upper() not in choices:
            raise self._fail(key, "one of " + ", ".join(choices))
        return value.upper() if value is not None else None

    def http_urls(self, what: str) -> tuple[str, ...]:
        """``urls`` (or ``url``): one or more http:// or https:// URLs of ``what``."""
        urls = self.strings("urls") or self.strings("url")
        if not urls:
            raise ConfigError(f"{self.path}: key '{self.prefix}urls': expected at least one {what}")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ConfigError(
                    f"{self.path}: key '{self.prefix}urls': expected http:// or https:// URLs, "
                    f"got {url!r}"
                )
        return urls

    def http_auth(self, tls_strict: bool | None = None) -> dict[str, Any]:
        """The :class:`HttpAuth` keys of this table, as keyword arguments (``tls_strict``
        defaults to the cluster's)."""
        texts = ("username", "password_env", "password_file", "token_env", "token_file",
                 "ca_file", "cert_file", "key_file")  # fmt: skip
        return {key: self.text(key) for key in texts} | {
            "insecure": self.flag("insecure"),
            "tls_strict": self.optional_flag("tls_strict", tls_strict),
        }

    def check_known(self, known: set[str]) -> None:
        unknown = sorted(set(self.table) - known)
        if unknown:
            raise ConfigError(
                f"{self.path}: unknown key '{self.prefix}{unknown[0]}' "
                f"(expected one of: {', '.join(sorted(known))})"
            )


_CLUSTER_KEYS = {
    "urls", "url", "read_only", "username", "password_env", "password_file", "ca_file",
    "cert_file", "key_file", "insecure", "tls_strict", "timeout", "refresh_seconds",
    "lag_threshold",
    "kafka", "jmx", "logs", "metrics", "schema_registry", "auto_restart",
}  # fmt: skip
_METRICS_KEYS = {f.name for f in MetricsEndpoint.__dataclass_fields__.values()}
_KAFKA_KEYS = {f.name for f in KafkaSettings.__dataclass_fields__.values()} - {"sasl_password"}


def _parse_kafka(path: Path, prefix: str, table: Any) -> KafkaSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: key '{prefix}': expected a table")
    r = _Reader(path, prefix + ".", table)
    r.check_known(_KAFKA_KEYS)
    servers = r.strings("bootstrap_servers")
    if not servers:
        raise ConfigError(f"{path}: key '{prefix}.bootstrap_servers': expected host:port entries")
    return KafkaSettings(
        bootstrap_servers=servers,
        security_protocol=r.choice("security_protocol", SECURITY_PROTOCOLS, "PLAINTEXT")
        or "PLAINTEXT",
        sasl_mechanism=r.choice("sasl_mechanism", SASL_MECHANISMS, None),
        sasl_username=r.text("sasl_username"),
        sasl_password_env=r.text("sasl_password_env"),
        sasl_password_file=r.text("sasl_password_file"),
        ssl_cafile=r.text("ssl_cafile"),
        ssl_certfile=r.text("ssl_certfile"),
        ssl_keyfile=r.text("ssl_keyfile"),
        ssl_password_env=r.text("ssl_password_env"),
        ssl_password_file=r.text("ssl_password_file"),
        ssl_check_hostname=r.flag("ssl_check_hostname", True),
    )


_REGISTRY_KEYS = {f.name for f in SchemaRegistrySettings.__dataclass_fields__.values()} | {"url"}


def _parse_schema_registry(
    path: Path, prefix: str, table: Any, tls_strict: bool | None
) -> SchemaRegistrySettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: key '{prefix}': expected a table")
    r = _Reader(path, prefix + ".", table)
    r.check_known(_REGISTRY_KEYS)
    urls = r.http_urls("Schema Registry URL")
    settings = SchemaRegistrySettings(
        urls=tuple(u.rstrip("/") for u in urls),
        **r.http_auth(tls_strict),
        timeout=r.number("timeout", 5.0),
    )
    settings.check(f"{path}: '{prefix}'")
    return settings


def _parse_list_of_tables(path: Path, prefix: str, value: Any) -> list[_Reader]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{path}: key '{prefix}': expected an array of tables ([[{prefix}]])")
    return [_Reader(path, f"{prefix}[{i}].", item) for i, item in enumerate(value)]


def _parse_cluster(path: Path, name: str, table: Any) -> ClusterConfig:
    prefix = f"clusters.{name}"
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: key '{prefix}': expected a table")
    r = _Reader(path, prefix + ".", table)
    r.check_known(_CLUSTER_KEYS)
    urls = r.http_urls("Connect REST URL")
    tls_strict = r.optional_flag("tls_strict")
    jmx = []
    for jr in _parse_list_of_tables(path, prefix + ".jmx", table.get("jmx", [])):
        jr.check_known({"worker", "url", "username", "password_env", "password_file"})
        worker, jmx_url = jr.text("worker"), jr.text("url")
        if not worker or not jmx_url:
            raise ConfigError(f"{path}: '{jr.prefix}worker' and '{jr.prefix}url' are required")
        jmx.append(
            JmxEndpoint(
                worker=worker,
                url=jmx_url,
                username=jr.text("username"),
                password_env=jr.text("password_env"),
                password_file=jr.text("password_file"),
            )
        )
    metrics = [
        _parse_metrics(path, mr, tls_strict)
        for mr in _parse_list_of_tables(path, prefix + ".metrics", table.get("metrics", []))
    ]
    logs: list[LogSource] = []
    for lr in _parse_list_of_tables(path, prefix + ".logs", table.get("logs", [])):
        lr.check_known({"worker", "path", "command", "shell", "max_lines", "layout", "pattern"})
        worker = lr.text("worker") or f"worker-{len(logs) + 1}"
        log_path = lr.text("path")
        command: tuple[str, ...] | None = None
        if "command" in lr.table:
            raw = lr.table["command"]
            command = (raw,) if isinstance(raw, str) else lr.strings("command")
        if bool(log_path) == bool(command):
            raise ConfigError(f"{path}: '{lr.prefix[:-1]}': expected exactly one of path, command")
        max_lines = lr.table.get("max_lines")
        if max_lines is not None:
            if isinstance(max_lines, bool) or not isinstance(max_lines, int) or max_lines < 1:
                raise lr._fail("max_lines", "a positive whole number of lines")
            if not command:
                raise ConfigError(
                    f"{path}: key '{lr.prefix}max_lines': only for command sources "
                    "(a file is read from disk, not kept in memory)"
                )
        layout, pattern = lr.text("layout"), lr.text("pattern")
        if layout and pattern:
            raise ConfigError(f"{path}: '{lr.prefix[:-1]}': give layout or pattern, not both")
        if layout or pattern:
            from kctui.logs.layouts import LayoutError, for_source

            try:
                for_source(layout, pattern)
            except LayoutError as exc:
                raise ConfigError(
                    f"{path}: key '{lr.prefix}{'pattern' if pattern else 'layout'}': {exc}"
                ) from exc
        logs.append(
            LogSource(
                worker=worker,
                path=log_path,
                command=command,
                shell=lr.flag("shell"),
                max_lines=max_lines,
                layout=layout,
                pattern=pattern,
            )
        )
    return ClusterConfig(
        name=name,
        urls=urls,
        read_only=r.flag("read_only"),
        username=r.text("username"),
        password_env=r.text("password_env"),
        password_file=r.text("password_file"),
        ca_file=r.text("ca_file"),
        cert_file=r.text("cert_file"),
        key_file=r.text("key_file"),
        insecure=r.flag("insecure"),
        tls_strict=tls_strict,
        timeout=r.number("timeout", 10.0),
        refresh_seconds=r.number("refresh_seconds", 5.0),
        lag_threshold=int(r.number("lag_threshold", 10_000)),
        kafka=_parse_kafka(path, prefix + ".kafka", table["kafka"]) if "kafka" in table else None,
        schema_registry=_parse_schema_registry(
            path, prefix + ".schema_registry", table["schema_registry"], tls_strict
        )
        if "schema_registry" in table
        else None,
        jmx=tuple(jmx),
        logs=tuple(logs),
        metrics=tuple(metrics),
        auto_restart=_parse_auto_restart(path, prefix, table),
    )


def _parse_auto_restart(path: Path, prefix: str, table: Mapping[str, Any]) -> RestartPolicy | None:
    if "auto_restart" not in table:
        return None
    from kctui.operate.restart_policy import PolicyError, parse_policy

    try:
        return parse_policy(path, prefix + ".auto_restart", table["auto_restart"])
    except PolicyError as exc:
        raise ConfigError(str(exc)) from exc


def _parse_metrics(path: Path, r: _Reader, tls_strict: bool | None) -> MetricsEndpoint:
    from kctui.metrics.presets import PRESET_NAMES

    r.check_known(_METRICS_KEYS)
    worker, url = r.text("worker"), r.text("url")
    if not worker or not url:
        raise ConfigError(f"{path}: '{r.prefix}worker' and '{r.prefix}url' are required")
    source = (r.text("source") or "").lower()
    if source not in METRIC_SOURCES:
        raise r._fail("source", "one of " + ", ".join(METRIC_SOURCES))
    if source != "jmx" and not url.startswith(("http://", "https://")):
        raise r._fail("url", f"an http:// or https:// URL for a {source} source")
    if source != "jmx" and "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        raise r._fail("url", "a URL without credentials (use username/password_env or token_env)")
    if source == "jmx" and not url.startswith("service:jmx:"):
        raise r._fail("url", "a service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi URL")
    preset = r.text("preset")
    if preset is not None and (source != "prometheus" or preset not in PRESET_NAMES):
        raise r._fail("preset", "for a prometheus source, one of " + ", ".join(PRESET_NAMES))
    endpoint = MetricsEndpoint(
        worker=worker,
        url=url,
        source=source,
        **r.http_auth(tls_strict),
        preset=preset,
    )
    endpoint.check(f"{path}: '{r.prefix[:-1]}'")
    return endpoint


def _flat_keymap(table: object, prefix: str = "") -> dict[str, str] | None:
    """``[keymap]`` as binding id -> keys. Ids are ``screen.action``: written unquoted
    (``connector.pause = "P"``) TOML nests them, so nested tables are joined back."""
    if not isinstance(table, dict):
        return None
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, str):
            flat[prefix + key] = value
            continue
        inner = _flat_keymap(value, f"{prefix}{key}.")
        if inner is None:
            return None
        flat.update(inner)
    return flat


def parse_config(path: Path, text: str) -> Config:
    """Parse config text; errors name the file, the line or key, and what was expected."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    top = _Reader(path, "", data)
    top.check_known({"current", "theme", "keymap", "clusters"})
    clusters_table = data.get("clusters", {})
    if not isinstance(clusters_table, dict):
        raise ConfigError(f"{path}: key 'clusters': expected a table of clusters")
    keymap = _flat_keymap(data.get("keymap", {}))
    if keymap is None:
        raise ConfigError(f"{path}: key 'keymap': expected a table of action id = \"keys\"")
    clusters = {name: _parse_cluster(path, name, t) for name, t in clusters_table.items()}
    return Config(
        path=path,
        current=top.text("current"),
        theme=top.text("theme"),
        keymap=dict(keymap),
        clusters=clusters,
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
        cluster = replace(cluster, read_only=True)
    return cluster


# --------------------------------------------------------------------------- writing
# Written with tomlkit, which edits the parsed document in place: the user's comments,
# blank lines, key order and quoting survive ``kctui config use``, a theme change and the
# sandbox adding its cluster. It is imported only when something is written.


def dump_toml(data: Mapping[str, Any]) -> str:
    """TOML text of nested tables, arrays of tables and scalars (what the config uses)."""
    import tomlkit

    return tomlkit.dumps(data)


def _read_document(path: Path) -> Any:
    """The file as a tomlkit document (an absent file is an empty one)."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return tomlkit.document()
    except ParseError as exc:
        raise ConfigError(f"{path}: invalid TOML, not changed: {exc}") from exc


def _write_document(path: Path, document: Any) -> None:
    """Save atomically, never a file we could not read back."""
    text = dump_toml(document)
    parse_config(path, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def update_config(path: Path, **top_level: Any) -> None:
    """Set top-level keys (``current``, ``theme``) in the file, keeping everything else."""
    document = _read_document(path)
    for key, value in top_level.items():
        if value is not None:
            document[key] = _in_the_users_style(document.get(key), value)
    _write_document(path, document)


def _in_the_users_style(old: Any, value: Any) -> Any:
    """``value`` quoted as the user quoted the value it replaces.

    A single-quoted (literal) string stays single-quoted when the new text can be one (no
    quote, no line break); tomlkit's own choice differs between its releases.
    """
    import tomlkit
    from tomlkit.items import String

    # 'x' or '''x''' (literal), as the user wrote it (String.type is missing before 0.13)
    literal = isinstance(old, String) and old.as_string().startswith("'")
    if literal and isinstance(value, str) and "'" not in value and "\n" not in value:
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
