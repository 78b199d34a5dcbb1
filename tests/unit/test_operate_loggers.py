"""Log level helpers: a connector's package, effective levels, worker URLs, rows per worker."""

from __future__ import annotations

from typing import Any

import pytest

from kctui.connect.errors import NotFound
from kctui.operate.loggers import (
    WorkerLoggers,
    current_level,
    effective_level,
    level_rows,
    package_of,
    worker_urls,
)
from tests.unit.partial_client import PartialClient


@pytest.mark.parametrize(
    ("cls", "package"),
    [
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", "org.apache.kafka.connect.file"),
        ("FileStreamSink", "FileStreamSink"),
        ("", ""),
    ],
)
def test_package_of(cls: str, package: str) -> None:
    assert package_of(cls) == package


def test_effective_level_walks_up_to_root() -> None:
    levels = {"root": "WARN", "org.apache.kafka": "INFO", "org.apache.kafka.connect.file": ""}
    assert effective_level("org.apache.kafka.connect.file", levels) == "INFO"
    assert effective_level("com.example", levels) == "WARN"
    assert effective_level("com.example", {}) == "INFO"


def test_worker_urls_adds_workers_seen_in_status() -> None:
    urls = worker_urls(["https://a:8083/"], ["a:8083", "b:8083", ""])
    assert urls == ["https://a:8083", "https://b:8083"]


def test_level_rows_root_first() -> None:
    workers = [
        WorkerLoggers("http://a", {"root": "INFO", "x.y": "DEBUG"}),
        WorkerLoggers("http://b", {"root": "INFO"}, None),
    ]
    assert level_rows(workers) == [("root", ["INFO", "INFO"]), ("x.y", ["DEBUG", ""])]


class LoggerClient(PartialClient):
    def __init__(self, own: dict[str, str]) -> None:
        self.own = own

    async def logger(self, name: str) -> dict[str, Any]:
        if name not in self.own:
            raise NotFound(f"Logger {name} not found.", status=404)
        return {"level": self.own[name]}

    async def loggers(self) -> dict[str, dict[str, Any]]:
        return {k: {"level": v} for k, v in self.own.items()}


async def test_current_level_of_a_logger_that_is_not_set_explicitly() -> None:
    client = LoggerClient({"root": "INFO", "org.apache.kafka.connect": "WARN"})
    assert await current_level(client, "org.apache.kafka.connect.file") == "WARN"
    assert await current_level(client, "root") == "INFO"
