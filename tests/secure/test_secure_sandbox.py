"""The secure sandbox itself: what it demands of a client (TLS from its CA, a user and a
password on every port), what its workers do with credentials, and what it writes."""

from __future__ import annotations

import ssl
import stat
import uuid
from pathlib import Path

import httpx
import pytest

from kctui.probe import explain
from kctui.sandbox import scenario
from kctui.sandbox import secure_layout as sl
from kctui.sandbox.secure import SecureSandbox
from kctui.settings import ClusterConfig
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration


def _verify(box: SecureSandbox) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(box.stores.ca_pem))


def _password(box: SecureSandbox, name: str) -> str:
    return box.secret_file(name).read_text(encoding="utf-8").strip()


def test_rest_asks_for_credentials_on_both_workers(secure_sandbox: SecureSandbox) -> None:
    operator = _password(secure_sandbox, "operator")
    wrong = _password(secure_sandbox, "operator-wrong")
    for url in secure_sandbox.rest_urls:
        assert url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=_verify(secure_sandbox), timeout=10) as http:
            assert http.get(f"{url}/connectors").status_code == 401
            assert http.get(f"{url}/connectors", auth=(sl.OPERATOR, wrong)).status_code == 401
            answer = http.get(f"{url}/connectors", auth=(sl.OPERATOR, operator))
        assert answer.status_code == 200
        assert set(scenario.CONNECTORS) <= set(answer.json())


def test_workers_talk_to_each_other_through_the_basic_auth_filter(
    secure_sandbox: SecureSandbox,
) -> None:
    # Only the leader writes configs: whichever worker is not the leader forwards the PUT
    # over HTTPS with the caller's Authorization header; both must answer 201.
    config = {"connector.class": scenario.FILE_SOURCE, "tasks.max": "1",
              "file": str(scenario.source_file(secure_sandbox.files_dir)),
              "topic": "secure-forward-check"}  # fmt: skip
    with httpx.Client(timeout=30, **secure_sandbox.http_options()) as http:
        # A connector running on the follower gets tasks only when the follower's internal
        # request (POST /connectors/{c}/tasks, signed with the session key) reaches the
        # leader: connectors with tasks on both workers show that it passes the filter.
        states = http.get(f"{secure_sandbox.rest_urls[0]}/connectors?expand=status").json()
        hosts = {s["status"]["connector"]["worker_id"] for s in states.values()
                 if s["status"]["tasks"]}  # fmt: skip
        assert len(hosts) == 2, hosts
        for url in secure_sandbox.rest_urls:
            name = f"secure-forward-{uuid.uuid4().hex[:6]}"
            created = http.put(f"{url}/connectors/{name}/config", json=config)
            assert created.status_code == 201, created.text
            assert http.delete(f"{url}/connectors/{name}").status_code == 204


def test_metrics_agents_want_tls_and_a_password(secure_sandbox: SecureSandbox) -> None:
    metrics = _password(secure_sandbox, "metrics")
    urls = [secure_sandbox.prometheus_url(i) for i in range(2)]
    urls += [secure_sandbox.jolokia_url(i) for i in range(2)]
    with httpx.Client(verify=_verify(secure_sandbox), timeout=10) as http:
        for url in urls:
            assert url.startswith("https://")
            assert http.get(url).status_code == 401, url
            answer = http.get(url, auth=(sl.METRICS_USER, metrics))
            assert answer.status_code == 200, url
            assert ("kafka_connect" in answer.text) or ("jolokia" in answer.text), url


def test_the_broker_takes_only_scram_over_tls(
    secure_sandbox: SecureSandbox, secure_cluster: ClusterConfig
) -> None:
    assert secure_cluster.kafka is not None
    kctui_user = secure_cluster.kafka.client_kwargs()
    assert scenario._topic_size(kctui_user, scenario.DLQ_TOPIC) >= scenario.MALFORMED_RECORDS
    # The real broker answers kctui.probe's steps as its stand-in in the unit tests does:
    # TCP, TLS and the SCRAM-SHA-512 handshake pass, so a failure is the login's.
    wrong = explain(kctui_user | {"sasl_plain_password": "not-the-password"})
    assert wrong is not None and wrong.kind == "login", wrong
    plain = explain({**kctui_user, "security_protocol": "PLAINTEXT"})
    assert plain is not None and "speaks TLS" in plain.text
    mechanism = explain(kctui_user | {"sasl_mechanism": "PLAIN"})
    assert mechanism is not None and "offers the SASL mechanisms SCRAM-SHA-512" in mechanism.text


def test_no_secret_in_the_config_file_and_secret_files_are_private(
    secure_sandbox: SecureSandbox, secure_cluster: ClusterConfig, every_secret: list[str]
) -> None:
    text = secure_sandbox.config_file.read_text(encoding="utf-8")
    assert "[clusters.sandbox-secure]" in text
    assert not [s for s in every_secret if s in text]
    assert secure_cluster.kafka is not None
    files = [secure_cluster.password_file, secure_cluster.kafka.sasl_password_file]
    files += [endpoint.password_file for endpoint in secure_cluster.metric_endpoints()]
    assert all(files) and len(files) == 2 + 6  # REST, Kafka, 2 x (JMX, Prometheus, Jolokia)
    for name in files:
        assert stat.S_IMODE(Path(str(name)).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(secure_sandbox.secrets_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(secure_sandbox.home.stat().st_mode) == 0o700


def test_sandbox_status_secure(secure_sandbox: SecureSandbox, every_secret: list[str]) -> None:
    done = run_kctui("sandbox", "status", "--secure", config=secure_sandbox.config_file)
    assert done.returncode == 0, done.stderr
    for url in (*secure_sandbox.rest_urls, secure_sandbox.prometheus_url(0)):
        assert url in done.stdout
    assert not [s for s in every_secret if s in done.stdout + done.stderr]
