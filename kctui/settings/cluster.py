"""The settings of one Connect cluster: its REST API, Kafka, metrics, logs and Schema Registry.

Structs with no I/O: each field's type (and a few ``Meta(extra=...)`` words, see
:mod:`kctui.settings.validate`) says what the config file may hold, and ``check()`` what
types cannot say. Secrets are never held: ``*_env`` and ``*_file`` name where they are, read
only when a client connects (:mod:`kctui.settings.secrets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from msgspec import Meta

from kctui.settings.base import Settings
from kctui.settings.restart import RestartPolicy, RestartTable
from kctui.settings.secrets import read_secret
from kctui.settings.validate import Invalid, expected

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
MetricSource = Literal["jmx", "prometheus", "jolokia"]
SECURITY_PROTOCOLS: tuple[str, ...] = get_args(SecurityProtocol)
METRIC_SOURCES: tuple[str, ...] = get_args(MetricSource)

Positive = Annotated[float, Meta(gt=0)]
_BOTH = "'{table}.worker' and '{table}.url' are required"
WorkerUrl = Annotated[str, Meta(extra={"missing": _BOTH})]  # a worker's id or URL: both required
# One or more http(s) URLs: ``urls = [...]``, ``url = "..."`` or a comma-separated string.
Urls = Annotated[tuple[str, ...], Meta(extra={"text": "comma", "aliases": ("url",)})]


def _choice(literal: Any, case: str, **more: Any) -> Meta:
    """A choice among ``literal``'s values, in any case, named in their own order."""
    words = "one of " + ", ".join(get_args(literal))
    return Meta(extra={"case": case, "expected": words, **more})


def _check_http_urls(urls: tuple[str, ...], what: str) -> None:
    if not urls:
        raise Invalid(f"expected at least one {what}", "urls")
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise expected("http:// or https:// URLs", url, "urls")


