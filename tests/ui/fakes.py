"""An in-process fake of ConnectClient for UI tests: records calls, serves a mutable cluster.

``FakeClient`` implements ``kctui.connect.protocol.ConnectApi``; mypy checks it where the
tests hand it to the app (``tests/ui/conftest.py: make_app``), so it cannot drift from
``ConnectClient`` (e.g. ``restart`` answers the 202 status as the real client does).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Mapping
from typing import Any

from kctui.connect.errors import Conflict, NotFound, ReadOnlyError, Unreachable
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

TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file "
    "'/nonexistent/out.txt' for FileStreamSinkTask\n"
    "\tat org.apache.kafka.connect.file.FileStreamSinkTask.start(FileStreamSinkTask.java:70)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.initializeAndStart"
    "(WorkerSinkTask.java:333)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
    "Caused by: java.nio.file.NoSuchFileException: /nonexistent/out.txt\n"
    "\tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:92)\n"
    "\t... 9 more"
)
W1, W2 = "127.0.0.1:29083", "127.0.0.1:29084"


def connector_json(
    name: str,
    kind: str,
    state: str,
    tasks: list[tuple[str, str]],
    config: dict[str, str] | None = None,
    trace: str | None = None,
) -> dict[str, Any]:
    """One entry of ``GET /connectors?expand=status&expand=info``."""
    cls = "org.apache.kafka.connect.file.FileStream" + ("Source" if kind == "source" else "Sink")
    connector: dict[str, Any] = {"state": state, "worker_id": W1}
    if trace:
        connector["trace"] = trace
    task_entries = []
    for task_id, (task_state, worker) in enumerate(tasks):
        entry: dict[str, Any] = {"id": task_id, "state": task_state, "worker_id": worker}
        if task_state == "FAILED":
            entry["trace"] = TRACE
        task_entries.append(entry)
    return {
        "status": {"name": name, "connector": connector, "tasks": task_entries, "type": kind},
        "info": {
            "name": name,
            "config": {"connector.class": cls + "Connector", "name": name, **(config or {})},
            "tasks": [{"connector": name, "task": i} for i in range(len(tasks))],
            "type": kind,
        },
    }


def demo_cluster() -> dict[str, Any]:
    """A cluster shaped like the sandbox's demo connectors."""
    return {
        "demo-source": connector_json("demo-source", "source", "RUNNING", [("RUNNING", W1)]),
        "demo-sink": connector_json(
            "demo-sink", "sink", "RUNNING", [("RUNNING", W1), ("RUNNING", W2)]
        ),
        "demo-dlq-sink": connector_json(
            "demo-dlq-sink",
            "sink",
            "RUNNING",
            [("RUNNING", W2)],
            {
                "errors.tolerance": "all",
                "errors.deadletterqueue.topic.name": "demo-orders-dlq",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "sasl.jaas.config": "org.apache.kafka.common.security.plain.PlainLoginModule "
                'required username="u" password="hunter2";',
            },
        ),
        "demo-failing-sink": connector_json(
            "demo-failing-sink",
            "sink",
            "RUNNING",
            [("FAILED", W2)],
            {"file": "/nonexistent/out.txt"},
        ),
        "demo-paused": connector_json("demo-paused", "source", "PAUSED", [("PAUSED", W1)]),
        "demo-stopped": connector_json("demo-stopped", "source", "STOPPED", []),
        "demo-smt-source": connector_json(
            "demo-smt-source",
            "source",
            "RUNNING",
            [("RUNNING", W1)],
            {
                "transforms": "addField,route",
                "transforms.addField.type": "org.apache.kafka.connect.transforms.InsertField$Value",
                "transforms.addField.static.field": "origin",
                "transforms.addField.static.value": "demo",
                "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
                "transforms.route.regex": "(.*)",
                "transforms.route.replacement": "$1-routed",
            },
        ),
    }


SINK_KEYS = [
    ConfigKeyInfo("name", required=True),
    ConfigKeyInfo("connector.class", required=True),
    ConfigKeyInfo("topics", default_value=""),
    ConfigKeyInfo("tasks.max", type="INT", default_value="1"),
    ConfigKeyInfo("file"),
]


