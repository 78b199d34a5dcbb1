"""What the secure sandbox writes (pure): TLS and basic auth on the Connect REST API, a
SASL_SSL listener with SCRAM-SHA-512 on the broker, HTTPS with basic auth on the metrics
agents, passwords on remote JMX.

Every secret comes in through :class:`Secrets` (read from mode-600 files by
:mod:`kctui.sandbox.secure`); the texts built here go into mode-600 files too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kctui.sandbox.layout import PortPlan

SCRAM = "SCRAM-SHA-512"
SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
REST_EXTENSION = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
REST_LOGIN_MODULE = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
KEY_ALIAS = "sandbox"

# Who is who. REST: the operator kctui logs in as. Kafka (SCRAM users bootstrapped when the
# broker's storage is formatted): the broker itself, the Connect workers, kctui.
OPERATOR = "operator"
KAFKA_ADMIN, KAFKA_CONNECT, KAFKA_KCTUI = "admin", "connect", "kctui"
METRICS_USER = "metrics"  # the Prometheus exporter's and Jolokia's basic auth
JMX_USER = "monitor"

# Secret file names (``<name>.password`` under the sandbox's secrets folder); no user has
# the "operator-wrong" password (tests log in with it to meet a 401).
SECRET_NAMES = (
    "operator", "operator-wrong", "kafka-admin", "kafka-connect", "kafka-kctui",
    "stores", "metrics", "jmx",
)  # fmt: skip


@dataclass(frozen=True)
class Secrets:
    """The sandbox's passwords."""

    operator: str
    kafka_admin: str
    kafka_connect: str
    kafka_kctui: str
    stores: str  # the PKCS12 keystore and truststore
    metrics: str
    jmx: str

    def __repr__(self) -> str:
        return "Secrets(***)"

    @classmethod
    def from_files(cls, values: dict[str, str]) -> Secrets:
        fields = (name for name in SECRET_NAMES if name != "operator-wrong")
        return cls(**{name.replace("-", "_"): values[name] for name in fields})


@dataclass(frozen=True)
class Stores:
    """The sandbox CA (PEM) and the one server identity every listener presents."""

    ca_pem: Path
    keystore: Path  # PKCS12: key and certificate chain, alias KEY_ALIAS
    truststore: Path  # PKCS12: the CA as a trusted entry (for Java clients that want one)


def scram_jaas(username: str, password: str) -> str:
    return f'{SCRAM_MODULE} required username="{username}" password="{password}";'


def scram_format_args(secrets: Secrets) -> list[str]:
    """``StorageTool format`` arguments that bootstrap the SCRAM users (KIP-900)."""
    users = ((KAFKA_ADMIN, secrets.kafka_admin), (KAFKA_CONNECT, secrets.kafka_connect),
             (KAFKA_KCTUI, secrets.kafka_kctui))  # fmt: skip
    args: list[str] = []
    for name, password in users:
        args += ["--add-scram", f"{SCRAM}=[name={name},password={password}]"]
    return args


def _keystore(stores: Stores, secrets: Secrets) -> dict[str, object]:
    return {
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": stores.keystore,
        "ssl.keystore.password": secrets.stores,
        "ssl.key.password": secrets.stores,
    }


def broker_security(ports: PortPlan, stores: Stores, secrets: Secrets) -> dict[str, object]:
    """Broker settings replacing the PLAINTEXT client listener by SASL_SSL (SCRAM-SHA-512).

    The KRaft controller listener stays PLAINTEXT on loopback: SCRAM credentials live in the
    metadata log, so the controller cannot authenticate with them."""
    return {
        "listeners": f"SASL_SSL://127.0.0.1:{ports.broker},"
        f"CONTROLLER://127.0.0.1:{ports.controller}",
        "advertised.listeners": f"SASL_SSL://127.0.0.1:{ports.broker}",
        "inter.broker.listener.name": "SASL_SSL",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms": SCRAM,
        "sasl.mechanism.inter.broker.protocol": SCRAM,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram_jaas(
            KAFKA_ADMIN, secrets.kafka_admin
        ),
        **_keystore(stores, secrets),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": stores.ca_pem,
        "ssl.client.auth": "none",
    }


