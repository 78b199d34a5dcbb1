"""Typed, frozen snapshots of what the Connect REST API answers.

Parsing is lenient on purpose: missing fields get neutral defaults, unknown states are
kept as they are, extra fields from newer versions are ignored. A screen never crashes
on what a cluster sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Connector and task states as Connect reports them.
RUNNING = "RUNNING"
PAUSED = "PAUSED"
FAILED = "FAILED"
UNASSIGNED = "UNASSIGNED"
RESTARTING = "RESTARTING"
STOPPED = "STOPPED"


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _int(value: Any, default: int = -1) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


@dataclass(frozen=True)
class KafkaVersion:
    """A Kafka version such as ``4.1.0`` or ``3.9.1-ce``; compares on (major, minor, patch)."""

    raw: str
    major: int = 0
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, raw: Any) -> KafkaVersion:
        text = _str(raw, "unknown")
        numbers: list[int] = []
        for part in text.replace("-", ".").split("."):
            digits = ""
            for ch in part:
                if not ch.isdigit():
                    break
                digits += ch
            if not digits:
                break
            numbers.append(int(digits))
            if len(numbers) == 3:
                break
        numbers += [0] * (3 - len(numbers))
        return cls(text, *numbers)

    @property
    def known(self) -> bool:
        return self.major > 0

    def at_least(self, major: int, minor: int = 0) -> bool:
        """True when this version is >= major.minor; an unknown version is assumed new."""
        if not self.known:
            return True
        return (self.major, self.minor) >= (major, minor)

    def __str__(self) -> str:
        return self.raw


@dataclass(frozen=True)
class ServerInfo:
    """``GET /``: the worker's Kafka version, commit and Kafka cluster id."""

    version: KafkaVersion
    commit: str = ""
    kafka_cluster_id: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ServerInfo:
        data = data if isinstance(data, Mapping) else {}
        return cls(
            version=KafkaVersion.parse(data.get("version")),
            commit=_str(data.get("commit")),
            kafka_cluster_id=_str(data.get("kafka_cluster_id")),
        )

    # Features by version (KIP numbers in the reference).
    @property
    def supports_stop(self) -> bool:
        return self.version.at_least(3, 5)

    @property
    def supports_offsets_read(self) -> bool:
        return self.version.at_least(3, 5)

    @property
    def supports_offsets_alter(self) -> bool:
        return self.version.at_least(3, 6)

    @property
    def supports_initial_state(self) -> bool:
        return self.version.at_least(3, 7)

    @property
    def supports_logger_scope(self) -> bool:
        return self.version.at_least(3, 7)

    @property
    def supports_patch_config(self) -> bool:
        return self.version.at_least(3, 8)

    @property
    def supports_health(self) -> bool:
        return self.version.at_least(3, 9)

    @property
    def supports_plugin_version(self) -> bool:
        return self.version.at_least(4, 1)


@dataclass(frozen=True)
class TaskStatus:
    """One task's state as in ``GET /connectors/{c}/status``."""

    connector: str
    id: int
    state: str
    worker_id: str = ""
    trace: str | None = None
    version: str | None = None

    @classmethod
    def from_json(cls, connector: str, data: Any) -> TaskStatus:
        data = data if isinstance(data, Mapping) else {}
        return cls(
            connector=connector,
            id=_int(data.get("id")),
            state=_str(data.get("state"), UNASSIGNED).upper() or UNASSIGNED,
            worker_id=_str(data.get("worker_id")),
            trace=_opt_str(data.get("trace")),
            version=_opt_str(data.get("version")),
        )

    @property
    def trace_first_line(self) -> str:
        return first_line(self.trace)


