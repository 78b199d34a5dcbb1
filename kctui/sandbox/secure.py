"""The secure sandbox: the same broker, workers and demo connectors, locked down as
production clusters are (``kctui sandbox up --secure``).

- Connect REST on HTTPS (a certificate from the sandbox's own CA) behind Kafka's
  ``BasicAuthSecurityRestExtension``, users in a JAAS property file;
- the broker's client listener SASL_SSL with SCRAM-SHA-512, users bootstrapped when its
  storage is formatted; the workers and their tasks' clients log in as ``connect``;
- the Prometheus exporter and Jolokia on HTTPS with basic auth, remote JMX with a password;
- a ``sandbox-secure`` cluster in kctui's config whose secrets are files (mode 600) under
  the sandbox's folder, never the config file itself.

It keeps its own folder (``$XDG_STATE_HOME/kctui/sandbox-secure``) and port base (29500),
so it runs beside the plain sandbox.
"""

from __future__ import annotations

import secrets
import shutil
import ssl
import subprocess
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx

from kctui.configfile import write_cluster
from kctui.sandbox import agents, layout
from kctui.sandbox import secure_layout as sl
from kctui.sandbox.cluster import Sandbox
from kctui.sandbox.jars import SandboxError
from kctui.sandbox.pki import CertificateAuthority, PkiError
from kctui.sandbox.procs import write_private

SECURE_CLUSTER = "sandbox-secure"
SECURE_PORT_BASE = 29500
EXTENSION = ("org.apache.kafka", "connect-basic-auth-extension")


