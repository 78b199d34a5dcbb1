"""ConnectClient against a real local HTTPS server: CA bundle, default verification,
``insecure``, mutual TLS and basic auth (certificates made with the openssl CLI)."""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kctui.config import ClusterConfig
from kctui.connect.client import ConnectClient
from kctui.connect.errors import AuthError, Unreachable


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=kctui test CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=d)  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "kctui-client")):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)  # fmt: skip
        extra = ["-extfile", "san.ext"] if name == "server" else []
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "2", "-out", f"{name}.pem", *extra, cwd=d)  # fmt: skip
    return Pki(d / "ca.pem", d / "server.pem", d / "server.key", d / "client.pem", d / "client.key")


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
    with pytest.raises(Unreachable, match="TLS failed .*ca_file.*insecure"):
        await _version(cluster)


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
        with pytest.raises(AuthError, match="authentication failed"):
            await _version(bad)
