"""Sending requests to a Connect cluster's workers (httpx): failover, rebalance retries and
the read-only door; :mod:`kctui.connect.client` builds the REST API on it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from kctui.connect.errors import (
    AuthError,
    BadResponse,
    ConnectError,
    ReadOnlyError,
    RebalanceInProgress,
    RequestTimeout,
    Unreachable,
    decode_answer,
)
from kctui.connect.retries import (
    RetryListener,
    RetryNotice,
    backoff_delay,
    planned_attempts,
    report_retry,
)
from kctui.connect.transport import auth_failure, client_settings, transport_reason, wrong_scheme
from kctui.settings import ClusterConfig, ConfigError

MUTATING_METHODS = frozenset({"PUT", "POST", "PATCH", "DELETE"})
PROXY_STATUSES = frozenset({502, 503, 504})


T = TypeVar("T")
# Answers this large are decoded (and a cluster's parsed) off the event loop.
LARGE_ANSWER_BYTES = 256 * 1024


class _ConnectionLost(Unreachable):
    """The connection broke after the request may have been sent."""


@dataclass(frozen=True)
class _Answer:
    status: int
    data: Any
    url: str


class Requester:
    """How a request reaches one of a cluster's workers: failover between them, retries while
    the cluster rebalances (409), large answers decoded off the event loop, and ``_mutate``, the
    one door of every PUT/POST/PATCH/DELETE, refused in read-only mode. The base of
    :class:`~kctui.connect.client.ConnectClient`, which says what each REST call means."""

    def __init__(
        self,
        cluster: ClusterConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_total_seconds: float = 15.0,
        retry_base_delay: float = 0.25,
        retry_max_delay: float = 2.0,
        offload_large_answers: bool = True,
    ) -> None:
        if not cluster.urls:
            raise ConfigError(f"cluster '{cluster.name}' has no Connect REST URL")
        self.cluster = cluster
        self.urls = tuple(u.rstrip("/") for u in cluster.urls)
        self.retry_total_seconds = retry_total_seconds
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self.offload_large_answers = offload_large_answers
        # Told of each 409 retry of a mutating request made outside a retry_listener block
        # (the console sets it, so no request waits silently).
        self.on_retry: RetryListener | None = None
        self._preferred = 0
        self._http = httpx.AsyncClient(transport=transport, **client_settings(cluster))

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def read_only(self) -> bool:
        return self.cluster.read_only

    @property
    def planned_attempts(self) -> int:
        """Attempts a request gets while the cluster rebalances (409), first one included."""
        return planned_attempts(
            self.retry_total_seconds, self.retry_base_delay, self.retry_max_delay
        )

    @property
    def current_url(self) -> str:
        """The worker URL that answered last (or will be tried first)."""
        return self.urls[self._preferred]

    # ------------------------------------------------------------------ transport

    async def _get(
        self, path: str, params: Any = None, loads: Callable[[bytes], Any] = json.loads
    ) -> _Answer:
        return await self._request("GET", path, params=params, loads=loads)

    async def _mutate(
        self, method: str, path: str, *, params: Any = None, body: Any = None
    ) -> _Answer:
        """The one door for PUT/POST/PATCH/DELETE: refused here when read-only."""
        self._refuse_if_read_only(method, path)
        return await self._request(method, path, params=params, body=body)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        loads: Callable[[bytes], Any] = json.loads,
    ) -> _Answer:
        """Send with failover between workers, retrying 409-while-rebalancing with backoff."""
        if method in MUTATING_METHODS and self.read_only:  # defence in depth
            raise ReadOnlyError(f"cluster '{self.cluster.name}' is read-only: refused {method}")
        deadline = time.monotonic() + self.retry_total_seconds
        attempt = 0
        while True:
            try:
                return await self._send_any(method, path, params, body, loads)
            except RebalanceInProgress as exc:
                delay = backoff_delay(attempt, self.retry_base_delay, self.retry_max_delay)
                attempt += 1
                if time.monotonic() + delay > deadline:
                    raise RebalanceInProgress(
                        f"cluster is rebalancing: {method} {exc.url} still answered "
                        f"{exc.status} after {attempt} attempts ({exc.detail})",
                        status=exc.status,
                        error_code=exc.error_code,
                        detail=exc.detail,
                        url=exc.url,
                    ) from exc
                report_retry(
                    RetryNotice(
                        attempt=attempt + 1,
                        attempts=max(attempt + 1, self.planned_attempts),
                        reason="cluster rebalancing",
                        method=method,
                        url=exc.url or path,
                        delay=delay,
                    ),
                    self.on_retry if method in MUTATING_METHODS else None,
                )
                await asyncio.sleep(delay)

    async def _send_any(
        self, method: str, path: str, params: Any, body: Any, loads: Callable[[bytes], Any]
    ) -> _Answer:
        failures: list[tuple[str, ConnectError]] = []
        count = len(self.urls)
        for step in range(count):
            index = (self._preferred + step) % count
            url = self.urls[index] + path
            try:
                answer = await self._send_one(method, url, params, body, loads)
            except (Unreachable, RequestTimeout, BadResponse) as exc:
                if not self._may_fail_over(method, exc):
                    raise
                failures.append((self.urls[index], exc))
                continue
            self._preferred = index
            return answer
        if len(failures) == 1:
            raise failures[0][1]
        last = failures[-1][1]
        summary = "; ".join(f"{base}: {exc.detail or exc}" for base, exc in failures)
        raise type(last)(
            f"no Connect worker answered {method} {path} ({summary})",
            status=last.status,
            url=last.url,
            detail=summary,
        )

    @staticmethod
    def _may_fail_over(method: str, exc: ConnectError) -> bool:
        """Another worker may be tried when this one surely did not act on the request."""
        if method not in MUTATING_METHODS:
            return isinstance(exc, Unreachable | RequestTimeout) or exc.status in PROXY_STATUSES
        if isinstance(exc, _ConnectionLost):
            return False
        return isinstance(exc, Unreachable) or exc.status in (502, 503)

    async def _send_one(
        self,
        method: str,
        url: str,
        params: Any,
        body: Any,
        loads: Callable[[bytes], Any] = json.loads,
    ) -> _Answer:
        try:
            response = await self._http.request(method, url, params=params, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            reason = transport_reason(exc, ca_file=self.cluster.ca_file)
            raise Unreachable(
                f"cannot reach Kafka Connect at {url}: {reason}", url=url, detail=reason
            ) from exc
        except httpx.TimeoutException as exc:
            raise RequestTimeout(
                f"{method} {url}: no answer within {self.cluster.timeout:g} s",
                url=url,
                detail=f"no answer within {self.cluster.timeout:g} s",
            ) from exc
        except (httpx.TransportError, OSError) as exc:  # ssl.SSLError can escape httpx
            reason = transport_reason(exc, ca_file=self.cluster.ca_file)
            scheme = await asyncio.to_thread(wrong_scheme, url, exc)
            if scheme:
                raise Unreachable(
                    f"cannot reach Kafka Connect at {url}: {scheme}", url=url, detail=scheme
                ) from exc
            if "closed the connection" in reason and url.startswith("https:"):
                if not self.cluster.cert_file:
                    reason += " (a TLS worker that wants a client certificate does this: "
                    reason += "set cert_file/key_file)"
            text = f"{method} {url} failed: {reason}"
            if method in MUTATING_METHODS:
                text += "; the request may or may not have been applied"
            raise _ConnectionLost(text, url=url, detail=reason) from exc
        try:
            data = await self._cpu_bound(
                len(response.content) >= LARGE_ANSWER_BYTES,
                decode_answer,
                method,
                url,
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
                response.reason_phrase,
                loads,
            )
        except AuthError as exc:
            raise auth_failure(self.cluster, method, url, exc) from None
        return _Answer(response.status_code, data, url)

    async def _cpu_bound(self, large: bool, function: Callable[..., T], *args: Any) -> T:
        """Run ``function`` in a thread when its input is large, so the caller's event loop
        (the console's) keeps drawing while a big cluster's answer is decoded and parsed
        (the typed decoder of ``kctui.connect.wire`` lets go of the GIL between connectors)."""
        if large and self.offload_large_answers:
            return await asyncio.to_thread(function, *args)
        return function(*args)

    def _refuse_if_read_only(self, method: str, path: str) -> None:
        """Raise ReadOnlyError in read-only mode (also called before a version check's GET)."""
        if self.read_only:
            raise ReadOnlyError(
                f"cluster '{self.cluster.name}' is read-only: refused {method} {path}",
                url=self.current_url + path,
            )
