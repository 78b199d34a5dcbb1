"""Fakes for the operate UI tests: a Connect client with configs, plugins, offsets and
loggers, and a fake ``$EDITOR`` (a Python script following scripted steps)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kctui.connect.errors import Conflict, NotFound
from kctui.connect.models import (
    ConfigKeyInfo,
    ConnectorInfo,
    ConnectorOffset,
    ConnectorStatus,
    PluginInfo,
    ValidationResult,
)
from tests.ui.fakes import FakeClient

EDITOR_SCRIPT = """
import json, pathlib, sys
state = pathlib.Path(sys.argv[1]); target = pathlib.Path(sys.argv[2])
doc = target.read_text()
n = len(list(state.glob("shown-*.txt")))
(state / f"shown-{n}.txt").write_text(doc)
(state / f"mode-{n}.txt").write_text(oct(target.stat().st_mode & 0o777))
(state / f"path-{n}.txt").write_text(str(target))
steps = json.loads((state / "steps.json").read_text())
step = steps[n] if n < len(steps) else {"same": True}
if "text" in step:
    target.write_text(step["text"])
elif "replace" in step:
    target.write_text(doc.replace(step["replace"][0], step["replace"][1]))
"""


class FakeEditor:
    """A command list for ``app.editor_command``; records every document it was shown."""

    def __init__(self, folder: Path, steps: list[dict[str, Any]]) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "steps.json").write_text(json.dumps(steps))
        script = folder / "editor.py"
        script.write_text(EDITOR_SCRIPT)
        self.command = [sys.executable, str(script), str(folder)]

    def shown(self) -> list[str]:
        count = len(list(self.folder.glob("shown-*.txt")))
        return [(self.folder / f"shown-{i}.txt").read_text() for i in range(count)]

    def modes(self) -> list[str]:
        count = len(list(self.folder.glob("mode-*.txt")))
        return [(self.folder / f"mode-{i}.txt").read_text() for i in range(count)]

    def paths(self) -> list[Path]:
        count = len(list(self.folder.glob("path-*.txt")))
        return [Path((self.folder / f"path-{i}.txt").read_text()) for i in range(count)]


SINK_KEYS = [
    ConfigKeyInfo("name", required=True),
    ConfigKeyInfo("connector.class", required=True),
    ConfigKeyInfo("topics", default_value=""),
    ConfigKeyInfo("tasks.max", type="INT", default_value="1"),
    ConfigKeyInfo("file"),
]


class OperateClient(FakeClient):
    """FakeClient plus config, validation, plugins, offsets and loggers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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

    # reads ------------------------------------------------------------------

    def _entry(self, name: str) -> dict[str, Any]:
        if name not in self.cluster:
            raise NotFound(f"Unknown connector {name}", status=404)
        return self.cluster[name]

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

    async def plugin_config(self, plugin_class: str) -> list[ConfigKeyInfo]:
        return list(SINK_KEYS)

    async def validate(self, plugin_class: str, config: dict[str, str]) -> ValidationResult:
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

    def worker_client(self, url: str) -> OperateClient:
        clone = OperateClient.__new__(OperateClient)
        clone.__dict__.update(self.__dict__)
        clone.url = url
        return clone

    # writes -----------------------------------------------------------------

    def _write(self, *call: Any) -> None:
        if self.read_only:
            from kctui.connect.errors import ReadOnlyError

            raise ReadOnlyError(f"read-only cluster: {call[0]} refused")
        self.calls.append(call)

    async def create(self, name: str, config: dict[str, str], initial_state: Any = None) -> Any:
        self._write("create", name, dict(config))
        if name in self.cluster:
            raise Conflict(f"Connector {name} already exists", status=409)
        from tests.ui.fakes import connector_json

        kind = "source" if "Source" in config.get("connector.class", "") else "sink"
        self.cluster[name] = connector_json(name, kind, "RUNNING", [("RUNNING", "127.0.0.1:29083")])
        self.cluster[name]["info"]["config"] = dict(config)
        return ConnectorInfo(name, dict(config))

    async def put_config(self, name: str, config: dict[str, str]) -> Any:
        self._write("put_config", name, dict(config))
        self._entry(name)["info"]["config"] = dict(config)
        return ConnectorInfo(name, dict(config))

    async def patch_config(self, name: str, partial: dict[str, Any]) -> Any:
        self._write("patch_config", name, dict(partial))
        config = self._entry(name)["info"]["config"]
        for key, value in partial.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        return ConnectorInfo(name, dict(config))

    async def alter_offsets(self, name: str, entries: Any) -> str:
        self._write("alter_offsets", name, [dict(e) for e in entries])
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
