"""How the Connect client talks HTTP: auth, TLS and timeouts for httpx, and why a
connection failed, in words. No UI import; used by :mod:`kctui.connect.client`."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Generator
from pathlib import Path
from typing import Any, Protocol

import httpx

from kctui import __version__
from kctui.connect.errors import AuthError
from kctui.settings import ClusterConfig, ConfigError


class TlsOptions(Protocol):
    """What :func:`ssl_setting` reads: a cluster's REST settings or a metrics endpoint."""

    @property
    def name(self) -> str: ...
    @property
    def ca_file(self) -> str | None: ...
    @property
    def cert_file(self) -> str | None: ...
    @property
    def key_file(self) -> str | None: ...
    @property
    def insecure(self) -> bool: ...
    @property
    def tls_strict(self) -> bool | None: ...


# What OpenSSL says when a certificate fails only the strict X.509 checks that Python 3.13
# turns on by default (VERIFY_X509_STRICT): CAs made before those rules were common fail them.
STRICT_X509_FAILURES = (
    "ca cert does not include key usage extension",
    "basic constraints of ca cert not marked critical",
    "missing authority key identifier",
    "missing subject key identifier",
    "authority key identifier marked critical",
    "subject key identifier marked critical",
    "empty subject alternative name extension",
    "path length given without key usage keycertsign",
    "path length invalid for non-ca cert",
    "key usage keycertsign invalid for non-ca cert",
    "issuer name empty",
    "subject name empty",
    "certificate public key has explicit ecc parameters",
    "using cert extension requires at least x509v3",
)


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``; the token never appears in a repr."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


def http_auth(
    username: str | None, password: str | None, token: str | None = None
) -> httpx.Auth | None:
    """Basic auth when a username is set, else a bearer token when one is, else none."""
    if username:
        return httpx.BasicAuth(username, password or "")
    if token:
        return BearerAuth(token)
    return None


def ssl_setting(cluster: TlsOptions) -> ssl.SSLContext | bool:
    """httpx's ``verify``: True (httpx's default CAs), or a context with the CA bundle, client
    certificate, the strict X.509 checks as ``tls_strict`` says (None: Python's default, on
    from 3.13) and, only when ``insecure`` is set, verification turned off."""
    strict = cluster.tls_strict
    if not (cluster.ca_file or cluster.cert_file or cluster.insecure or strict is not None):
        return True
    where = f"cluster '{cluster.name}'" if isinstance(cluster, ClusterConfig) else str(cluster.name)
    try:
        ca_file = str(Path(cluster.ca_file).expanduser()) if cluster.ca_file else None
        if ca_file is None:
            import certifi  # httpx's own default bundle, so only the flags differ

            ca_file = certifi.where()
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
    if strict is True:
        context.verify_flags |= ssl.VERIFY_X509_STRICT
    elif strict is False:  # only the strict extension checks go; the chain is still verified
        context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    if cluster.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def client_settings(cluster: ClusterConfig) -> dict[str, Any]:
    """Keyword arguments for ``httpx.AsyncClient``: auth, TLS, timeouts, headers."""
    password = cluster.rest_password() if cluster.username else None
    return {
        "auth": http_auth(cluster.username, password),
        "verify": ssl_setting(cluster),
        "timeout": httpx.Timeout(cluster.timeout, connect=min(cluster.timeout, 5.0)),
        "headers": {"Accept": "application/json", "User-Agent": f"kctui/{__version__}"},
        "follow_redirects": False,
    }


# OpenSSL's reasons when a TLS client meets a server that answers in plain text.
NOT_TLS_REASONS = {"WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE"}
# X.509 verification codes (OpenSSL's X509_V_ERR_*) worth their own words.
CERT_EXPIRED, NAME_MISMATCHES = 10, (62, 64)  # host name, IP address


