"""Async client of the Kafka Connect REST API (httpx), with no UI import.

One ``ConnectClient`` per cluster. It knows the cluster's worker URLs (and fails over
between them), its auth and TLS settings, its Kafka version (from ``GET /``, cached)
and whether it is read-only: every mutating request goes through ``_mutate``, which
refuses before anything leaves the process.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from kctui.connect.errors import (
    BadRequest,
    ServerError,
    Unsupported,
)
from kctui.connect.models import (
    ClusterState,
    ConfigKeyInfo,
    ConnectorInfo,
    ConnectorOffset,
    ConnectorStatus,
    PluginInfo,
    ServerInfo,
    TaskInfo,
    TaskStatus,
    ValidationResult,
)
from kctui.connect.requester import Requester, _Answer
from kctui.connect.transport import (
    client_settings,
    ssl_setting,
)
from kctui.connect.wire import ConnectorsDecoder

__all__ = ["ConnectClient", "client_settings", "ssl_setting"]

INITIAL_STATES = ("RUNNING", "PAUSED", "STOPPED")
LOGGER_SCOPES = ("worker", "cluster")


def _segment(value: str | int) -> str:
    return quote(str(value), safe="")


class ConnectClient(Requester):
    """The Connect REST API of one cluster. Use as ``async with ConnectClient(c) as client``."""

    _server_info: ServerInfo | None = None  # GET /, once asked

    @functools.cached_property
    def _decode_connectors(self) -> ConnectorsDecoder:
        """Remembers the last cluster answer: unchanged connectors are not decoded again."""
        return ConnectorsDecoder()

    async def __aenter__(self) -> ConnectClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ versions

    async def server_info(self, *, refresh: bool = False) -> ServerInfo:
        """``GET /``: Kafka version, commit, Kafka cluster id (cached after the first call)."""
        if self._server_info is None or refresh:
            answer = await self._get("/")
            self._server_info = ServerInfo.from_json(answer.data)
        return self._server_info

    async def _require(self, feature: str, what: str, since: str) -> None:
        info = await self.server_info()
        if not getattr(info, feature):
            raise Unsupported(
                f"{what} needs Kafka Connect {since} or newer; "
                f"cluster '{self.cluster.name}' runs {info.version}",
                url=self.current_url,
            )

    async def health(self) -> tuple[int, str]:
        """``GET /health`` (3.9+): HTTP status and the worker's message (503 while starting)."""
        await self._require("supports_health", "the health endpoint", "3.9")
        url = self.current_url + "/health"
        try:
            answer = await self._send_one("GET", url, None, None)
        except (ServerError, BadRequest) as exc:
            return exc.status or 500, exc.detail or str(exc)
        message = answer.data.get("message", "") if isinstance(answer.data, dict) else ""
        return answer.status, str(message)

    # ------------------------------------------------------------------ reads

    async def cluster_state(self) -> ClusterState:
        """Every connector with status and config in ONE request."""
        params = [("expand", "status"), ("expand", "info")]
        # Decoded straight into the models (off the loop when large), not via json.loads.
        answer = await self._get("/connectors", params=params, loads=self._decode_connectors)
        base = answer.url[: -len("/connectors")]
        connectors = answer.data if isinstance(answer.data, dict) else {}  # None: empty body
        return ClusterState(connectors=connectors, fetched_at=time.time(), worker_url=base)

    async def connector(self, name: str) -> ConnectorInfo:
        answer = await self._get(f"/connectors/{_segment(name)}")
        return ConnectorInfo.from_json(name, answer.data)

    async def connector_status(self, name: str) -> ConnectorStatus:
        answer = await self._get(f"/connectors/{_segment(name)}/status")
        return ConnectorStatus.from_json(name, answer.data)

    async def connector_config(self, name: str) -> dict[str, str]:
        answer = await self._get(f"/connectors/{_segment(name)}/config")
        data = answer.data if isinstance(answer.data, dict) else {}
        return {str(k): "" if v is None else str(v) for k, v in data.items()}

    async def tasks(self, name: str) -> list[TaskInfo]:
        answer = await self._get(f"/connectors/{_segment(name)}/tasks")
        items = answer.data if isinstance(answer.data, list) else []
        return [TaskInfo.from_json(name, item) for item in items]

    async def task_status(self, name: str, task_id: int) -> TaskStatus:
        answer = await self._get(f"/connectors/{_segment(name)}/tasks/{int(task_id)}/status")
        return TaskStatus.from_json(name, answer.data)

    async def offsets(self, name: str) -> list[ConnectorOffset]:
        await self._require("supports_offsets_read", "reading offsets", "3.5")
        answer = await self._get(f"/connectors/{_segment(name)}/offsets")
        data = answer.data if isinstance(answer.data, dict) else {}
        items = data.get("offsets")
        return [ConnectorOffset.from_json(i) for i in (items if isinstance(items, list) else [])]

    async def topics(self, name: str) -> list[str]:
        """Topics the connector used (403 when the worker disables topic tracking)."""
        answer = await self._get(f"/connectors/{_segment(name)}/topics")
        data = answer.data if isinstance(answer.data, dict) else {}
        entry = data.get(name)
        topics = entry.get("topics") if isinstance(entry, dict) else None
        return [str(t) for t in topics] if isinstance(topics, list) else []

    async def plugins(self, connectors_only: bool = True) -> list[PluginInfo]:
        params = None if connectors_only else {"connectorsOnly": "false"}
        answer = await self._get("/connector-plugins", params=params)
        items = answer.data if isinstance(answer.data, list) else []
        return [PluginInfo.from_json(item) for item in items]

    async def plugin_config(
        self, plugin_class: str, version: str | None = None
    ) -> list[ConfigKeyInfo]:
        """Config key definitions of a plugin (``version`` of the plugin needs 4.1)."""
        params = None
        if version is not None:
            await self._require("supports_plugin_version", "plugin versions", "4.1")
            params = {"version": version}
        path = f"/connector-plugins/{_segment(plugin_class)}/config"
        answer = await self._get(path, params=params)
        items = answer.data if isinstance(answer.data, list) else []
        return [ConfigKeyInfo.from_json(item) for item in items]

    async def loggers(self) -> dict[str, dict[str, Any]]:
        """``GET /admin/loggers``: logger name -> {level, last_modified?}."""
        answer = await self._get("/admin/loggers")
        data = answer.data if isinstance(answer.data, dict) else {}
        return {str(k): dict(v) if isinstance(v, dict) else {} for k, v in data.items()}

    async def logger(self, name: str) -> dict[str, Any]:
        answer = await self._get(f"/admin/loggers/{_segment(name)}")
        return dict(answer.data) if isinstance(answer.data, dict) else {}

    # ------------------------------------------------------------------ writes

    async def pause(self, name: str) -> None:
        await self._mutate("PUT", f"/connectors/{_segment(name)}/pause")

    async def resume(self, name: str) -> None:
        """Resume a PAUSED connector; also starts a STOPPED one."""
        await self._mutate("PUT", f"/connectors/{_segment(name)}/resume")

    async def stop(self, name: str) -> None:
        self._refuse_if_read_only("PUT", f"/connectors/{_segment(name)}/stop")
        await self._require("supports_stop", "stopping a connector", "3.5")
        await self._mutate("PUT", f"/connectors/{_segment(name)}/stop")

    async def delete(self, name: str) -> None:
        await self._mutate("DELETE", f"/connectors/{_segment(name)}")

    async def restart(
        self, name: str, include_tasks: bool = False, only_failed: bool = False
    ) -> ConnectorStatus | None:
        """Restart the connector (and tasks); the 202 answer's status, None for a plain 204."""
        params = {
            "includeTasks": "true" if include_tasks else "false",
            "onlyFailed": "true" if only_failed else "false",
        }
        answer = await self._mutate("POST", f"/connectors/{_segment(name)}/restart", params=params)
        if isinstance(answer.data, dict):
            return ConnectorStatus.from_json(name, answer.data)
        return None

    async def restart_task(self, name: str, task_id: int) -> None:
        await self._mutate("POST", f"/connectors/{_segment(name)}/tasks/{int(task_id)}/restart")

    async def alter_offsets(
        self, name: str, offsets: Iterable[ConnectorOffset | Mapping[str, Any]]
    ) -> str:
        """PATCH the offsets of a STOPPED connector; Connect's message."""
        path = f"/connectors/{_segment(name)}/offsets"
        self._refuse_if_read_only("PATCH", path)
        await self._require("supports_offsets_alter", "altering offsets", "3.6")
        entries = [
            {"partition": dict(o.partition), "offset": o.offset}
            if isinstance(o, ConnectorOffset)
            else dict(o)
            for o in offsets
        ]
        answer = await self._mutate("PATCH", path, body={"offsets": entries})
        return self._message_of(answer)

    async def reset_offsets(self, name: str) -> str:
        path = f"/connectors/{_segment(name)}/offsets"
        self._refuse_if_read_only("DELETE", path)
        await self._require("supports_offsets_alter", "resetting offsets", "3.6")
        return self._message_of(await self._mutate("DELETE", path))

    async def validate(self, plugin_class: str, config: Mapping[str, str]) -> ValidationResult:
        """``PUT .../config/validate``: a PUT, so refused in read-only mode like every PUT."""
        body = {"connector.class": plugin_class, **dict(config)}
        path = f"/connector-plugins/{_segment(plugin_class)}/config/validate"
        answer = await self._mutate("PUT", path, body=body)
        return ValidationResult.from_json(answer.data)

    async def create(
        self, name: str, config: Mapping[str, str], initial_state: str | None = None
    ) -> ConnectorInfo:
        body: dict[str, Any] = {"name": name, "config": dict(config)}
        if initial_state is not None:
            self._refuse_if_read_only("POST", "/connectors")
            state = initial_state.upper()
            if state not in INITIAL_STATES:
                allowed = ", ".join(INITIAL_STATES)
                raise BadRequest(f"initial_state must be one of {allowed}, got {initial_state!r}")
            await self._require("supports_initial_state", "initial_state on create", "3.7")
            body["initial_state"] = state
        answer = await self._mutate("POST", "/connectors", body=body)
        return ConnectorInfo.from_json(name, answer.data)

    async def put_config(self, name: str, config: Mapping[str, str]) -> ConnectorInfo:
        """Create or replace the whole config (PUT); works on every version."""
        path = f"/connectors/{_segment(name)}/config"
        answer = await self._mutate("PUT", path, body=dict(config))
        return ConnectorInfo.from_json(name, answer.data)

    async def patch_config(self, name: str, partial: Mapping[str, str | None]) -> ConnectorInfo:
        """PATCH some keys (None removes one); needs 3.8: callers may fall back to put_config."""
        path = f"/connectors/{_segment(name)}/config"
        self._refuse_if_read_only("PATCH", path)
        await self._require("supports_patch_config", "patching a config", "3.8")
        answer = await self._mutate("PATCH", path, body=dict(partial))
        return ConnectorInfo.from_json(name, answer.data)

    async def set_logger_level(self, name: str, level: str, scope: str | None = None) -> list[str]:
        """Set a logger's level; the loggers changed (empty for cluster scope, which is async)."""
        path = f"/admin/loggers/{_segment(name)}"
        params = None
        if scope is not None:
            self._refuse_if_read_only("PUT", path)
            if scope not in LOGGER_SCOPES:
                raise BadRequest(f"logger scope must be worker or cluster, got {scope!r}")
            await self._require("supports_logger_scope", "logger scope", "3.7")
            params = {"scope": scope}
        answer = await self._mutate("PUT", path, params=params, body={"level": level.upper()})
        return [str(x) for x in answer.data] if isinstance(answer.data, list) else []

    @staticmethod
    def _message_of(answer: _Answer) -> str:
        if isinstance(answer.data, dict) and isinstance(answer.data.get("message"), str):
            return answer.data["message"]
        return ""
