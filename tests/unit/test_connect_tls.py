"""ConnectClient against a real local HTTPS server: CA bundle, default verification,
``insecure``, mutual TLS, basic auth and the strict X.509 checks (``tls_strict``), with
certificates from the sandbox's CA (:mod:`kctui.sandbox.pki`, the openssl CLI)."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kctui.connect.client import ConnectClient
from kctui.connect.errors import AuthError, Unreachable
from kctui.connect.transport import ssl_setting
from kctui.sandbox.pki import CertificateAuthority
from kctui.settings import ClusterConfig


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _pki(folder: Path, *, legacy: bool = False) -> Pki:
    authority = CertificateAuthority(folder, name="kctui test CA", legacy=legacy)
    server = authority.issue("server", "127.0.0.1", hosts=("127.0.0.1", "localhost"))
    client = authority.issue("client", "kctui-client", usage="clientAuth")
    return Pki(authority.cert, server.cert, server.key, client.cert, client.key)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Issued as real CAs issue them: passes Python 3.13's strict X.509 checks."""
    return _pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def legacy_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA made the old way (no keyUsage, basicConstraints not critical)."""
    return _pki(tmp_path_factory.mktemp("legacy-pki"), legacy=True)


class _Handler(BaseHTTPRequestHandler):
    password: str | None = None

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        expected = self.password
        if expected is not None:
            token = base64.b64encode(f"ops:{expected}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {token}":
                self._send(401, {"error_code": 401, "message": "Unauthorized"})
                return
        peer = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        subject = dict(x[0] for x in peer["subject"]) if peer else {}
        self._send(200, {"version": "4.1.0", "commit": subject.get("commonName", "")})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return None


def _serve(pki: Pki, *, require_client_cert: bool, password: str | None = None) -> Iterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    if require_client_cert:
        context.load_verify_locations(pki.ca)
        context.verify_mode = ssl.CERT_REQUIRED
    handler = type("Handler", (_Handler,), {"password": password})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def https_url(pki: Pki) -> Iterator[str]:
    yield from _serve(pki, require_client_cert=False)


@pytest.fixture
def mtls_url(pki: Pki) -> Iterator[str]:
    yield from _serve(pki, require_client_cert=True)


async def _version(cluster: ClusterConfig) -> tuple[str, str]:
    async with ConnectClient(cluster) as client:
        info = await client.server_info()
    return str(info.version), info.commit


async def test_ca_file_verifies_the_server(pki: Pki, https_url: str) -> None:
    cluster = ClusterConfig(name="tls", urls=(https_url,), ca_file=str(pki.ca), timeout=5)
    assert await _version(cluster) == ("4.1.0", "")


async def test_unknown_ca_is_refused_by_default(https_url: str) -> None:
    cluster = ClusterConfig(name="tls", urls=(https_url,), timeout=5)
    with pytest.raises(Unreachable, match="TLS failed.*not signed by .*system.*ca_file.*insecure"):
        await _version(cluster)


async def test_a_certificate_of_another_ca_is_named_with_the_ca_file(
    https_url: str, tmp_path: Path
) -> None:
    other = CertificateAuthority(tmp_path / "other", name="another CA")
    cluster = ClusterConfig(name="tls", urls=(https_url,), ca_file=str(other.cert), timeout=5)
    with pytest.raises(Unreachable) as info:
        await _version(cluster)
    said = str(info.value)
    assert f"not signed by the CA in ca_file {other.cert}" in said, said
    assert "\n" not in said


async def test_a_certificate_for_another_host_is_named(tmp_path: Path) -> None:
    authority = CertificateAuthority(tmp_path / "ca")
    elsewhere = authority.issue("elsewhere", "elsewhere.example", hosts=("elsewhere.example",))
    pki = Pki(authority.cert, elsewhere.cert, elsewhere.key, elsewhere.cert, elsewhere.key)
    for url in _serve(pki, require_client_cert=False):
        cluster = ClusterConfig(name="tls", urls=(url,), ca_file=str(pki.ca), timeout=5)
        with pytest.raises(Unreachable, match="not made out to this host"):
            await _version(cluster)


async def test_plain_http_to_the_tls_port_is_named(https_url: str) -> None:
    plain = https_url.replace("https://", "http://")
    cluster = ClusterConfig(name="tls", urls=(plain,), timeout=5)
    with pytest.raises(Unreachable) as info:
        await _version(cluster)
    assert "speaks HTTPS" in str(info.value) and "use https://" in str(info.value)


async def test_https_to_a_plain_http_port_is_named(pki: Pki) -> None:
    handler = type("Handler", (_Handler,), {"password": None})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        cluster = ClusterConfig(name="plain", urls=(url,), ca_file=str(pki.ca), timeout=5)
        with pytest.raises(Unreachable, match="answers without TLS.*use http://"):
            await _version(cluster)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


async def test_insecure_skips_verification(https_url: str) -> None:
    cluster = ClusterConfig(name="tls", urls=(https_url,), insecure=True, timeout=5)
    assert (await _version(cluster))[0] == "4.1.0"


async def test_mutual_tls_sends_the_client_certificate(pki: Pki, mtls_url: str) -> None:
    cluster = ClusterConfig(
        name="mtls",
        urls=(mtls_url,),
        ca_file=str(pki.ca),
        cert_file=str(pki.client_cert),
        key_file=str(pki.client_key),
        timeout=5,
    )
    assert await _version(cluster) == ("4.1.0", "kctui-client")


async def test_mutual_tls_without_a_certificate_fails(pki: Pki, mtls_url: str) -> None:
    cluster = ClusterConfig(name="mtls", urls=(mtls_url,), ca_file=str(pki.ca), timeout=5)
    with pytest.raises(Unreachable) as info:
        await _version(cluster)
    assert info.value.status is None and mtls_url in str(info.value)
    assert "client certificate" in str(info.value)


async def test_basic_auth_over_tls(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n", encoding="utf-8")
    for url in _serve(pki, require_client_cert=False, password="s3cret"):
        good = ClusterConfig(
            name="auth", urls=(url,), ca_file=str(pki.ca), username="ops",
            password_file=str(secret), timeout=5,
        )  # fmt: skip
        assert (await _version(good))[0] == "4.1.0"
        monkeypatch.setenv("KCTUI_TEST_WRONG_PW", "nope")
        bad = ClusterConfig(
            name="auth", urls=(url,), ca_file=str(pki.ca), username="ops",
            password_env="KCTUI_TEST_WRONG_PW", timeout=5,
        )  # fmt: skip
        with pytest.raises(AuthError) as info:
            await _version(bad)
        said = str(info.value)
        assert said.startswith("cluster 'auth': ") and "HTTP 401" in said, said
        assert "user 'ops'" in said and "environment variable KCTUI_TEST_WRONG_PW" in said
        assert "nope" not in said and "s3cret" not in said
        nobody = ClusterConfig(name="auth", urls=(url,), ca_file=str(pki.ca), timeout=5)
        with pytest.raises(AuthError, match="HTTP 401.*set username"):
            await _version(nobody)


async def test_the_test_ca_passes_the_strict_checks(pki: Pki, https_url: str) -> None:
    # tls_strict = true asks for VERIFY_X509_STRICT on every Python (3.13 sets it by default).
    cluster = ClusterConfig(
        name="tls", urls=(https_url,), ca_file=str(pki.ca), tls_strict=True, timeout=5
    )
    assert await _version(cluster) == ("4.1.0", "")


async def test_a_legacy_ca_fails_the_strict_checks_in_words(legacy_pki: Pki) -> None:
    for url in _serve(legacy_pki, require_client_cert=False):
        strict = ClusterConfig(
            name="corp", urls=(url,), ca_file=str(legacy_pki.ca), tls_strict=True, timeout=5
        )
        with pytest.raises(Unreachable) as info:
            await _version(strict)
        said = str(info.value)
        # OpenSSL names the first check the legacy CA fails, in its own words.
        faults = ("(Basic Constraints of CA cert not marked critical)",
                  "(CA cert does not include key usage extension)")  # fmt: skip
        assert any(f"strict X.509 checks {fault}" in said for fault in faults), said
        assert "tls_strict = false" in said


async def test_tls_strict_false_clears_only_the_strict_checks(legacy_pki: Pki, pki: Pki) -> None:
    for url in _serve(legacy_pki, require_client_cert=False):
        relaxed = ClusterConfig(
            name="corp", urls=(url,), ca_file=str(legacy_pki.ca), tls_strict=False, timeout=5
        )
        assert (await _version(relaxed))[0] == "4.1.0"
        # Verification itself stays on: another CA's certificate is still refused.
        other_ca = ClusterConfig(
            name="corp", urls=(url,), ca_file=str(pki.ca), tls_strict=False, timeout=5
        )
        with pytest.raises(Unreachable, match="TLS failed"):
            await _version(other_ca)


def test_tls_strict_sets_and_clears_the_flag_on_the_context(pki: Pki) -> None:
    def flags(strict: bool | None) -> int:
        cluster = ClusterConfig(name="tls", urls=("https://127.0.0.1:1",), ca_file=str(pki.ca),
                                tls_strict=strict)  # fmt: skip
        context = ssl_setting(cluster)
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        return context.verify_flags & ssl.VERIFY_X509_STRICT

    assert flags(True) and not flags(False)
    default = ssl.create_default_context().verify_flags & ssl.VERIFY_X509_STRICT
    assert flags(None) == default  # Python's own choice (set from 3.13)
