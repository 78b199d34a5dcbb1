"""kctui.probe against loopback stand-ins of a Kafka listener: which step fails (TCP, TLS,
the SASL handshake, the login) and how the DLQ errors say it, never with the password.

The stand-in answers SaslHandshake v1 as a broker does (error code and the mechanisms it
offers); the real broker's answers are checked by the secure sandbox's tests."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctui.dlq.errors import BrokerUnreachable, NotAuthorized, broker_failure
from kctui.probe import ILLEGAL_SASL_STATE, UNSUPPORTED_SASL_MECHANISM, explain, speaks_tls
from kctui.sandbox.pki import CertificateAuthority
from kctui.settings import KafkaSettings

PASSWORD = "pw-never-shown-123"


def _answer(error: int, mechanisms: list[str]) -> bytes:
    body = struct.pack(">ihi", 1, error, len(mechanisms))
    for name in mechanisms:
        body += struct.pack(">h", len(name)) + name.encode()
    return struct.pack(">i", len(body)) + body


def _listen(
    error: int | None, mechanisms: list[str], tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """A loopback listener answering every SaslHandshake with ``error`` (None: never
    answers), over TLS when ``tls`` is given."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)  # accept() wakes up to see the stop flag
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(2)
            try:
                with conn:
                    channel = tls.wrap_socket(conn, server_side=True) if tls else conn
                    if channel.recv(4096) and error is not None:
                        channel.sendall(_answer(error, mechanisms))
                    if error is None:
                        stop.wait(1)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("probe-ca"))


@pytest.fixture(scope="module")
def server_tls(authority: CertificateAuthority) -> ssl.SSLContext:
    leaf = authority.issue("broker", "127.0.0.1", hosts=("127.0.0.1",))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(leaf.cert, leaf.key)
    return context


def _sasl(server: str, protocol: str = "SASL_PLAINTEXT", **extra: object) -> dict[str, object]:
    return {"bootstrap_servers": [server], "security_protocol": protocol,
            "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "kctui",
            "sasl_plain_password": PASSWORD, **extra}  # fmt: skip


def test_a_closed_port_is_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    finding = explain({"bootstrap_servers": [f"127.0.0.1:{port}"]}, timeout=2)
    assert finding is not None and finding.kind == "unreachable"
    assert "connection refused" in finding.text


def test_a_working_handshake_leaves_the_login_as_the_cause() -> None:
    for server in _listen(0, ["SCRAM-SHA-512"]):
        finding = explain(_sasl(server), timeout=2)
        assert finding is not None and finding.kind == "login", finding
        assert "SCRAM-SHA-512 login of user 'kctui'" in finding.text
        assert PASSWORD not in finding.text


def test_a_mechanism_the_listener_lacks_is_named() -> None:
    for server in _listen(UNSUPPORTED_SASL_MECHANISM, ["PLAIN", "SCRAM-SHA-256"]):
        finding = explain(_sasl(server), timeout=2)
        assert finding is not None and finding.kind == "protocol"
        assert "offers the SASL mechanisms PLAIN, SCRAM-SHA-256, not SCRAM-SHA-512" in finding.text


def test_sasl_against_a_listener_without_sasl() -> None:
    for server in _listen(ILLEGAL_SASL_STATE, []):
        finding = explain(_sasl(server), timeout=2)
        assert finding is not None and "takes no SASL login" in finding.text
        assert "security_protocol = PLAINTEXT" in finding.text
        assert explain(_sasl(server, "PLAINTEXT"), timeout=2) is None  # nothing wrong there


def test_plaintext_against_a_sasl_listener() -> None:
    for server in _listen(0, ["SCRAM-SHA-512"]):
        finding = explain(_sasl(server, "PLAINTEXT"), timeout=2)
        assert (
            finding is not None and "wants a SASL login (it offers SCRAM-SHA-512)" in finding.text
        )


def test_a_listener_that_never_answers_the_handshake() -> None:
    for server in _listen(None, []):
        finding = explain(_sasl(server), timeout=0.5)
        assert finding is not None and "did not answer a SASL handshake" in finding.text


def test_tls_with_the_right_ca_reaches_the_login(
    authority: CertificateAuthority, server_tls: ssl.SSLContext
) -> None:
    for server in _listen(0, ["SCRAM-SHA-512"], tls=server_tls):
        finding = explain(_sasl(server, "SASL_SSL", ssl_cafile=str(authority.cert)), timeout=2)
        assert finding is not None and finding.kind == "login", finding


def test_tls_with_another_ca_is_named(server_tls: ssl.SSLContext, tmp_path: Path) -> None:
    other = CertificateAuthority(tmp_path / "other", name="another CA")
    for server in _listen(0, ["SCRAM-SHA-512"], tls=server_tls):
        finding = explain(_sasl(server, "SASL_SSL", ssl_cafile=str(other.cert)), timeout=2)
        assert finding is not None and finding.kind == "tls"
        assert f"not signed by the CA in ssl_cafile {other.cert}" in finding.text


def test_plaintext_against_a_tls_listener_is_named(server_tls: ssl.SSLContext) -> None:
    for server in _listen(0, ["SCRAM-SHA-512"], tls=server_tls):
        host, port = server.split(":")
        assert speaks_tls(host, int(port), timeout=2)
        finding = explain(_sasl(server, "SASL_PLAINTEXT"), timeout=2)
        assert (
            finding is not None and "speaks TLS: set security_protocol = SASL_SSL" in finding.text
        )


def test_dlq_errors_say_the_step_and_where_the_password_comes_from() -> None:
    settings = KafkaSettings(
        bootstrap_servers=("127.0.0.1:1",), security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512", sasl_username="kctui", sasl_password_file="/run/pw",
    )  # fmt: skip
    for server in _listen(0, ["SCRAM-SHA-512"]):
        error = broker_failure(_sasl(server), settings, "prod", "no broker", timeout=2)
        assert isinstance(error, NotAuthorized)
        said = str(error)
        assert said.startswith("cluster 'prod': Kafka login failed: ")
        assert "sasl_password_file /run/pw" in said and PASSWORD not in said
    unprobed = broker_failure(_sasl("127.0.0.1:1"), settings, None, "no broker", probe=False)
    assert isinstance(unprobed, BrokerUnreachable) and str(unprobed) == "no broker"