@dataclass(frozen=True)
class ConnectorStatus:
    """Connector-level state plus its tasks."""

    name: str
    state: str
    worker_id: str = ""
    trace: str | None = None
    type: str = "unknown"
    tasks: tuple[TaskStatus, ...] = ()
    version: str | None = None

    @classmethod
    def from_json(cls, name: str, data: Any) -> ConnectorStatus:
        data = data if isinstance(data, Mapping) else {}
        connector = data.get("connector")
        connector = connector if isinstance(connector, Mapping) else {}
        tasks_raw = data.get("tasks")
        tasks_raw = tasks_raw if isinstance(tasks_raw, list) else []
        name = _str(data.get("name"), name) or name
        tasks = tuple(
            sorted(
                (TaskStatus.from_json(name, t) for t in tasks_raw),
                key=lambda t: t.id,
            )
        )
        return cls(
            name=name,
            state=_str(connector.get("state"), UNASSIGNED).upper() or UNASSIGNED,
            worker_id=_str(connector.get("worker_id")),
            trace=_opt_str(connector.get("trace")),
            type=_str(data.get("type"), "unknown") or "unknown",
            tasks=tasks,
            version=_opt_str(connector.get("version")),
        )


@dataclass(frozen=True)
class ConnectorInfo:
    """``GET /connectors/{c}`` (or the ``info`` part of ``expand=info``)."""

    name: str
    config: Mapping[str, str] = field(default_factory=dict)
    tasks: tuple[int, ...] = ()
    type: str = "unknown"

    @classmethod
    def from_json(cls, name: str, data: Any) -> ConnectorInfo:
        data = data if isinstance(data, Mapping) else {}
        config_raw = data.get("config")
        config_raw = config_raw if isinstance(config_raw, Mapping) else {}
        config = {str(k): "" if v is None else str(v) for k, v in config_raw.items()}
        tasks_raw = data.get("tasks")
        tasks_raw = tasks_raw if isinstance(tasks_raw, list) else []
        task_ids = tuple(_int(t.get("task")) for t in tasks_raw if isinstance(t, Mapping))
        return cls(
            name=_str(data.get("name"), name) or name,
            config=config,
            tasks=task_ids,
            type=_str(data.get("type"), "unknown") or "unknown",
        )

    @property
    def connector_class(self) -> str:
        return self.config.get("connector.class", "")

    @property
    def short_class(self) -> str:
        return self.connector_class.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Connector:
    """One connector as seen in one refresh: status and info (either may be missing)."""

    name: str
    status: ConnectorStatus
    info: ConnectorInfo

    @property
    def type(self) -> str:
        if self.status.type != "unknown":
            return self.status.type
        return self.info.type

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def tasks(self) -> tuple[TaskStatus, ...]:
        return self.status.tasks

    @property
    def config(self) -> Mapping[str, str]:
        return self.info.config

    @property
    def failed_task_ids(self) -> tuple[int, ...]:
        return tuple(t.id for t in self.tasks if t.state == FAILED)

    @property
    def running_task_count(self) -> int:
        return sum(1 for t in self.tasks if t.state == RUNNING)

    @property
    def workers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        if self.status.worker_id:
            seen[self.status.worker_id] = None
        for task in self.tasks:
            if task.worker_id:
                seen[task.worker_id] = None
        return tuple(seen)

    @property
    def dlq_topic(self) -> str | None:
        return _opt_str(self.config.get("errors.deadletterqueue.topic.name", "").strip())


@dataclass(frozen=True)
class ClusterState:
    """Every connector of the cluster from ONE ``GET /connectors?expand=status&expand=info``."""

    connectors: Mapping[str, Connector]
    fetched_at: float = 0.0
    worker_url: str = ""

    @classmethod
    def from_json(cls, data: Any, *, fetched_at: float = 0.0, worker_url: str = "") -> ClusterState:
        connectors: dict[str, Connector] = {}
        if isinstance(data, Mapping):
            for name, entry in data.items():
                entry = entry if isinstance(entry, Mapping) else {}
                name = str(name)
                status = ConnectorStatus.from_json(name, entry.get("status"))
                info = ConnectorInfo.from_json(name, entry.get("info"))
                connectors[name] = Connector(name=name, status=status, info=info)
        elif isinstance(data, list):  # a plain name list (expand not understood)
            for name in data:
                name = str(name)
                connectors[name] = Connector(
                    name=name,
                    status=ConnectorStatus(name=name, state=UNASSIGNED),
                    info=ConnectorInfo(name=name),
                )
        return cls(connectors=connectors, fetched_at=fetched_at, worker_url=worker_url)

    @property
    def workers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for connector in self.connectors.values():
            for worker in connector.workers:
                seen[worker] = None
        return tuple(sorted(seen))

    @property
    def failed_tasks(self) -> tuple[TaskStatus, ...]:
        return tuple(t for c in self.connectors.values() for t in c.tasks if t.state == FAILED)


