"""Runtime log levels (KIP-495/KIP-976): levels per worker, a connector's package, revert."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from msgspec.structs import replace

from kctui.connect.errors import ConnectError, NotFound
from kctui.connect.protocol import ConnectApi

LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF")
ROOT = "root"


@dataclass(frozen=True)
class WorkerLoggers:
    """One worker's answer to ``GET /admin/loggers`` (or why it gave none)."""

    url: str
    levels: Mapping[str, str]
    error: str | None = None


def package_of(connector_class: str) -> str:
    """The logger of a connector's classes: its package (``org.apache.kafka.connect.file``)."""
    head, dot, _ = connector_class.strip().rpartition(".")
    return head if dot else connector_class.strip()


def worker_urls(configured: Sequence[str], worker_ids: Sequence[str]) -> list[str]:
    """The configured URLs, plus ``scheme://worker_id`` for workers seen in the status."""
    urls = [u.rstrip("/") for u in configured]
    scheme = urls[0].split("://", 1)[0] if urls and "://" in urls[0] else "http"
    for worker in worker_ids:
        url = f"{scheme}://{worker}"
        if worker and url not in urls:
            urls.append(url)
    return urls


def worker_client(client: ConnectApi, url: str) -> tuple[ConnectApi, bool]:
    """A client of one worker only, and whether the caller must close it (a test fake
    serves every worker itself through its own ``worker_client``)."""
    factory = getattr(client, "worker_client", None)
    if factory is not None:
        one: ConnectApi = factory(url)
        return one, False
    from kctui.connect.client import ConnectClient

    return ConnectClient(replace(client.cluster, urls=(url,))), True


async def loggers_of(client: ConnectApi, url: str) -> WorkerLoggers:
    """``GET /admin/loggers`` on one worker; errors become text."""
    one, owned = worker_client(client, url)
    try:
        raw = await one.loggers()
        levels = {name: str(entry.get("level", "")) for name, entry in raw.items()}
        return WorkerLoggers(url, levels)
    except ConnectError as exc:
        return WorkerLoggers(url, {}, str(exc))
    finally:
        if owned:
            await one.aclose()


def effective_level(logger: str, levels: Mapping[str, str]) -> str:
    """The level a logger gets: its own, else its nearest ancestor's, else root's."""
    name = logger
    while name:
        if levels.get(name):
            return levels[name]
        name = name.rpartition(".")[0]
    return levels.get(ROOT) or "INFO"


async def current_level(client: ConnectApi, logger: str) -> str:
    """The level ``logger`` has now (effective level when it is not set explicitly)."""
    try:
        entry = await client.logger(logger)
        level = str(entry.get("level") or "")
        if level:
            return level
    except NotFound:
        pass
    raw = await client.loggers()
    return effective_level(logger, {k: str(v.get("level") or "") for k, v in raw.items()})


def level_rows(workers: Sequence[WorkerLoggers]) -> list[tuple[str, list[str]]]:
    """Logger name -> level on each worker (in ``workers`` order), root first then by name."""
    names = sorted({n for w in workers for n in w.levels}, key=lambda n: (n != ROOT, n))
    return [(name, [w.levels.get(name, "") for w in workers]) for name in names]