def kafka_client_security(stores: Stores, username: str, password: str) -> dict[str, object]:
    """A Java client's settings for the SASL_SSL listener."""
    return {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": SCRAM,
        "sasl.jaas.config": scram_jaas(username, password),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": stores.ca_pem,
    }


def worker_security(rest_port: int, stores: Stores, secrets: Secrets) -> dict[str, object]:
    """Worker settings: HTTPS REST with basic auth, and SASL_SSL for every Kafka client it
    makes (its own, and the ``producer.``/``consumer.``/``admin.`` ones of its tasks and DLQs).

    The REST listener's ``listeners.https.`` settings are all-or-nothing: with any of them
    set, Connect takes TLS for its REST server and for the requests one worker forwards to
    the leader from them only, never from the top-level ``ssl.*`` that the Kafka clients use."""
    rest_tls = {
        **_keystore(stores, secrets),
        "ssl.truststore.type": "PKCS12",
        "ssl.truststore.location": stores.truststore,
        "ssl.truststore.password": secrets.stores,
        "ssl.client.auth": "none",
    }
    client = kafka_client_security(stores, KAFKA_CONNECT, secrets.kafka_connect)
    values: dict[str, object] = {
        "listeners": f"https://127.0.0.1:{rest_port}",
        "rest.advertised.listener": "https",
        "rest.extension.classes": REST_EXTENSION,
        **{f"listeners.https.{key}": value for key, value in rest_tls.items()},
        **client,
    }
    for prefix in ("producer.", "consumer.", "admin."):
        values |= {prefix + key: value for key, value in client.items()}
    return values


def rest_jaas(users_file: Path) -> str:
    """The JAAS file (``-Djava.security.auth.login.config``) of the basic auth extension."""
    return f'KafkaConnect {{\n  {REST_LOGIN_MODULE} required\n  file="{users_file}";\n}};\n'


def rest_users(secrets: Secrets) -> str:
    """PropertyFileLoginModule's users: ``name: password`` (clear text, as it wants)."""
    return f"{OPERATOR}: {secrets.operator}\n"


def exporter_config(rules: str, stores: Stores, secrets: Secrets) -> str:
    """The Prometheus exporter's YAML: HTTPS (the keystore) and basic auth, then the rules."""
    quoted = json.dumps  # a JSON string is a YAML string, whatever the password holds
    return (
        "httpServer:\n"
        "  authentication:\n"
        "    basic:\n"
        f"      username: {quoted(METRICS_USER)}\n"
        f"      password: {quoted(secrets.metrics)}\n"
        "  ssl:\n"
        "    keyStore:\n"
        f"      filename: {quoted(str(stores.keystore))}\n"
        f"      password: {quoted(secrets.stores)}\n"
        "    certificate:\n"
        f"      alias: {quoted(KEY_ALIAS)}\n"
    ) + rules


def jolokia_config(port: int, stores: Stores, secrets: Secrets) -> str:
    """The Jolokia JVM agent's options file (``config=FILE``): HTTPS and basic auth."""
    options = {
        "host": "127.0.0.1",
        "port": port,
        "discoveryEnabled": "false",
        "protocol": "https",
        "keystore": stores.keystore,
        "keystorePassword": secrets.stores,
        "user": METRICS_USER,
        "password": secrets.metrics,
    }
    return "".join(f"{key}={value}\n" for key, value in options.items())


def jmx_password_file(secrets: Secrets) -> str:
    return f"{JMX_USER} {secrets.jmx}\n"


def jmx_access_file() -> str:
    return f"{JMX_USER} readonly\n"
