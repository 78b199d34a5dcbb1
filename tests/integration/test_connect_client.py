"""ConnectClient against the real sandbox: every endpoint the console uses, and round trips
on our own connector ``test-client-rt`` (created and deleted here)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from msgspec.structs import replace

from kctui.connect.client import ConnectClient
from kctui.connect.errors import Conflict, NotFound, ReadOnlyError
from kctui.connect.models import ClusterState, ConnectorStatus
from kctui.connect.wire import decode_connectors
from kctui.sandbox.layout import plan_ports
from kctui.settings import ClusterConfig
from tests import polling

pytestmark = pytest.mark.integration

RT = "test-client-rt"
SOURCE_CLASS = "org.apache.kafka.connect.file.FileStreamSourceConnector"
SINK_CLASS = "org.apache.kafka.connect.file.FileStreamSinkConnector"
# The sandbox's two workers, on the port base this run uses (KCTUI_SANDBOX_PORT_BASE).
WORKER_IDS = {
    f"127.0.0.1:{port}"
    for port in plan_ports(int(os.environ.get("KCTUI_SANDBOX_PORT_BASE", "29000"))).worker_rest
}
T = TypeVar("T")


async def poll(
    what: str, fetch: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 60
) -> T:
    """The shared poll, where a connector not there yet (404) counts as not done."""
    return await polling.poll(what, fetch, done, timeout=timeout, tolerate=(NotFound,))


def settled(state: str, tasks: int | None = None) -> Callable[[ConnectorStatus], bool]:
    def check(status: ConnectorStatus) -> bool:
        if status.state != state or any(t.state != state for t in status.tasks):
            return False
        return tasks is None or len(status.tasks) == tasks

    return check


@pytest.fixture
async def client(sandbox_cluster: ClusterConfig) -> AsyncIterator[ConnectClient]:
    async with ConnectClient(sandbox_cluster) as connect:
        yield connect


async def test_server_info(client: ConnectClient) -> None:
    info = await client.server_info()
    assert info.version.major >= 3 and info.commit and info.kafka_cluster_id
    assert info.supports_stop and info.supports_offsets_read


async def test_cluster_state_in_one_request(client: ConnectClient) -> None:
    state = await client.cluster_state()
    assert {"demo-source", "demo-sink", "demo-failing-sink"} <= set(state.connectors)
    assert set(state.workers) == WORKER_IDS
    assert state.worker_url in client.urls
    failing = state.connectors["demo-failing-sink"]
    assert failing.state == "RUNNING"
    (task,) = failing.tasks
    assert task.state == "FAILED" and task.worker_id in WORKER_IDS
    assert task.trace and "ConnectException" in task.trace and "\tat " in task.trace
    assert failing.info.connector_class == SINK_CLASS


async def test_typed_decode_of_the_real_answer_equals_the_lenient_parse(
    client: ConnectClient, sandbox_cluster: ClusterConfig
) -> None:
    """The sandbox's own expand=status&expand=info bytes: msgspec path == json.loads path."""
    params = httpx.QueryParams([("expand", "status"), ("expand", "info")])
    async with httpx.AsyncClient() as http:
        answer = await http.get(sandbox_cluster.urls[0] + "/connectors", params=params)
    answer.raise_for_status()
    typed = decode_connectors(answer.content)
    assert typed == dict(ClusterState.from_json(json.loads(answer.content)).connectors)
    assert {"demo-source", "demo-sink", "demo-failing-sink"} <= set(typed)
    assert typed["demo-failing-sink"].tasks[0].state == "FAILED"
    assert (await client.cluster_state()).connectors.keys() >= typed.keys() - {RT}


async def test_connector_reads(client: ConnectClient) -> None:
    info = await client.connector("demo-sink")
    assert info.type == "sink" and info.tasks == (0, 1)
    config = await client.connector_config("demo-sink")
    assert config["connector.class"] == SINK_CLASS and config["topics"] == "demo-lines"
    tasks = await client.tasks("demo-sink")
    assert [t.id for t in tasks] == [0, 1] and tasks[0].config["task.class"]
    task = await client.task_status("demo-sink", 1)
    assert task.id == 1 and task.state == "RUNNING" and task.worker_id in WORKER_IDS
    status = await client.connector_status("demo-failing-sink")
    assert status.tasks[0].state == "FAILED"


async def test_missing_connector_is_not_found(client: ConnectClient) -> None:
    with pytest.raises(NotFound) as info:
        await client.connector_status("test-client-does-not-exist")
    assert info.value.status == 404 and info.value.error_code == 404


async def test_sink_offsets_and_topics(client: ConnectClient) -> None:
    offsets = await poll("demo-sink offsets", lambda: client.offsets("demo-sink"), bool)
    assert all(o.is_sink for o in offsets)
    assert {o.partition["kafka_topic"] for o in offsets} == {"demo-lines"}
    assert all(isinstance(o.offset and o.offset["kafka_offset"], int) for o in offsets)
    assert "demo-lines" in await client.topics("demo-sink")


