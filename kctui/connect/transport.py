"""How the Connect client talks HTTP: auth, TLS and timeouts for httpx, and why a
connection failed, in words. No UI import; used by :mod:`kctui.connect.client`."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from typing import Any, Protocol

import httpx

from kctui import __version__
from kctui.config import ClusterConfig, ConfigError


class TlsFiles(Protocol):
    """The TLS choices an HTTP endpoint of kctui's config offers (REST, Schema Registry...)."""

    @property
    def ca_file(self) -> str | None: ...
    @property
    def cert_file(self) -> str | None: ...
    @property
    def key_file(self) -> str | None: ...
    @property
    def insecure(self) -> bool: ...


def ssl_setting(cluster: TlsFiles, where: str | None = None) -> ssl.SSLContext | bool:
    """httpx's ``verify``: True (system CAs), or a context with the CA bundle, client
    certificate and, only when ``insecure`` is set, verification turned off."""
    if not (cluster.ca_file or cluster.cert_file or cluster.insecure):
        return True
    where = where or f"cluster '{getattr(cluster, 'name', '?')}'"
    try:
        ca_file = str(Path(cluster.ca_file).expanduser()) if cluster.ca_file else None
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{where}: cannot load ca_file {cluster.ca_file}: {exc}") from exc
    if cluster.cert_file:
        cert = str(Path(cluster.cert_file).expanduser())
        key = str(Path(cluster.key_file).expanduser()) if cluster.key_file else None
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"{where}: cannot load cert_file {cluster.cert_file}"
                + (f" / key_file {cluster.key_file}" if cluster.key_file else "")
                + f": {exc}"
            ) from exc
    if cluster.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def client_settings(cluster: ClusterConfig) -> dict[str, Any]:
    """Keyword arguments for ``httpx.AsyncClient``: auth, TLS, timeouts, headers."""
    auth = None
    if cluster.username:
        auth = httpx.BasicAuth(cluster.username, cluster.rest_password() or "")
    return {
        "auth": auth,
        "verify": ssl_setting(cluster),
        "timeout": httpx.Timeout(cluster.timeout, connect=min(cluster.timeout, 5.0)),
        "headers": {"Accept": "application/json", "User-Agent": f"kctui/{__version__}"},
        "follow_redirects": False,
    }


def transport_reason(exc: Exception) -> str:
    """Why a connection failed, in words (looks through the chain of causes)."""
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(causes) < 10:
        causes.append(current)
        current = current.__cause__ or current.__context__
    text = str(exc).strip()
    if not text and isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError):
        return "the worker closed the connection before answering"
    text = text or type(exc).__name__
    lowered = " ".join(str(c) for c in causes).lower()
    if "certificate required" in lowered:
        return f"TLS failed ({text}); the worker wants a client certificate: set cert_file/key_file"
    if any(isinstance(c, ssl.SSLError) for c in causes) or "certificate" in lowered:
        return f"TLS failed ({text}); check ca_file, or set insecure = true to skip verification"
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in lowered:
        return "connection refused"
    dns_words = ("name or service not known", "nodename nor servname", "name resolution")
    if any(isinstance(c, socket.gaierror) for c in causes) or any(w in lowered for w in dns_words):
        return "host not found (DNS)"
    return text
