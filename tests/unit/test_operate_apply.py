"""The apply flow through the real ConnectClient against an in-memory Connect (MockTransport)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from kctui.connect.client import ConnectClient
from kctui.connect.errors import ReadOnlyError
from kctui.errors import KctuiError
from kctui.masking import MASK
from kctui.operate.apply import apply_specs, exit_code, format_errors
from kctui.operate.files import ConnectorSpec
from kctui.settings import ClusterConfig

SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
UNKNOWN = (
    "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Failed to find any "
    "class that implements Connector and which name matches com.nope.Foo"
)


class FakeConnect:
    """Just enough of the REST API for apply: configs, validate, create, put."""

    def __init__(self, version: str = "4.1.0") -> None:
        self.version = version
        self.configs: dict[str, dict[str, str]] = {}
        self.writes: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body: Any = json.loads(request.content) if request.content else None
        if path == "/":
            return httpx.Response(200, json={"version": self.version})
        if path == "/connector-plugins":
            return httpx.Response(200, json=[{"class": SINK, "type": "sink", "version": "1"}])
        if path.endswith("/config/validate"):
            if body["connector.class"] not in (SINK, "FileStreamSink"):
                return httpx.Response(500, json={"error_code": 500, "message": UNKNOWN})
            configs = []
            if body.get("tasks.max") == "abc":
                configs.append({"value": {"name": "tasks.max", "errors": ["Not a number"]}})
            if not body.get("topics"):
                configs.append({"value": {"name": "topics", "errors": ["Must configure topics"]}})
            return httpx.Response(200, json={"name": SINK, "error_count": len(configs),
                                             "configs": configs})  # fmt: skip
        if path == "/connectors" and request.method == "POST":
            self.writes.append(("POST", body["name"], body))
            if body["name"] in self.configs:
                return httpx.Response(409, json={"error_code": 409, "message": "already exists"})
            self.configs[body["name"]] = dict(body["config"])
            return httpx.Response(201, json={"name": body["name"], "config": body["config"]})
        name = path.split("/")[2]
        if request.method == "GET":
            if name not in self.configs:
                return httpx.Response(404, json={"error_code": 404, "message": "Unknown"})
            return httpx.Response(200, json=self.configs[name])
        if request.method == "PUT":
            self.writes.append(("PUT", name, body))
            self.configs[name] = dict(body)
            return httpx.Response(200, json={"name": name, "config": body})
        return httpx.Response(405, json={"error_code": 405, "message": "no"})


def client_for(connect: FakeConnect, read_only: bool = False) -> ConnectClient:
    cluster = ClusterConfig(name="t", urls=("http://w:8083",), read_only=read_only)
    return ConnectClient(cluster, transport=httpx.MockTransport(connect), retry_total_seconds=0)


def spec(name: str, **config: str) -> ConnectorSpec:
    base = {"name": name, "connector.class": SINK, "topics": "t", "tasks.max": "1"}
    return ConnectorSpec(name, {**base, **config}, f"{name}.json")


async def test_create_then_update_then_unchanged() -> None:
    connect = FakeConnect()
    async with client_for(connect) as client:
        first = await apply_specs(client, [spec("a")], initial_state="STOPPED")
        second = await apply_specs(client, [spec("a", topics="t2")])
        third = await apply_specs(client, [spec("a", topics="t2")])
    assert [r.action for r in first + second + third] == ["created", "updated", "unchanged"]
    assert connect.writes[0][2]["initial_state"] == "STOPPED"
    assert connect.writes[1] == ("PUT", "a", {**spec("a", topics="t2").config})
    assert [(c.key, c.old, c.new) for c in second[0].changes] == [("topics", "t", "t2")]
    assert exit_code(first + second + third) == 0


async def test_one_invalid_config_blocks_every_write() -> None:
    connect = FakeConnect()
    async with client_for(connect) as client:
        results = await apply_specs(client, [spec("good"), spec("bad", **{"tasks.max": "abc"})])
    assert [r.action for r in results] == ["skipped", "invalid"]
    assert format_errors(results[1].errors) == ["tasks.max: Not a number"]
    assert connect.writes == []
    assert exit_code(results) == 1


async def test_unknown_class_is_a_validation_error_by_key() -> None:
    connect = FakeConnect()
    async with client_for(connect) as client:
        results = await apply_specs(client, [spec("x", **{"connector.class": "com.nope.Foo"})])
    assert results[0].action == "invalid"
    assert format_errors(results[0].errors) == [
        f"connector.class: unknown connector class 'com.nope.Foo'; installed connector "
        f"plugins: {SINK}"
    ]
    assert exit_code(results) == 1


async def test_dry_run_writes_nothing_and_says_what_would_happen() -> None:
    connect = FakeConnect()
    connect.configs["old"] = dict(spec("old").config)
    async with client_for(connect) as client:
        results = await apply_specs(client, [spec("new"), spec("old", topics="x")], dry_run=True)
    assert [r.action for r in results] == ["would create", "would update"]
    assert connect.writes == []


async def test_masked_value_in_file_keeps_the_stored_secret() -> None:
    connect = FakeConnect()
    connect.configs["s"] = {**spec("s").config, "db.password": "hunter2"}
    async with client_for(connect) as client:
        results = await apply_specs(client, [spec("s", **{"db.password": MASK, "topics": "u"})])
        new = await apply_specs(client, [spec("n", **{"db.password": MASK})])
    assert results[0].action == "updated"
    assert connect.writes[0][2]["db.password"] == "hunter2"
    assert new[0].action == "invalid" and "db.password" in new[0].errors


async def test_initial_state_on_old_cluster_applies_nothing() -> None:
    connect = FakeConnect(version="3.6.2")
    async with client_for(connect) as client:
        with pytest.raises(KctuiError, match="needs Kafka Connect 3.7"):
            await apply_specs(client, [spec("a")], initial_state="PAUSED")
    assert connect.writes == []


async def test_name_taken_meanwhile_is_a_clear_failure() -> None:
    connect = FakeConnect()

    async with client_for(connect) as client:
        from kctui.connect.models import ValidationResult
        from kctui.operate.apply import Plan, write_plan

        connect.configs["a"] = {}
        plan = Plan(spec("a"), spec("a").config, None, ValidationResult("", 0, {}))
        result = await write_plan(client, plan, None)
    assert result.action == "failed"
    assert "a connector named 'a' already exists" in result.message
    assert exit_code([result]) == 2


async def test_read_only_refuses_before_sending() -> None:
    connect = FakeConnect()
    async with client_for(connect, read_only=True) as client:
        results = await apply_specs(client, [spec("a")])
    assert results[0].action == "failed"
    assert "read-only" in results[0].message
    assert connect.writes == []
    with pytest.raises(ReadOnlyError):
        async with client_for(connect, read_only=True) as client:
            await client.validate(SINK, spec("a").config)


async def test_rebalance_answers_are_retried_then_applied() -> None:
    connect = FakeConnect()
    busy = {"left": 2}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and busy["left"]:
            busy["left"] -= 1
            message = "Request cannot be completed because a rebalance is expected"
            return httpx.Response(500, json={"error_code": 500, "message": message})
        return connect(request)

    cluster = ClusterConfig(name="t", urls=("http://w:8083",))
    transport = httpx.MockTransport(handler)
    async with ConnectClient(cluster, transport=transport, retry_base_delay=0.01) as client:
        results = await apply_specs(client, [spec("a")])
    assert [r.action for r in results] == ["created"]
    assert busy["left"] == 0 and len(connect.writes) == 1


async def test_rebalance_that_does_not_end_is_a_clear_failure() -> None:
    connect = FakeConnect()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            message = (
                "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
            )
            return httpx.Response(409, json={"error_code": 409, "message": message})
        return connect(request)

    cluster = ClusterConfig(name="t", urls=("http://w:8083",))
    transport = httpx.MockTransport(handler)
    async with ConnectClient(cluster, transport=transport, retry_total_seconds=0.05,
                             retry_base_delay=0.01) as client:  # fmt: skip
        results = await apply_specs(client, [spec("a")])
    assert results[0].action == "failed"
    assert results[0].message.startswith("cluster is rebalancing")
    assert exit_code(results) == 2