class KafkaSettings(Settings, frozen=True):
    """How to reach the Kafka brokers (for the DLQ browser and sink lag)."""

    bootstrap_servers: Annotated[
        tuple[str, ...], Meta(extra={"text": "comma", "expected": "host:port entries"})
    ]
    security_protocol: Annotated[SecurityProtocol, _choice(SecurityProtocol, "upper")] = "PLAINTEXT"
    sasl_mechanism: Annotated[SaslMechanism | None, _choice(SaslMechanism, "upper")] = None
    sasl_username: str | None = None
    sasl_password_env: str | None = None
    sasl_password_file: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password_env: str | None = None
    ssl_password_file: str | None = None
    ssl_check_hostname: bool = True

    def check(self) -> None:
        if not self.bootstrap_servers:
            raise Invalid("expected host:port entries", "bootstrap_servers")

    def client_kwargs(self, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Keyword arguments for kafka-python clients (secrets resolved now)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": list(self.bootstrap_servers),
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL"):
            password = read_secret(
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
            for key, value in (
                ("ssl_cafile", self.ssl_cafile),
                ("ssl_certfile", self.ssl_certfile),
                ("ssl_keyfile", self.ssl_keyfile),
            ):
                if value:
                    kwargs[key] = str(Path(value).expanduser())
            key_password = read_secret(
                self.ssl_password_env, self.ssl_password_file, what="kafka.ssl_password", env=env
            )
            if key_password:
                kwargs["ssl_password"] = key_password
        return kwargs


class HttpAuth(Settings, frozen=True, kw_only=True):
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
    # None: Python's default (strict X.509 checks from 3.13); absent, the cluster's choice
    tls_strict: Annotated[bool | None, Meta(extra={"inherit": True})] = None

    @property
    def secret_label(self) -> str:
        """How a missing secret is named in errors (``<label>.password``)."""
        raise NotImplementedError

    def check(self) -> None:
        """Basic auth or a bearer token, never both."""
        if self.username and (self.token_env or self.token_file):
            raise Invalid("give username (basic auth) or a token, not both")

    def password(self, env: Mapping[str, str] | None = None) -> str | None:
        what = f"{self.secret_label}.password"
        return read_secret(self.password_env, self.password_file, what=what, env=env)

    def token(self, env: Mapping[str, str] | None = None) -> str | None:
        what = f"{self.secret_label}.token"
        return read_secret(self.token_env, self.token_file, what=what, env=env)


class SchemaRegistrySettings(HttpAuth, frozen=True, kw_only=True):
    """A Confluent Schema Registry (read-only use: schemas by id) to decode DLQ payloads."""

    urls: Annotated[
        Urls,
        Meta(extra={"rstrip": "/", "missing": "key '{table}.urls': expected at least one "
                    "Schema Registry URL"}),
    ]  # fmt: skip
    timeout: Positive = 5.0

    @property
    def name(self) -> str:
        """How TLS errors name it."""
        return "schema_registry"

    @property
    def secret_label(self) -> str:
        return "schema_registry"

    def check(self) -> None:
        _check_http_urls(self.urls, "Schema Registry URL")
        super().check()


class JmxEndpoint(Settings, frozen=True):
    """The JMX URL of one worker; ``worker`` is its Connect worker id (host:port)."""

    worker: WorkerUrl
    url: WorkerUrl
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None

    def password(self, env: Mapping[str, str] | None = None) -> str | None:
        return read_secret(self.password_env, self.password_file, what="jmx.password", env=env)


class MetricsEndpoint(HttpAuth, frozen=True, kw_only=True):
    """Where one worker's metrics are read: remote JMX, a Prometheus ``/metrics`` page or
    a Jolokia agent. HTTP sources take the REST client's auth and TLS choices."""

    worker: WorkerUrl
    url: WorkerUrl
    source: Annotated[MetricSource, _choice(MetricSource, "lower", required=True)] = "jmx"
    preset: str | None = None  # prometheus only: name mapping; None detects it

    @property
    def name(self) -> str:
        return f"{self.source} of {self.worker}"

    @property
    def secret_label(self) -> str:
        return self.source

    def check(self) -> None:
        url, source = self.url, self.source
        if source != "jmx" and not url.startswith(("http://", "https://")):
            raise expected(f"an http:// or https:// URL for a {source} source", url, "url")
        if source != "jmx" and "@" in url.split("//", 1)[-1].split("/", 1)[0]:
            what = "a URL without credentials (use username/password_env or token_env)"
            raise expected(what, url, "url")
        if source == "jmx" and not url.startswith("service:jmx:"):
            raise expected("a service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi URL", url, "url")
        super().check()


class LogSource(Settings, frozen=True):
    """A worker's log: a file (path or glob) or a command whose output is followed."""

    worker: Annotated[str, Meta(extra={"numbered": "worker-{}"})]
    path: str | None = None
    command: Annotated[tuple[str, ...] | None, Meta(extra={"text": "whole"})] = None
    shell: bool = False
    # lines of a command's output kept in memory (None: default)
    max_lines: (
        Annotated[int, Meta(ge=1, extra={"expected": "a positive whole number of lines"})] | None
    ) = None
    layout: str | None = None  # a built-in layout name (None: detected from the first lines)
    pattern: str | None = None  # a log4j PatternLayout string (wins over detection)

    @property
    def label(self) -> str:
        return self.worker

    def check(self) -> None:
        if bool(self.path) == bool(self.command):
            raise Invalid("expected exactly one of path, command")
        if self.max_lines is not None and not self.command:
            detail = "only for command sources (a file is read from disk, not kept in memory)"
            raise Invalid(detail, "max_lines")
        if self.layout and self.pattern:
            raise Invalid("give layout or pattern, not both")


class ClusterConfig(Settings, frozen=True):
    """One named Connect cluster and everything kctui knows how to reach about it."""

    secret_fields = ("password",)

    name: Annotated[str, Meta(extra={"table_key": True})]
    urls: Annotated[
        Urls,
        Meta(extra={"missing": "key '{table}.urls': expected at least one Connect REST URL"}),
    ]
    read_only: bool = False
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    insecure: bool = False
    tls_strict: bool | None = None  # None: Python's default (strict X.509 checks from 3.13)
    timeout: Positive = 10.0
    refresh_seconds: Positive = 5.0
    lag_threshold: Annotated[
        int, Meta(gt=0, extra={"expected": "a positive number", "whole_part": True})
    ] = 10_000
    kafka: KafkaSettings | None = None
    jmx: tuple[JmxEndpoint, ...] = ()
    logs: tuple[LogSource, ...] = ()
    metrics: tuple[MetricsEndpoint, ...] = ()
    schema_registry: SchemaRegistrySettings | None = None
    # [clusters.X.auto_restart] for kctui watch
    auto_restart: Annotated[RestartPolicy | None, Meta(extra={"schema": RestartTable})] = None
    # Only for clusters imported from kcctl, whose file holds the password itself.
    password: Annotated[str | None, Meta(extra={"internal": True})] = None

    def check(self) -> None:
        _check_http_urls(self.urls, "Connect REST URL")

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
