"""Read one worker's metrics over HTTP: a Prometheus ``/metrics`` page or a Jolokia agent.

Auth and TLS are the REST client's (:mod:`kctui.connect.transport`): basic auth, a bearer
token, secrets from env or file, CA bundle, client certificate, explicit ``insecure``.
Blocking (httpx.Client): the UI calls it from a thread worker. Nothing here raises for a
bad endpoint: the answer becomes a :class:`WorkerSnapshot` whose ``error`` names the
source and the reason.
"""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import httpx

from kctui import __version__
from kctui.connect.transport import http_auth, ssl_setting, transport_reason, wrong_scheme
from kctui.masking import mask_urls
from kctui.metrics import catalog, jolokia, prometheus
from kctui.metrics.model import WorkerSnapshot
from kctui.metrics.parse import JmxError, build_worker_snapshot
from kctui.settings import ConfigError, MetricsEndpoint

MAX_PAGE_BYTES = 64 * 1024 * 1024  # a page of 800 tasks is ~6 MB; more is not an exporter


class SourceError(JmxError):
    """An HTTP metrics source did not answer usefully."""


def make_client(
    endpoint: MetricsEndpoint,
    timeout: float,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client with the endpoint's auth and TLS (secrets read now, never logged)."""
    password = endpoint.password(env) if endpoint.username else None
    token = None if endpoint.username else endpoint.token(env)
    return httpx.Client(
        auth=http_auth(endpoint.username, password, token),
        verify=ssl_setting(endpoint),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        headers={"User-Agent": f"kctui/{__version__}", "Accept-Encoding": "gzip"},
        follow_redirects=False,
        transport=transport,
    )


def _status_error(response: httpx.Response) -> SourceError:
    code = response.status_code
    if code == 401:
        return SourceError("401 unauthorized: check username/password or token")
    if code == 403:
        return SourceError("403 forbidden: the credentials are not allowed to read metrics")
    if code == 404:
        return SourceError("404 not found: check the URL path (/metrics, /jolokia/)")
    if 300 <= code < 400:
        where = response.headers.get("location", "?")
        return SourceError(f"redirected ({code}) to {where}: put that URL in the config")
    return SourceError(f"HTTP {code} {response.reason_phrase}".strip())


def _body(response: httpx.Response, limit: int) -> bytes:
    """The body, at most ``limit`` bytes (decoded by httpx when it says gzip)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise SourceError(
                f"page larger than {limit // (1024 * 1024)} MB: not read (an exporter "
                "without rules? restrict it to kafka.connect MBeans)"
            )
        chunks.append(chunk)
    data = b"".join(chunks)
    if data[:2] == b"\x1f\x8b":  # gzip without Content-Encoding (a .gz served as is)
        try:
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = decompressor.decompress(data, limit + 1)
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise SourceError(f"gzip body that cannot be unpacked: {exc}") from exc
        if len(data) > limit or decompressor.unconsumed_tail:
            raise SourceError(f"page larger than {limit // (1024 * 1024)} MB once unpacked")
    return data


def _exchange(client: httpx.Client, method: str, url: str, limit: int, **kwargs: Any) -> bytes:
    try:
        with client.stream(method, url, **kwargs) as response:
            if response.status_code != 200:
                raise _status_error(response)
            return _body(response, limit)
    except httpx.TimeoutException:
        raise SourceError(f"no answer within {client.timeout.read or 0:g} s") from None
    except httpx.DecodingError as exc:
        raise SourceError(f"body cannot be decoded ({exc})") from exc
    except httpx.HTTPError as exc:
        raise SourceError(wrong_scheme(url, exc) or transport_reason(exc)) from exc


def fetch_http_worker(
    endpoint: MetricsEndpoint,
    *,
    client: httpx.Client | None = None,
    timeout: float = 10.0,
    connector: str | None = None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.time,
    limit: int | None = None,
) -> WorkerSnapshot:
    """One worker's metrics from one HTTP request; failures become ``error`` text."""
    started = time.monotonic()
    fetched_at = clock()

    def failed(reason: str) -> WorkerSnapshot:
        return WorkerSnapshot(
            endpoint.worker,
            endpoint.url,
            fetched_at,
            elapsed=time.monotonic() - started,
            error=f"{endpoint.source}: {mask_urls(reason)}",
            source=endpoint.source,
        )

    own = client is None
    limit = limit or MAX_PAGE_BYTES
    try:
        http = client or make_client(endpoint, timeout, env)
    except ConfigError as exc:
        return failed(str(exc))
    try:
        if endpoint.source == "prometheus":
            body = _exchange(http, "GET", endpoint.url, limit)
            text = body.decode("utf-8", errors="replace")
            page, notes = prometheus.read_page(text, endpoint.preset, connector)
            records = page.records
            detail = f"preset {page.preset.name}"
        else:
            requests = jolokia.bulk_request(catalog.GROUPS, connector)
            body = _exchange(http, "POST", endpoint.url, limit, json=requests)
            records_list, notes = jolokia.parse_answer(body, requests)
            records = tuple(records_list)
            detail = ""
            if not records:
                raise SourceError("no Kafka Connect MBeans on this JVM (is it a Connect worker?)")
    except JmxError as exc:
        return failed(str(exc))
    except Exception as exc:  # noqa: BLE001 - whatever a worker sends stays its own notice
        return failed(f"{type(exc).__name__}: {exc}")
    finally:
        if own:
            http.close()
    snapshot = build_worker_snapshot(
        endpoint.worker,
        endpoint.url,
        records,
        fetched_at=fetched_at,
        elapsed=time.monotonic() - started,
        notes=tuple(f"{endpoint.source}: {n}" for n in notes),
    )
    snapshot = replace(snapshot, source=endpoint.source, detail=detail)
    # With a connector filter the worker may rightly hold none of its tasks.
    return snapshot if connector is not None else _check_partial(snapshot, endpoint.source)


def _check_partial(snapshot: WorkerSnapshot, source: str) -> WorkerSnapshot:
    """A note when the page lacks groups the worker must have (rules that drop them)."""
    missing = []
    if snapshot.worker_metrics is None:
        missing.append(catalog.WORKER)
    task_count = snapshot.worker_metrics.task_count if snapshot.worker_metrics else None
    if task_count and not snapshot.tasks:
        missing.append("task metrics")
    elif snapshot.tasks and all(t.status is None for t in snapshot.tasks.values()):
        missing.append("task states")
    if not missing:
        return snapshot
    note = f"{source}: only some metrics: {', '.join(missing)} missing (exporter rules?)"
    return replace(snapshot, notes=(*snapshot.notes, note))
