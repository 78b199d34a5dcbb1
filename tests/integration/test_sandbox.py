"""The sandbox is a real cluster: check the demo scenario through Connect's REST API,
the DLQ through kafka-python, and JMX through jmxquery."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kctui.sandbox import scenario
from kctui.sandbox.cluster import Sandbox
from kctui.sandbox.jars import SandboxError


def _cluster_status(sandbox: Sandbox) -> dict:
    response = httpx.get(
        f"{sandbox.rest_urls[0]}/connectors",
        params=[("expand", "status"), ("expand", "info")],
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def test_two_distinct_workers_run_the_tasks(sandbox: Sandbox) -> None:
    status = _cluster_status(sandbox)
    workers = {task["worker_id"] for entry in status.values() for task in entry["status"]["tasks"]}
    rest_ports = sandbox.ports.worker_rest  # base + 83, base + 84 (29083, 29084 by default)
    assert workers == {f"127.0.0.1:{port}" for port in rest_ports} and len(rest_ports) == 2


def test_every_demo_connector_exists(sandbox: Sandbox) -> None:
    assert set(scenario.CONNECTORS) <= set(_cluster_status(sandbox))


def test_failed_task_has_a_real_trace(sandbox: Sandbox) -> None:
    entry = _cluster_status(sandbox)[scenario.FAILING_SINK]["status"]
    assert entry["connector"]["state"] == "RUNNING"  # the task failed, not the connector
    (task,) = entry["tasks"]
    assert task["state"] == "FAILED"
    assert "ConnectException" in task["trace"]
    assert "missing-dir" in task["trace"]


def test_paused_and_stopped_connectors(sandbox: Sandbox) -> None:
    status = _cluster_status(sandbox)
    assert status[scenario.PAUSED]["status"]["connector"]["state"] == "PAUSED"
    assert status[scenario.STOPPED]["status"]["connector"]["state"] == "STOPPED"
    assert status[scenario.STOPPED]["status"]["tasks"] == []


def test_smt_chain_is_configured(sandbox: Sandbox) -> None:
    config = _cluster_status(sandbox)[scenario.SMT_SOURCE]["info"]["config"]
    assert config["transforms"] == "hoist,tag,route"
    assert config["transforms.route.type"].endswith("RegexRouter")


def test_dlq_records_carry_connect_error_headers(sandbox: Sandbox) -> None:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=sandbox.bootstrap, group_id=None, enable_auto_commit=False
    )
    try:
        tp = TopicPartition(scenario.DLQ_TOPIC, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        records = []
        for _ in range(20):
            for batch in consumer.poll(timeout_ms=1000, max_records=50).values():
                records.extend(batch)
            if len(records) >= 50:
                break
    finally:
        consumer.close()
    assert len(records) >= 50
    for record in records:
        headers = dict(record.headers)  # the last value wins, as Connect means it
        assert headers["__connect.errors.topic"] == scenario.ORDERS_TOPIC.encode()
        assert int(headers["__connect.errors.partition"]) in (0, 1, 2)
        assert int(headers["__connect.errors.offset"]) >= 0
        assert headers["__connect.errors.stage"] == b"VALUE_CONVERTER"
        assert (
            headers["__connect.errors.exception.class.name"]
            == b"org.apache.kafka.connect.errors.DataException"
        )
        assert headers["__connect.errors.connector.name"] == scenario.DLQ_SINK.encode()
        assert headers["origin"] == b"kctui-sandbox"  # the original headers are kept


def test_jmx_answers_on_both_workers(sandbox: Sandbox) -> None:
    from jmxquery import JMXConnection, JMXQuery

    cluster = sandbox.cluster_config()
    assert len(cluster.jmx) == 2
    for endpoint in cluster.jmx:
        connection = JMXConnection(endpoint.url)
        metrics = connection.query(
            [JMXQuery("kafka.connect:type=connect-worker-metrics", metric_name="{attribute}")]
        )
        names = {m.attribute for m in metrics}
        assert "connector-count" in names, endpoint.url


def test_worker_logs_use_connect_layout_with_connector_context(sandbox: Sandbox) -> None:
    text = "".join(
        sandbox.worker_log(i).read_text(encoding="utf-8", errors="replace") for i in (0, 1)
    )
    assert "[demo-failing-sink|task-0]" in text
    assert "Task threw an uncaught and unrecoverable exception" in text


def test_second_up_reuses_the_running_sandbox(sandbox: Sandbox) -> None:
    result = sandbox.up(seed=True)
    assert result.started is False
    assert sandbox.is_up()
    lines = "\n".join(sandbox.status_lines())
    assert "worker-1" in lines and "worker-2" in lines and "DEAD" not in lines


def test_config_entry_points_at_the_sandbox(sandbox: Sandbox, sandbox_cluster) -> None:
    assert sandbox_cluster.urls == tuple(f"http://127.0.0.1:{p}" for p in sandbox.ports.worker_rest)
    assert len(sandbox_cluster.urls) == 2
    assert sandbox_cluster.kafka is not None
    assert all(Path(source.path.rstrip("*")).exists() for source in sandbox_cluster.logs)


def test_a_taken_port_is_a_clear_error(sandbox: Sandbox, tmp_path: Path) -> None:
    other = Sandbox(
        tmp_path / "home",
        sandbox.cache,
        port_base=31700,
        config_file=tmp_path / "c.toml",
        log=lambda _m: None,
    )
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", other.ports.worker_rest[1]))
        blocker.listen()
        with pytest.raises(SandboxError, match=r"port 31784 \(worker-2 REST\) is already in use"):
            other.up()
    assert other.stray_pids() == []


def test_lifecycle_of_a_second_sandbox_leaves_no_process(sandbox: Sandbox, tmp_path: Path) -> None:
    """up, up again, status, down on other ports: nothing of it is left running."""
    home = tmp_path / "box"
    env_cmd = [sys.executable, "-m", "kctui", "sandbox"]
    common = ["--port-base", "31400", "--no-seed", "--config", str(tmp_path / "c.toml")]
    env = {"KCTUI_SANDBOX_HOME": str(home), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    import os

    env = {**os.environ, **env}
    first = subprocess.run([*env_cmd, "up", *common], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "sandbox up in" in first.stderr
    try:
        again = subprocess.run([*env_cmd, "up", *common], env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert "already up" in again.stderr
        status = subprocess.run(
            [*env_cmd, "status", *common], env=env, capture_output=True, text=True
        )
        assert status.returncode == 0
        assert status.stdout.count("running") == 5  # broker, two workers, feeder, registry
    finally:
        down = subprocess.run([*env_cmd, "down", *common], env=env, capture_output=True, text=True)
    assert down.returncode == 0, down.stderr
    left = subprocess.run(["pgrep", "-f", str(home)], capture_output=True, text=True)
    assert left.stdout.strip() == ""
    status = subprocess.run([*env_cmd, "status", *common], env=env, capture_output=True, text=True)
    assert status.returncode == 1 and "down" in status.stdout
