"""Typed errors of the Connect client, each with a message an operator can act on.

Every error carries the HTTP ``status`` (None when no answer came), Connect's
``error_code`` and its own ``detail`` text (the ``message`` field of Connect's JSON error
body), and the ``url`` that was asked. ``str(error)`` (also ``error.message``) is the one
line the CLI and the console show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kctui.errors import KctuiError

# Connect answers 409 with one of these while the group rebalances (see the reference).
REBALANCE_MARKERS = (
    "rebalance",
    "no known leader",
    "conflicting operation",
    "stale configuration",
)


class ConnectError(KctuiError):
    """A request to the Connect REST API failed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: int | None = None,
        detail: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.url = url


class ReadOnlyError(ConnectError):
    """A mutating request was refused locally because the cluster is read-only."""


class RebalanceInProgress(ConnectError):
    """Connect kept answering 409 because the cluster is rebalancing."""


class NotFound(ConnectError):
    """404: unknown connector, task, plugin or logger."""


class Conflict(ConnectError):
    """409 that is not a rebalance, e.g. a connector with that name already exists."""


class BadRequest(ConnectError):
    """400/422 (or another 4xx): Connect refused the request as it was sent."""


class AuthError(ConnectError):
    """401 (authentication failed) or 403 (forbidden)."""


class ServerError(ConnectError):
    """5xx with a Connect error body, e.g. 500 "Request timed out"."""


class Unreachable(ConnectError):
    """No worker URL could be reached (refused, DNS failure, TLS failure, connect timeout)."""


class RequestTimeout(ConnectError):
    """A worker accepted the connection but did not answer in time."""


class BadResponse(ConnectError):
    """The answer was not what Connect sends (HTML from a proxy, broken JSON...)."""


class Unsupported(ConnectError):
    """The cluster's Kafka version is too old for the feature."""


def is_rebalance_message(text: str | None) -> bool:
    """True when a 409 message says the cluster is rebalancing (or momentarily busy)."""
    lowered = (text or "").lower()
    return any(marker in lowered for marker in REBALANCE_MARKERS)


def decode_answer(
    method: str,
    url: str,
    status: int,
    content_type: str,
    raw: bytes,
    reason: str = "",
    loads: Callable[[bytes], Any] = json.loads,
) -> Any:
    """An HTTP answer's JSON (None when empty), or the typed error it stands for.

    ``loads`` decodes a successful answer's body (json.loads, or a typed decoder that
    raises ValueError on broken JSON); error bodies are always read with json.loads."""
    if status in (401, 403):
        word = "authentication failed" if status == 401 else "forbidden"
        hint = "check username and password" if status == 401 else "the user lacks rights"
        raise AuthError(f"{method} {url}: {word} (HTTP {status}; {hint})", status=status, url=url)
    data = _json_body(url, status, content_type, raw, loads if status < 300 else json.loads)
    if status < 300:
        return data
    error_code = data.get("error_code") if isinstance(data, dict) else None
    message = data.get("message") if isinstance(data, dict) else None
    detail = str(message) if message is not None else (reason or f"HTTP {status}")
    text = f"{method} {url}: {detail} (HTTP {status})"
    fields: dict[str, Any] = {
        "status": status,
        "error_code": error_code if isinstance(error_code, int) else None,
        "detail": detail,
        "url": url,
    }
    if status == 404:
        raise NotFound(text, **fields)
    if status == 409:
        if is_rebalance_message(detail):
            raise RebalanceInProgress("cluster is rebalancing: " + text, **fields)
        raise Conflict(text, **fields)
    if status == 500 and "rebalance is expected" in detail.lower():
        # Seen on 4.3 while a worker joins: "Request cannot be completed because a
        # rebalance is expected". Retried like a 409.
        raise RebalanceInProgress("cluster is rebalancing: " + text, **fields)
    if status >= 500:
        raise ServerError(text, **fields)
    raise BadRequest(text, **fields)


def _json_body(
    url: str, status: int, content_type: str, raw: bytes, loads: Callable[[bytes], Any]
) -> Any:
    """The JSON body, None when empty; BadResponse for anything that is not JSON."""
    if not raw.strip():
        return None
    kind = content_type.split(";")[0].strip().lower()
    if "json" in kind or (not kind and raw.lstrip()[:1] in (b"{", b"[")):
        try:
            return loads(raw)
        except ValueError as exc:
            problem = f"broken JSON from {url}: {exc}"
            raise BadResponse(problem, status=status, url=url, detail=problem) from exc
    text = raw[:400].decode("utf-8", errors="replace")
    snippet = " ".join(text.split())[:80]
    problem = f"expected JSON from {url}, got {kind or 'no content type'}: {snippet}"
    raise BadResponse(
        f"{problem} (HTTP {status}; a proxy or the wrong URL?)",
        status=status,
        url=url,
        detail=problem,
    )
