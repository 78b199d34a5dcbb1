"""Why a server cannot be used, found by connecting step by step: for a Kafka broker TCP,
TLS, then the SASL handshake; for any port, whether it speaks TLS.

kafka-python reports most failures only as a bootstrap timeout. Against Kafka 4.3's
SASL_SSL listener a wrong SCRAM password is a closed socket after the last SCRAM message,
retried until the deadline, and a certificate from another CA looks the same. When it gives
up, kctui connects once more itself (blocking, a few seconds at most) and names the first
step that fails, in words. No UI import; the DLQ reader (so the redrive too) and the HTTP
clients (a plain http:// request to a TLS port) call it.
"""

from __future__ import annotations

import socket
import ssl
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

SASL_HANDSHAKE, VERSION_1 = 17, 1
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE = 33, 34
# X.509 verification codes (OpenSSL's X509_V_ERR_*) worth their own words.
CERT_EXPIRED, NAME_MISMATCHES = 10, (62, 64)  # host name, IP address

Kind = Literal["unreachable", "tls", "protocol", "login"]


@dataclass(frozen=True)
class Finding:
    """What failed: ``kind`` says which step, ``text`` says it for a user (no secrets)."""

    kind: Kind
    text: str


def explain(kwargs: Mapping[str, Any], timeout: float = 5.0) -> Finding | None:
    """The first failing step towards the first bootstrap server (kafka-python settings in
    ``kwargs``); None when every step works, so the cause lies elsewhere."""
    servers = kwargs.get("bootstrap_servers") or []
    server = servers if isinstance(servers, str) else (servers[0] if servers else "")
    host, _, port = str(server).rpartition(":")
    if not host or not port.isdigit():
        return None
    protocol = str(kwargs.get("security_protocol") or "PLAINTEXT").upper()
    try:
        sock = socket.create_connection((host, int(port)), timeout=timeout)
    except socket.gaierror:
        return Finding("unreachable", f"{server}: host not found (DNS)")
    except ConnectionRefusedError:
        return Finding("unreachable", f"{server}: connection refused")
    except OSError as exc:
        return Finding("unreachable", f"{server}: {exc.strerror or 'no answer'}")
    with sock:
        if protocol.endswith("SSL"):
            wrapped, finding = _tls(sock, host, server, kwargs)
            if wrapped is None:
                return finding
            sock = wrapped
        finding = _sasl(sock, server, protocol, kwargs)
    if (finding is None or finding.kind == "protocol") and not protocol.endswith("SSL"):
        if speaks_tls(host, int(port), timeout):
            return Finding(
                "protocol", f"the listener at {server} speaks TLS: set security_protocol = "
                f"{'SASL_SSL' if protocol.startswith('SASL') else 'SSL (or SASL_SSL)'}"
            )  # fmt: skip
    return finding