@dataclass(frozen=True)
class TaskInfo:
    """``GET /connectors/{c}/tasks``: one task's generated config."""

    connector: str
    id: int
    config: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, connector: str, data: Any) -> TaskInfo:
        data = data if isinstance(data, Mapping) else {}
        ident = data.get("id") if isinstance(data.get("id"), Mapping) else {}
        config_raw = data.get("config") if isinstance(data.get("config"), Mapping) else {}
        return cls(
            connector=_str(ident.get("connector"), connector) or connector,
            id=_int(ident.get("task")),
            config={str(k): str(v) for k, v in config_raw.items()},
        )


@dataclass(frozen=True)
class ConnectorOffset:
    """One entry of ``GET /connectors/{c}/offsets``: a partition map and its offset map."""

    partition: Mapping[str, Any]
    offset: Mapping[str, Any] | None

    @classmethod
    def from_json(cls, data: Any) -> ConnectorOffset:
        data = data if isinstance(data, Mapping) else {}
        partition = data.get("partition")
        offset = data.get("offset")
        return cls(
            partition=dict(partition) if isinstance(partition, Mapping) else {},
            offset=dict(offset) if isinstance(offset, Mapping) else None,
        )

    @property
    def is_sink(self) -> bool:
        return "kafka_topic" in self.partition and "kafka_partition" in self.partition


@dataclass(frozen=True)
class PluginInfo:
    """``GET /connector-plugins``: class, type (source, sink, transformation...) and version."""

    class_name: str
    type: str = "unknown"
    version: str = ""

    @classmethod
    def from_json(cls, data: Any) -> PluginInfo:
        data = data if isinstance(data, Mapping) else {}
        return cls(
            class_name=_str(data.get("class")),
            type=_str(data.get("type"), "unknown") or "unknown",
            version=_str(data.get("version")),
        )

    @property
    def short_name(self) -> str:
        return self.class_name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ConfigKeyInfo:
    """One key definition from ``GET /connector-plugins/{p}/config``."""

    name: str
    type: str = "STRING"
    required: bool = False
    default_value: str | None = None
    importance: str = ""
    documentation: str = ""
    group: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ConfigKeyInfo:
        data = data if isinstance(data, Mapping) else {}
        default = data.get("default_value")
        return cls(
            name=_str(data.get("name")),
            type=_str(data.get("type"), "STRING"),
            required=bool(data.get("required", False)),
            default_value=None if default is None else str(default),
            importance=_str(data.get("importance")),
            documentation=_str(data.get("documentation")),
            group=_str(data.get("group")),
        )


@dataclass(frozen=True)
class ValidationResult:
    """``PUT /connector-plugins/{p}/config/validate``: error count and errors by key."""

    name: str
    error_count: int
    errors: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_json(cls, data: Any) -> ValidationResult:
        data = data if isinstance(data, Mapping) else {}
        errors: dict[str, tuple[str, ...]] = {}
        configs = data.get("configs")
        for entry in configs if isinstance(configs, list) else []:
            value = entry.get("value") if isinstance(entry, Mapping) else None
            if not isinstance(value, Mapping):
                continue
            messages = value.get("errors")
            if isinstance(messages, list) and messages:
                errors[_str(value.get("name"))] = tuple(str(m) for m in messages)
        return cls(
            name=_str(data.get("name")),
            error_count=_int(data.get("error_count"), len(errors)),
            errors=errors,
        )

    @property
    def valid(self) -> bool:
        return self.error_count == 0


def first_line(text: str | None) -> str:
    """The first non-empty line of a trace, or ''."""
    if not text:
        return ""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""
