"""A base for unit tests' small Connect fakes: every ``ConnectApi`` call fails loudly.

A test's fake subclasses ``PartialClient`` and overrides only the calls it expects, so
mypy checks the fake against ``kctui.connect.protocol.ConnectApi`` and a call the test
did not expect raises instead of answering something made up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from kctui.connect.models import (
    ClusterState,
    ConfigKeyInfo,
    ConnectorInfo,
    ConnectorOffset,
    ConnectorStatus,
    PluginInfo,
    ServerInfo,
    ValidationResult,
)
from kctui.connect.retries import RetryListener
from kctui.settings import ClusterConfig


def _unexpected(call: str) -> NoReturn:
    raise AssertionError(f"the code under test made an unexpected call: {call}")


class PartialClient:
    """Implements ``ConnectApi``; each call not overridden by a subclass fails the test."""

    cluster = ClusterConfig(name="fake", urls=("http://fake:8083",))
    on_retry: RetryListener | None = None

    @property
    def read_only(self) -> bool:
        return False

    async def aclose(self) -> None:
        return None

    async def server_info(self, *, refresh: bool = False) -> ServerInfo:
        _unexpected("server_info")

    async def cluster_state(self) -> ClusterState:
        _unexpected("cluster_state")

    async def connector_status(self, name: str) -> ConnectorStatus:
        _unexpected("connector_status")

    async def connector_config(self, name: str) -> dict[str, str]:
        _unexpected("connector_config")

    async def offsets(self, name: str) -> list[ConnectorOffset]:
        _unexpected("offsets")

    async def plugins(self, connectors_only: bool = True) -> list[PluginInfo]:
        _unexpected("plugins")

    async def plugin_config(
        self, plugin_class: str, version: str | None = None
    ) -> list[ConfigKeyInfo]:
        _unexpected("plugin_config")

    async def loggers(self) -> dict[str, dict[str, Any]]:
        _unexpected("loggers")

    async def logger(self, name: str) -> dict[str, Any]:
        _unexpected("logger")

    async def pause(self, name: str) -> None:
        _unexpected("pause")

    async def resume(self, name: str) -> None:
        _unexpected("resume")

    async def stop(self, name: str) -> None:
        _unexpected("stop")

    async def delete(self, name: str) -> None:
        _unexpected("delete")

    async def restart(
        self, name: str, include_tasks: bool = False, only_failed: bool = False
    ) -> ConnectorStatus | None:
        _unexpected("restart")

    async def restart_task(self, name: str, task_id: int) -> None:
        _unexpected("restart_task")

    async def alter_offsets(
        self, name: str, offsets: Iterable[ConnectorOffset | Mapping[str, Any]]
    ) -> str:
        _unexpected("alter_offsets")

    async def reset_offsets(self, name: str) -> str:
        _unexpected("reset_offsets")

    async def validate(self, plugin_class: str, config: Mapping[str, str]) -> ValidationResult:
        _unexpected("validate")

    async def create(
        self, name: str, config: Mapping[str, str], initial_state: str | None = None
    ) -> ConnectorInfo:
        _unexpected("create")

    async def put_config(self, name: str, config: Mapping[str, str]) -> ConnectorInfo:
        _unexpected("put_config")

    async def patch_config(self, name: str, partial: Mapping[str, str | None]) -> ConnectorInfo:
        _unexpected("patch_config")

    async def set_logger_level(self, name: str, level: str, scope: str | None = None) -> list[str]:
        _unexpected("set_logger_level")