def _verify_failure(error: ssl.SSLCertVerificationError, ca_file: str | None) -> str:
    """A certificate the client refused, in words: which check failed and what to do."""
    said = error.verify_message or str(error)
    if error.verify_code in NAME_MISMATCHES:
        return f"TLS failed: the worker's certificate is not made out to this host ({said})"
    if error.verify_code == CERT_EXPIRED:
        return f"TLS failed: the worker's certificate has expired ({said})"
    trusted = f"the CA in ca_file {ca_file}" if ca_file else "a CA of the system's store"
    return (
        f"TLS failed: the worker's certificate is not signed by {trusted} ({said}); check "
        "ca_file, or set insecure = true to skip verification"
    )


def wrong_scheme(url: str, exc: Exception, timeout: float = 3.0) -> str | None:
    """For an ``http://`` request that failed at the protocol level, whether the port speaks
    TLS (one more connection, blocking): then the URL should say ``https://``."""
    if not url.startswith("http://"):
        return None
    if not isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return None
    from kctui.probe import speaks_tls

    parsed = httpx.URL(url)
    port = parsed.port or 80
    if speaks_tls(parsed.host, port, timeout):
        return (
            f"{parsed.host}:{port} speaks HTTPS, and a plain HTTP request gets no answer there: "
            "use https:// in the URL"
        )
    return None


def transport_reason(exc: Exception, *, ca_file: str | None = None) -> str:
    """Why a connection failed, in words (looks through the chain of causes); ``ca_file`` is
    the CA bundle the client trusted, named when a certificate was refused."""
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
    said = " ".join(str(c) for c in causes)
    lowered = said.lower()
    if "certificate required" in lowered:
        return f"TLS failed ({text}); the worker wants a client certificate: set cert_file/key_file"
    at = min((i for i in map(lowered.find, STRICT_X509_FAILURES) if i >= 0), default=-1)
    if at >= 0:  # OpenSSL's own words, as it wrote them
        failure = said[at:].split(" (_ssl", 1)[0].split(" (", 1)[0].rstrip(") ")
        return (
            f"TLS failed: the certificate chain fails the strict X.509 checks ({failure}), "
            "which Python 3.13+ applies by default; reissue the CA with keyUsage and a critical "
            "basicConstraints, or set tls_strict = false (the chain is still verified)"
        )
    refused = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
    if refused is not None:
        return _verify_failure(refused, ca_file)
    if any(isinstance(c, ssl.SSLError) and c.reason in NOT_TLS_REASONS for c in causes):
        return (
            "TLS failed: the port answers without TLS (plain HTTP?): use http:// in the URL, "
            "or the worker's HTTPS port"
        )
    if any(isinstance(c, ssl.SSLError) for c in causes) or "certificate" in lowered:
        return f"TLS failed ({text}); check ca_file, or set insecure = true to skip verification"
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in lowered:
        return "connection refused"
    dns_words = ("name or service not known", "nodename nor servname", "name resolution")
    if any(isinstance(c, socket.gaierror) for c in causes) or any(w in lowered for w in dns_words):
        return "host not found (DNS)"
    return text


def password_source(cluster: ClusterConfig) -> str:
    """Where the REST password comes from, for error messages (never the password)."""
    if cluster.password_file:
        return f"the password in password_file {cluster.password_file}"
    if cluster.password_env:
        return f"the password in environment variable {cluster.password_env}"
    if cluster.password is not None:
        return "the password of the kcctl context"
    return "set password_file or password_env (no password is set)"


def auth_failure(cluster: ClusterConfig, method: str, url: str, error: AuthError) -> AuthError:
    """A 401 or 403 that names the cluster, the user and where the password came from."""
    who = f"user '{cluster.username}'" if cluster.username else "no user"
    if error.status == 401:
        hint = (
            f"check username and {password_source(cluster)}"
            if cluster.username
            else "the worker wants a user: set username and password_file or password_env"
        )
        word = f"authentication failed for {who} (HTTP 401 Unauthorized): {hint}"
    else:
        word = f"forbidden for {who} (HTTP 403 Forbidden): the user lacks rights"
    return AuthError(
        f"cluster '{cluster.name}': {method} {url}: {word}",
        status=error.status,
        url=url,
        detail=word,
    )