async def test_plugins(client: ConnectClient) -> None:
    connectors = await client.plugins()
    assert {SOURCE_CLASS, SINK_CLASS} <= {p.class_name for p in connectors}
    assert {p.type for p in connectors} <= {"source", "sink"}
    everything = await client.plugins(connectors_only=False)
    types = {p.type for p in everything}
    assert "transformation" in types and "converter" in types
    keys = await client.plugin_config(SINK_CLASS)
    assert "file" in {k.name for k in keys}


async def test_validate_reports_an_error(client: ConnectClient) -> None:
    bad = {"name": "test-client-validate", "topics": "x", "tasks.max": "not-a-number"}
    result = await client.validate(SINK_CLASS, bad)
    assert not result.valid and result.error_count >= 1
    assert "tasks.max" in result.errors
    good = {"name": "test-client-validate", "topics": "x", "file": "/tmp/x", "tasks.max": "1"}
    assert (await client.validate(SINK_CLASS, good)).valid


async def test_loggers_read(client: ConnectClient) -> None:
    loggers = await client.loggers()
    assert "root" in loggers and loggers["root"]["level"]
    assert (await client.logger("root"))["level"] == loggers["root"]["level"]


async def _delete_if_present(client: ConnectClient) -> None:
    try:
        await client.delete(RT)
    except NotFound:
        return
    await poll("old test connector gone", client.cluster_state, lambda s: RT not in s.connectors)


async def test_round_trip_on_our_own_connector(client: ConnectClient, tmp_path: Path) -> None:
    source_file = tmp_path / "lines.txt"
    source_file.write_text("one\ntwo\n", encoding="utf-8")
    config = {
        "connector.class": SOURCE_CLASS,
        "tasks.max": "1",
        "file": str(source_file),
        "topic": RT,
    }
    await _delete_if_present(client)
    try:
        created = await client.create(RT, config)
        assert created.name == RT and created.config["topic"] == RT
        status = lambda: client.connector_status(RT)  # noqa: E731
        await poll("RUNNING after create", status, settled("RUNNING", 1))
        with pytest.raises(Conflict, match="already exists"):
            await client.create(RT, config)

        await client.pause(RT)
        await poll("PAUSED", status, settled("PAUSED", 1))
        await client.resume(RT)
        await poll("RUNNING after resume", status, settled("RUNNING", 1))

        await client.stop(RT)
        await poll("STOPPED", status, settled("STOPPED", 0))
        offsets = await client.offsets(RT)
        assert all(not o.is_sink for o in offsets)
        assert "reset" in (await client.reset_offsets(RT)).lower()
        await client.resume(RT)
        await poll("RUNNING after stop + resume", status, settled("RUNNING", 1))

        restarted = await client.restart(RT, include_tasks=True)
        assert restarted is not None and restarted.name == RT
        assert restarted.state in ("RESTARTING", "RUNNING")
        await poll("RUNNING after restart", status, settled("RUNNING", 1))
        only_failed = await client.restart(RT, include_tasks=True, only_failed=True)
        assert only_failed is not None and only_failed.state == "RUNNING"
        assert await client.restart(RT) is None  # plain restart: 204 and no body
        await client.restart_task(RT, 0)
        await poll("RUNNING after task restart", status, settled("RUNNING", 1))

        patched = await client.patch_config(RT, {"batch.size": "100"})
        assert patched.config["batch.size"] == "100"
        replaced = await client.put_config(RT, config)
        assert "batch.size" not in replaced.config
    finally:
        await _delete_if_present(client)

    async def gone() -> bool:
        try:
            await client.connector_status(RT)
        except NotFound:
            return True
        return False

    assert await poll("404 after delete", gone, bool)


async def test_read_only_client_refuses_mutations(sandbox_cluster: ClusterConfig) -> None:
    async with ConnectClient(replace(sandbox_cluster, read_only=True)) as read_only:
        assert read_only.read_only
        before = (await read_only.connector_status("demo-sink")).state
        for call in (
            lambda: read_only.pause("demo-sink"),
            lambda: read_only.stop("demo-sink"),
            lambda: read_only.delete("demo-sink"),
            lambda: read_only.restart("demo-failing-sink", include_tasks=True),
            lambda: read_only.restart_task("demo-failing-sink", 0),
            lambda: read_only.create(RT, {"connector.class": SOURCE_CLASS}),
            lambda: read_only.put_config("demo-sink", {"connector.class": SINK_CLASS}),
            lambda: read_only.set_logger_level("root", "DEBUG"),
        ):
            with pytest.raises(ReadOnlyError, match="read-only"):
                await call()
        assert (await read_only.connector_status("demo-sink")).state == before
        assert RT not in (await read_only.cluster_state()).connectors


async def test_dead_first_url_fails_over_to_a_live_worker(sandbox_cluster: ClusterConfig) -> None:
    urls = ("http://127.0.0.1:9", *sandbox_cluster.urls)
    async with ConnectClient(replace(sandbox_cluster, urls=urls, timeout=5)) as client:
        state = await client.cluster_state()
        assert state.worker_url == sandbox_cluster.urls[0]
        assert client.current_url == sandbox_cluster.urls[0]
        assert "demo-sink" in state.connectors
        assert (await client.connector_status("demo-sink")).state == "RUNNING"
