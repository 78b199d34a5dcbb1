"""An in-process fake of ConnectClient for UI tests: records calls, serves a mutable cluster."""

from __future__ import annotations

import copy
import time
from typing import Any

from kctui.connect.errors import NotFound, ReadOnlyError, Unreachable
from kctui.connect.models import ClusterState, ConnectorStatus, ServerInfo

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
        self.cluster = cluster if cluster is not None else demo_cluster()
        self.read_only = read_only
        self.version = version
        self.calls: list[tuple[Any, ...]] = []
        self.state_requests = 0
        self.unreachable = False
        self.fixed_time = fixed_time
        self.fail_next: Exception | None = None
        self.refresh_error: Exception | None = None

    async def __aenter__(self) -> FakeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def server_info(self) -> ServerInfo:
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
        return ClusterState.from_json(copy.deepcopy(self.cluster), fetched_at=fetched_at)

    # ------------------------------------------------------------------ mutations

    def _mutate(self, *call: Any) -> dict[str, Any]:
        if self.read_only:
            raise ReadOnlyError(f"read-only cluster: {call[0]} refused")
        self.calls.append(call)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        name = call[1]
        if name not in self.cluster:
            raise NotFound(f"Unknown connector {name}", status=404)
        return self.cluster[name]

    def _set_state(self, name: str, state: str) -> None:
        status = self.cluster[name]["status"]
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
        del self.cluster[name]

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
