"""What the secure sandbox writes, without starting it: secret files, the properties of
broker and workers, the agents' options and the ``sandbox-secure`` config entry."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kctui.configfile import load_config
from kctui.sandbox import secure_layout as sl
from kctui.sandbox.secure import SECURE_CLUSTER, SecureSandbox


@pytest.fixture
def box(tmp_path: Path) -> SecureSandbox:
    sandbox = SecureSandbox(
        tmp_path / "home", tmp_path / "cache", config_file=tmp_path / "config.toml",
        log=lambda _message: None,
    )  # fmt: skip
    sandbox.home.mkdir()
    assert sandbox._ensure_secrets()  # created: the broker's storage must be formatted anew
    assert not sandbox._ensure_secrets()  # kept on the next start
    return sandbox


def parse(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_ports_and_names_keep_clear_of_the_plain_sandbox(box: SecureSandbox) -> None:
    assert box.ports.base == 29500 and box.bootstrap == "127.0.0.1:29592"
    assert box.rest_urls == ("https://127.0.0.1:29583", "https://127.0.0.1:29584")
    assert box.cluster_name == SECURE_CLUSTER and box.home.name == "home"


def test_every_secret_is_a_private_file_of_its_own(box: SecureSandbox) -> None:
    values = set()
    for name in sl.SECRET_NAMES:
        path = box.secret_file(name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        values.add(path.read_text(encoding="utf-8").strip())
    assert len(values) == len(sl.SECRET_NAMES) and all(len(v) >= 20 for v in values)
    assert stat.S_IMODE(box.secrets_dir.stat().st_mode) == 0o700
    assert box.secrets.operator not in repr(box.secrets)


def test_workers_serve_https_with_basic_auth_and_use_scram_everywhere(box: SecureSandbox) -> None:
    props = parse(box._worker_properties(1))
    assert props["listeners"] == "https://127.0.0.1:29584"
    assert props["rest.extension.classes"].endswith("BasicAuthSecurityRestExtension")
    assert props["listeners.https.ssl.keystore.location"] == str(box.stores.keystore)
    assert props["listeners.https.ssl.truststore.type"] == "PKCS12"  # Jetty reads no PEM
    for prefix in ("", "producer.", "consumer.", "admin."):
        assert props[f"{prefix}security.protocol"] == "SASL_SSL"
        assert props[f"{prefix}sasl.mechanism"] == "SCRAM-SHA-512"
        assert 'username="connect"' in props[f"{prefix}sasl.jaas.config"]
        assert props[f"{prefix}ssl.truststore.location"] == str(box.stores.ca_pem)
    assert props["group.id"] == "kctui-sandbox"  # the plain worker settings stay


def test_the_broker_listens_sasl_ssl_with_scram_users_made_at_format(box: SecureSandbox) -> None:
    props = parse(box._broker_properties(box.home / "broker" / "data"))
    assert props["listeners"] == "SASL_SSL://127.0.0.1:29592,CONTROLLER://127.0.0.1:29593"
    assert props["listener.security.protocol.map"] == "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    args = box._format_args()
    users = [a.split("name=")[1].split(",")[0] for a in args if a.startswith("SCRAM")]
    assert users == ["admin", "connect", "kctui"] and args.count("--add-scram") == 3


def test_agents_get_https_and_basic_auth(box: SecureSandbox) -> None:
    text = sl.exporter_config("rules:\n  - pattern: x\n", box.stores, box.secrets)
    assert text.startswith("httpServer:\n  authentication:\n    basic:\n")
    assert f'password: "{box.secrets.metrics}"' in text and text.endswith(
        "rules:\n  - pattern: x\n"
    )
    options = parse(sl.jolokia_config(29550, box.stores, box.secrets))
    assert options["protocol"] == "https" and options["user"] == sl.METRICS_USER
    assert options["keystore"] == str(box.stores.keystore)


def test_the_config_entry_names_files_never_passwords(box: SecureSandbox) -> None:
    box.write_config("4.3.1")
    text = box.config_file.read_text(encoding="utf-8")
    secrets = [box.secret_file(n).read_text(encoding="utf-8").strip() for n in sl.SECRET_NAMES]
    assert not [s for s in secrets if s in text]
    cluster = load_config(box.config_file, import_kcctl=False).clusters[SECURE_CLUSTER]
    assert cluster.username == "operator"
    assert cluster.password_file == str(box.secret_file("operator"))
    assert cluster.ca_file == str(box.stores.ca_pem)
    assert cluster.rest_password() == box.secrets.operator
    kafka = cluster.kafka
    assert kafka is not None and kafka.security_protocol == "SASL_SSL"
    assert (kafka.sasl_mechanism, kafka.sasl_username) == ("SCRAM-SHA-512", "kctui")
    assert kafka.client_kwargs()["sasl_plain_password"] == box.secrets.kafka_kctui
    assert {e.source for e in cluster.metric_endpoints()} == {"jmx", "prometheus", "jolokia"}
    for endpoint in cluster.metric_endpoints():
        assert endpoint.password_file and endpoint.username
        assert endpoint.source == "jmx" or endpoint.url.startswith("https://")


def test_the_docs_worked_example_is_what_the_sandbox_writes(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    after = text.split("<!-- secure-sandbox-example", 1)[1]
    block = after.split("```toml\n", 1)[1].split("```", 1)[0]
    home = Path("/home/me/.local/state/kctui/sandbox-secure")  # the default for user "me"
    box = SecureSandbox(home, tmp_path, config_file=tmp_path / "config.toml")
    box.write_config("4.3.1")
    written = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert written == f'current = "{SECURE_CLUSTER}"\n\n' + block