class SecureSandbox(Sandbox):
    """The sandbox with TLS, SASL_SSL/SCRAM and basic auth everywhere a client connects."""

    cluster_name = SECURE_CLUSTER
    rest_scheme = "https"
    home_env, port_base_env = "KCTUI_SECURE_SANDBOX_HOME", "KCTUI_SECURE_SANDBOX_PORT_BASE"
    home_name = "sandbox-secure"
    default_port_base = SECURE_PORT_BASE

    # ------------------------------------------------------------------ files
    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    def secret_file(self, name: str) -> Path:
        """The file holding one password (``operator``, ``kafka-kctui``... see SECRET_NAMES)."""
        if name not in sl.SECRET_NAMES:
            raise ValueError(f"no sandbox secret named {name!r}")
        return self.secrets_dir / f"{name}.password"

    @cached_property
    def secrets(self) -> sl.Secrets:
        values = {}
        for name in sl.SECRET_NAMES:
            try:
                values[name] = self.secret_file(name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SandboxError(
                    f"the secure sandbox's secret {self.secret_file(name)} is missing: "
                    "run 'kctui sandbox up --secure'"
                ) from exc
        return sl.Secrets.from_files(values)

    @property
    def stores(self) -> sl.Stores:
        pki = self.home / "pki"
        return sl.Stores(pki / "ca.pem", pki / "sandbox.p12", pki / "truststore.p12")

    @property
    def jaas_file(self) -> Path:
        return self.home / "rest-jaas.conf"

    @property
    def jmx_files(self) -> tuple[Path, Path]:
        return self.home / "jmx.password", self.home / "jmx.access"

    # ------------------------------------------------------------------ hooks
    def _prepare_security(self, version: str) -> None:
        self.home.chmod(0o700)
        if self._ensure_secrets():
            # SCRAM users are written into the broker's storage when it is formatted: new
            # passwords need a new storage.
            shutil.rmtree(self.home / "broker", ignore_errors=True)
        self.__dict__.pop("secrets", None)
        try:
            self._ensure_stores()
        except PkiError as exc:
            raise SandboxError(f"cannot make the secure sandbox's certificates: {exc}") from exc
        users = self.home / "rest-users.properties"
        write_private(users, sl.rest_users(self.secrets))
        write_private(self.jaas_file, sl.rest_jaas(users))
        write_private(self.jmx_files[0], sl.jmx_password_file(self.secrets))
        write_private(self.jmx_files[1], sl.jmx_access_file())
        ensure_extension_jar(version, self.cache, log=self.log)

    def _ensure_secrets(self) -> bool:
        """Create every missing password file (mode 600); True when any was created."""
        self.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        created = False
        for name in sl.SECRET_NAMES:
            path = self.secret_file(name)
            if not path.exists():
                write_private(path, secrets.token_urlsafe(18) + "\n")
                created = True
        return created

    def _ensure_stores(self) -> None:
        """The CA, the server certificate (127.0.0.1, localhost) and both PKCS12 stores."""
        stores = self.stores
        ca = CertificateAuthority(stores.ca_pem.parent, name="kctui secure sandbox CA")
        leaf = ca.issue("sandbox", "127.0.0.1", hosts=("127.0.0.1", "localhost"))
        password = f"file:{self.secret_file('stores')}"
        if not stores.keystore.exists():
            _run(["openssl", "pkcs12", "-export", "-in", str(leaf.cert), "-inkey", str(leaf.key),
                  "-certfile", str(ca.cert), "-name", sl.KEY_ALIAS, "-out", str(stores.keystore),
                  "-passout", password], "openssl pkcs12")  # fmt: skip
            stores.keystore.chmod(0o600)
        if not stores.truststore.exists():
            keytool = shutil.which("keytool") or str(Path(self._java()).parent / "keytool")
            _run([keytool, "-importcert", "-noprompt", "-alias", "sandbox-ca",
                  "-file", str(ca.cert), "-keystore", str(stores.truststore),
                  "-storetype", "PKCS12",
                  "-storepass:file", str(self.secret_file("stores"))], "keytool")  # fmt: skip

    def kafka_client_kwargs(self) -> dict[str, Any]:
        """As the broker's own ``admin`` SCRAM user (the sandbox seeds topics with it)."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": sl.SCRAM,
            "sasl_plain_username": sl.KAFKA_ADMIN,
            "sasl_plain_password": self.secrets.kafka_admin,
            "ssl_cafile": str(self.stores.ca_pem),
        }

    def http_options(self) -> dict[str, Any]:
        return {
            "auth": httpx.BasicAuth(sl.OPERATOR, self.secrets.operator),
            "verify": ssl.create_default_context(cafile=str(self.stores.ca_pem)),
        }

    def _broker_properties(self, data: Path) -> str:
        values = layout.broker_values(self.ports, data)
        values |= sl.broker_security(self.ports, self.stores, self.secrets)
        return layout.properties(values)

    def _format_args(self) -> list[str]:
        return sl.scram_format_args(self.secrets)

    def _worker_properties(self, index: int) -> str:
        values = layout.worker_values(self.ports, index)
        rest = self.ports.worker_rest[index]
        values |= sl.worker_security(rest, self.stores, self.secrets)
        return layout.properties(values)

    def _jmx_flags(self, port: int) -> list[str]:
        return layout.jmx_flags(port, auth=self.jmx_files)

    def _worker_flags(self, index: int, directory: Path) -> list[str]:
        """The REST extension's JAAS file, and both agents on HTTPS with basic auth."""
        jars = self._agents or agents.ensure_agents(self.cache, log=self.log)
        exporter = directory / "prometheus-exporter.yaml"
        rules = agents.prometheus_rules()
        write_private(exporter, sl.exporter_config(rules, self.stores, self.secrets))
        jolokia = directory / "jolokia.properties"
        port = self.ports.worker_jolokia[index]
        write_private(jolokia, sl.jolokia_config(port, self.stores, self.secrets))
        return [
            f"-Djava.security.auth.login.config={self.jaas_file}",
            f"-javaagent:{jars.prometheus}=127.0.0.1:{self.ports.worker_prometheus[index]}:"
            f"{exporter}",
            f"-javaagent:{jars.jolokia}=config={jolokia}",
        ]

    def _worker_classpath(self, lib: Path, version: str) -> str:
        return f"{lib}/*:{extension_dir(version, self.cache)}/*"

    def prometheus_url(self, index: int) -> str:
        return f"https://127.0.0.1:{self.ports.worker_prometheus[index]}/metrics"

    def jolokia_url(self, index: int) -> str:
        return f"https://127.0.0.1:{self.ports.worker_jolokia[index]}/jolokia/"

    # ------------------------------------------------------------------ config
    def cluster_table(
        self, version: str | None = None, *, other_layouts: bool = False
    ) -> dict[str, object]:
        """The ``[clusters.sandbox-secure]`` table: every secret is a file name."""
        plain = super().cluster_table(version, other_layouts=other_layouts)
        ca_file = str(self.stores.ca_pem)
        metrics_auth = {
            "username": sl.METRICS_USER,
            "password_file": str(self.secret_file("metrics")),
            "ca_file": ca_file,
        }
        jmx_auth = {"username": sl.JMX_USER, "password_file": str(self.secret_file("jmx"))}
        return {
            "urls": plain["urls"],
            "username": sl.OPERATOR,
            "password_file": str(self.secret_file("operator")),
            "ca_file": ca_file,
            "refresh_seconds": plain["refresh_seconds"],
            "kafka": {
                "bootstrap_servers": [self.bootstrap],
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": sl.SCRAM,
                "sasl_username": sl.KAFKA_KCTUI,
                "sasl_password_file": str(self.secret_file("kafka-kctui")),
                "ssl_cafile": ca_file,
            },
            "schema_registry": plain["schema_registry"],
            "jmx": [entry | jmx_auth for entry in _tables(plain["jmx"])],
            "metrics": [entry | metrics_auth for entry in _tables(plain["metrics"])],
            "logs": plain["logs"],
        }

    def write_config(self, version: str | None = None) -> None:
        table = self.cluster_table(version)
        write_cluster(self.config_file, self.cluster_name, table, make_current=False)


def _tables(value: object) -> list[dict[str, object]]:
    assert isinstance(value, list)
    return [dict(entry) for entry in value]


def _run(argv: list[str], what: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise SandboxError(f"{what} cannot run: {exc}") from exc
    if done.returncode != 0:
        raise SandboxError(f"{what} failed: {(done.stderr or done.stdout).strip()[-300:]}")


def extension_dir(version: str, cache_root: Path) -> Path:
    """Where the basic auth extension's jar is kept, beside (not in) the shared Kafka lib."""
    return cache_root / version / "extensions"


def ensure_extension_jar(version: str, cache_root: Path, *, log: Any = print) -> Path:
    """``connect-basic-auth-extension`` of ``version``, from Maven Central once.

    It goes into a folder of its own, so the plain sandboxes' classpath never changes."""
    directory = extension_dir(version, cache_root)
    group, artifact = EXTENSION
    jar = directory / f"{artifact}-{version}.jar"
    if jar.exists():
        return jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SandboxError("Maven (mvn) is not installed: it downloads the basic auth extension")
    directory.mkdir(parents=True, exist_ok=True)
    log(f"downloading {group}:{artifact}:{version} from Maven Central (once) ...")
    _run([mvn, "-B", "-q", f"-Dmaven.repo.local={cache_root / 'm2'}",
          "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
          f"-Dartifact={group}:{artifact}:{version}:jar", f"-DoutputDirectory={directory}"],
         f"downloading {artifact} {version}")  # fmt: skip
    if not jar.exists():
        raise SandboxError(f"Maven did not deliver {jar.name} into {directory}")
    return jar


def sandbox_class(secure: bool) -> type[Sandbox]:
    return SecureSandbox if secure else Sandbox