def speaks_tls(host: str, port: int, timeout: float = 5.0) -> bool:
    """True when ``host:port`` completes a TLS handshake (its certificate unchecked: this
    only asks which protocol the port speaks)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host):
                return True
    except OSError:  # ssl.SSLError included
        return False


def _tls(
    sock: socket.socket, host: str, server: str, kwargs: Mapping[str, Any]
) -> tuple[ssl.SSLSocket | None, Finding | None]:
    """The TLS handshake as kafka-python makes it (same CA, client certificate, host check)."""
    cafile = kwargs.get("ssl_cafile")
    try:
        context = ssl.create_default_context(cafile=cafile)
        if kwargs.get("ssl_certfile"):
            context.load_cert_chain(
                kwargs["ssl_certfile"], kwargs.get("ssl_keyfile"), kwargs.get("ssl_password")
            )
    except (OSError, ssl.SSLError) as exc:
        return None, Finding("tls", f"cannot load the TLS files (ssl_cafile, ssl_certfile): {exc}")
    context.check_hostname = bool(kwargs.get("ssl_check_hostname", True))
    trusted = f"the CA in ssl_cafile {Path(cafile)}" if cafile else "the system's CAs"
    try:
        return context.wrap_socket(sock, server_hostname=host), None
    except ssl.SSLCertVerificationError as exc:
        if exc.verify_code in NAME_MISMATCHES:
            why = f"its certificate is not made out to {host}"
        elif exc.verify_code == CERT_EXPIRED:
            why = "its certificate has expired"
        else:
            why = f"its certificate is not signed by {trusted} ({exc.verify_message})"
        return None, Finding("tls", f"TLS failed with {server}: {why}")
    except ssl.SSLError as exc:
        words = exc.reason or exc.strerror or str(exc)
        return None, Finding(
            "tls", f"TLS failed with {server} ({words}): is it a TLS listener? "
            "security_protocol SSL and SASL_SSL need one; PLAINTEXT and SASL_PLAINTEXT do not"
        )  # fmt: skip
    except OSError:
        return None, Finding(
            "tls", f"{server} closed the connection during the TLS handshake (it may want a "
            "client certificate: ssl_certfile/ssl_keyfile)"
        )  # fmt: skip


def _sasl(
    sock: socket.socket, server: str, protocol: str, kwargs: Mapping[str, Any]
) -> Finding | None:
    """Ask the listener which SASL mechanisms it offers (SaslHandshake v1, allowed before any
    login); a non-SASL listener answers ILLEGAL_SASL_STATE."""
    mechanism = str(kwargs.get("sasl_mechanism") or "PLAIN").upper()
    try:
        error, offered = _sasl_handshake(sock, mechanism)
    except (OSError, ValueError):
        if protocol.startswith("SASL"):
            return Finding(
                "protocol", f"{server} did not answer a SASL handshake: is it a "
                f"{protocol} listener?"
            )  # fmt: skip
        return None
    wants_sasl = error != ILLEGAL_SASL_STATE
    if not protocol.startswith("SASL"):
        if wants_sasl:
            return Finding(
                "protocol", f"the listener at {server} wants a SASL login (it offers "
                f"{', '.join(offered)}): set security_protocol = SASL_"
                f"{'SSL' if protocol == 'SSL' else 'PLAINTEXT'} and the sasl_* keys"
            )  # fmt: skip
        return None
    if not wants_sasl:
        return Finding(
            "protocol", f"the listener at {server} takes no SASL login: set security_protocol "
            f"= {'SSL' if protocol == 'SASL_SSL' else 'PLAINTEXT'}"
        )  # fmt: skip
    if error == UNSUPPORTED_SASL_MECHANISM or mechanism not in offered:
        return Finding(
            "protocol", f"the listener at {server} offers the SASL mechanisms "
            f"{', '.join(offered) or '(none)'}, not {mechanism}: set sasl_mechanism"
        )  # fmt: skip
    user = kwargs.get("sasl_plain_username") or "(no sasl_username)"
    return Finding(
        "login", f"{server} refused the {mechanism} login of user '{user}' (the connection, "
        "TLS and the SASL handshake work): check sasl_username and the password"
    )  # fmt: skip


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack(">h", len(data)) + data


def _sasl_handshake(sock: socket.socket, mechanism: str) -> tuple[int, list[str]]:
    """Send SaslHandshake v1 and read its answer: (error code, mechanisms offered)."""
    correlation_id = 1
    body = struct.pack(">hhi", SASL_HANDSHAKE, VERSION_1, correlation_id)
    body += _string("kctui-probe") + _string(mechanism)
    sock.sendall(struct.pack(">i", len(body)) + body)
    (size,) = struct.unpack(">i", _read(sock, 4))
    if not 6 <= size <= 65536:
        raise ValueError(f"not a Kafka answer (size {size})")
    answer = _read(sock, size)
    got_id, error, count = struct.unpack(">ihi", answer[:10])
    if got_id != correlation_id:
        raise ValueError("not the answer to our request")
    offered, at = [], 10
    for _ in range(max(count, 0)):
        (length,) = struct.unpack(">h", answer[at : at + 2])
        offered.append(answer[at + 2 : at + 2 + length].decode("utf-8", errors="replace"))
        at += 2 + length
    return error, offered


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("closed by the broker")
        data += chunk
    return data