class FakeClient:
    """Serves ``cluster`` (the expand=status&info JSON), applies mutations, records calls."""

    def __init__(
        self,
        cluster: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        version: str = "4.1.0",
        fixed_time: float | None = None,
    ) -> None:
        self.connectors = cluster if cluster is not None else demo_cluster()
        self.cluster = ClusterConfig("test-cluster", ("http://fake:8083",), read_only=read_only)
        self.on_retry: RetryListener | None = None
        self.read_only = read_only
        self.version = version
        self.calls: list[tuple[Any, ...]] = []
        self.state_requests = 0
        self.unreachable = False
        self.fixed_time = fixed_time
        self.fail_next: Exception | None = None
        self.refresh_error: Exception | None = None
        self.offsets_by_name: dict[str, list[dict[str, Any]]] = {
            "demo-sink": [
                {"partition": {"kafka_topic": "demo-lines", "kafka_partition": 0},
                 "offset": {"kafka_offset": 10}},
                {"partition": {"kafka_topic": "demo-lines", "kafka_partition": 1},
                 "offset": {"kafka_offset": 20}},
            ],
            "demo-source": [
                {"partition": {"filename": "/tmp/source.txt"}, "offset": {"position": 42}}
            ],
        }  # fmt: skip
        self.levels: dict[str, dict[str, str]] = {
            "http://fake:8083": {"root": "INFO", "org.apache.kafka.connect": "INFO"},
            "http://127.0.0.1:29083": {"root": "INFO"},
            "http://127.0.0.1:29084": {"root": "INFO"},
        }
        self.url = "http://fake:8083"
        self.invalid_keys: dict[str, str] = {}  # key -> error when the config holds it

    async def __aenter__(self) -> FakeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def server_info(self, *, refresh: bool = False) -> ServerInfo:
        if self.unreachable:
            raise Unreachable("http://fake:8083: connection refused")
        return ServerInfo.from_json({"version": self.version, "commit": "abc"})

    async def cluster_state(self) -> ClusterState:
        self.state_requests += 1
        if self.refresh_error is not None:
            raise self.refresh_error
        if self.unreachable:
            raise Unreachable("every worker is unreachable: http://fake:8083: connection refused")
        fetched_at = self.fixed_time if self.fixed_time is not None else time.time()
        return ClusterState.from_json(copy.deepcopy(self.connectors), fetched_at=fetched_at)

    # ------------------------------------------------------------------ mutations

    def _mutate(self, *call: Any) -> dict[str, Any]:
        if self.read_only:
            raise ReadOnlyError(f"read-only cluster: {call[0]} refused")
        self.calls.append(call)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        name = call[1]
        if name not in self.connectors:
            raise NotFound(f"Unknown connector {name}", status=404)
        return self.connectors[name]

    def _set_state(self, name: str, state: str) -> None:
        status = self.connectors[name]["status"]
        status["connector"]["state"] = state
        for task in status["tasks"]:
            task["state"] = state
            task.pop("trace", None)

    async def pause(self, name: str) -> None:
        self._mutate("pause", name)
        self._set_state(name, "PAUSED")

    async def resume(self, name: str) -> None:
        entry = self._mutate("resume", name)
        if not entry["status"]["tasks"]:
            entry["status"]["tasks"] = [{"id": 0, "state": "RUNNING", "worker_id": W1}]
        self._set_state(name, "RUNNING")

    async def stop(self, name: str) -> None:
        entry = self._mutate("stop", name)
        entry["status"]["connector"]["state"] = "STOPPED"
        entry["status"]["tasks"] = []

    async def delete(self, name: str) -> None:
        self._mutate("delete", name)
        del self.connectors[name]

    async def restart(
        self, name: str, include_tasks: bool = False, only_failed: bool = False
    ) -> ConnectorStatus | None:
        """Like Connect 3.0+: a restart with tasks answers 202 with the status it set
        (RESTARTING), a plain restart 204 with no body (None)."""
        entry = self._mutate("restart", name, include_tasks, only_failed)
        if not include_tasks and not only_failed:
            return None  # the connector restarts; its tasks are not touched
        for task in entry["status"]["tasks"] if include_tasks else ():
            if task["state"] == "FAILED" or not only_failed:
                task["state"] = "RESTARTING"
                task.pop("trace", None)
        return ConnectorStatus.from_json(name, copy.deepcopy(entry["status"]))

    async def restart_task(self, name: str, task_id: int) -> None:
        entry = self._mutate("restart_task", name, task_id)
        for task in entry["status"]["tasks"]:
            if task["id"] == task_id:
                task["state"] = "RESTARTING"
                task.pop("trace", None)

    # ------------------------------------------------------------------ operate

    # reads ------------------------------------------------------------------

    def _entry(self, name: str) -> dict[str, Any]:
        if name not in self.connectors:
            raise NotFound(f"Unknown connector {name}", status=404)
        return self.connectors[name]

    async def connector_config(self, name: str) -> dict[str, str]:
        return dict(self._entry(name)["info"]["config"])

    async def connector_status(self, name: str) -> ConnectorStatus:
        return ConnectorStatus.from_json(name, self._entry(name)["status"])

    async def plugins(self, connectors_only: bool = True) -> list[PluginInfo]:
        plugins = [
            PluginInfo("org.apache.kafka.connect.file.FileStreamSinkConnector", "sink", "4.1.0"),
            PluginInfo(
                "org.apache.kafka.connect.file.FileStreamSourceConnector", "source", "4.1.0"
            ),
        ]
        if not connectors_only:
            base = "org.apache.kafka.connect."
            plugins += [
                PluginInfo(base + "transforms.RegexRouter", "transformation", "4.1.0"),
                PluginInfo(base + "json.JsonConverter", "converter", "4.1.0"),
                PluginInfo(base + "storage.StringConverter", "converter", "4.1.0"),
                PluginInfo(base + "storage.StringConverter", "header_converter", "4.1.0"),
                PluginInfo(base + "transforms.predicates.TopicNameMatches", "predicate", "4.1.0"),
            ]
        return plugins

    async def plugin_config(
        self, plugin_class: str, version: str | None = None
    ) -> list[ConfigKeyInfo]:
        return list(SINK_KEYS)

    async def validate(self, plugin_class: str, config: Mapping[str, str]) -> ValidationResult:
        self.calls.append(("validate", plugin_class, dict(config)))
        errors = {k: (e,) for k, e in self.invalid_keys.items() if k in config}
        if "file" in config and config["file"].startswith("/nonexistent/"):
            errors["file"] = ("directory does not exist",)
        return ValidationResult(plugin_class, len(errors), errors)

    async def offsets(self, name: str) -> list[ConnectorOffset]:
        self._entry(name)
        return [ConnectorOffset.from_json(o) for o in self.offsets_by_name.get(name, [])]

    async def loggers(self) -> dict[str, dict[str, Any]]:
        return {k: {"level": v} for k, v in self.levels[self.url].items()}

    async def logger(self, name: str) -> dict[str, Any]:
        if name not in self.levels[self.url]:
            raise NotFound(f"Logger {name} not found.", status=404)
        return {"level": self.levels[self.url][name]}

    def worker_client(self, url: str) -> FakeClient:
        clone = FakeClient.__new__(FakeClient)
        clone.__dict__.update(self.__dict__)
        clone.url = url
        return clone

    # writes -----------------------------------------------------------------

    def _write(self, *call: Any) -> None:
        if self.read_only:
            from kctui.connect.errors import ReadOnlyError

            raise ReadOnlyError(f"read-only cluster: {call[0]} refused")
        self.calls.append(call)

    async def create(
        self, name: str, config: Mapping[str, str], initial_state: str | None = None
    ) -> ConnectorInfo:
        self._write("create", name, dict(config))
        if name in self.connectors:
            raise Conflict(f"Connector {name} already exists", status=409)
        kind = "source" if "Source" in config.get("connector.class", "") else "sink"
        self.connectors[name] = connector_json(
            name, kind, "RUNNING", [("RUNNING", "127.0.0.1:29083")]
        )
        self.connectors[name]["info"]["config"] = dict(config)
        return ConnectorInfo(name, dict(config))

    async def put_config(self, name: str, config: Mapping[str, str]) -> ConnectorInfo:
        self._write("put_config", name, dict(config))
        self._entry(name)["info"]["config"] = dict(config)
        return ConnectorInfo(name, dict(config))

    async def patch_config(self, name: str, partial: Mapping[str, str | None]) -> ConnectorInfo:
        self._write("patch_config", name, dict(partial))
        config = self._entry(name)["info"]["config"]
        for key, value in partial.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        return ConnectorInfo(name, dict(config))

    async def alter_offsets(
        self, name: str, offsets: Iterable[ConnectorOffset | Mapping[str, Any]]
    ) -> str:
        entries = [
            {"partition": dict(o.partition), "offset": o.offset}
            if isinstance(o, ConnectorOffset)
            else dict(o)
            for o in offsets
        ]
        self._write("alter_offsets", name, entries)
        stored = self.offsets_by_name.setdefault(name, [])
        for entry in entries:
            stored[:] = [o for o in stored if o["partition"] != entry["partition"]]
            if entry["offset"] is not None:
                stored.append({"partition": entry["partition"], "offset": entry["offset"]})
        return "The offsets for this connector have been altered successfully"

    async def reset_offsets(self, name: str) -> str:
        self._write("reset_offsets", name)
        self.offsets_by_name[name] = []
        return "The offsets for this connector have been reset successfully"

    async def set_logger_level(self, name: str, level: str, scope: str | None = None) -> list[str]:
        self._write("set_logger_level", name, level, scope, self.url)
        targets = list(self.levels) if scope == "cluster" else [self.url]
        for url in targets:
            self.levels[url][name] = level
        return [] if scope == "cluster" else [name]
