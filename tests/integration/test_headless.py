"""``kctui status`` and ``kctui describe`` as a user runs them: a subprocess against the
sandbox and against a URL where nothing listens."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kctui.settings import ClusterConfig
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration


def kctui(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_kctui(*args, config=tmp_path / "absent.toml")


@pytest.fixture
def url(sandbox_cluster: ClusterConfig) -> str:
    return ",".join(sandbox_cluster.urls)


def test_status_table_puts_the_failing_connector_first(url: str, tmp_path: Path) -> None:
    result = kctui("status", "--url", url, tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert "connectors" in lines[0] and "2 workers" in lines[0]
    assert lines[1].split()[:8] == [
        "NAME", "TYPE", "STATE", "TASKS", "FAILED", "WORKERS", "HEALTH", "REASON"
    ]  # fmt: skip
    first = lines[2].split()
    assert first[0] == "demo-failing-sink" and first[6] == "UNHEALTHY"
    assert "ConnectException" in lines[2]
    assert "\x1b[" not in result.stdout  # no colours when stdout is not a terminal
    healthy = next(line for line in lines if line.startswith("demo-sink "))
    assert "HEALTHY" in healthy.split() and "2/2" in healthy.split()


def test_status_json(url: str, tmp_path: Path) -> None:
    result = kctui("status", "--json", "--url", url, tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    rows = {row["name"]: row for row in document["connectors"]}
    assert document["connectors"][0]["health"] == "UNHEALTHY"
    assert rows["demo-failing-sink"]["failed_task_ids"] == [0]
    assert rows["demo-paused"]["health"] == "PAUSED"
    assert rows["demo-stopped"]["tasks_total"] == 0
    workers = {w["url"]: w for w in document["workers"]}
    assert set(workers) == set(url.split(","))  # every worker, each on its own URL
    for worker in workers.values():
        assert worker["health"]["status"] == "healthy", worker  # KIP-1017 on Kafka 4.x
        assert "startup" in worker["health"]["message"]
        assert 0 <= worker["ms"] < 5000
    assert document["summary"]["health"]["UNHEALTHY"] >= 1


def test_describe_failing_sink_shows_the_trace(url: str, tmp_path: Path) -> None:
    result = kctui("--url", url, "describe", "demo-failing-sink", tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Health    UNHEALTHY" in out
    assert "FAILED" in out and "Caused by: java.nio.file.NoSuchFileException" in out
    assert "at org.apache.kafka.connect.file.FileStreamSinkTask.start" in out
    assert "connector.class = org.apache.kafka.connect.file.FileStreamSinkConnector" in out


def test_describe_smt_chain_in_order(url: str, tmp_path: Path) -> None:
    result = kctui("describe", "demo-smt-source", "--json", "--url", url, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    config = document["config"]
    aliases = [a.strip() for a in config["transforms"].split(",")]
    assert [step["alias"] for step in document["transforms"]] == aliases
    assert all(step["type"].startswith("org.apache.kafka") for step in document["transforms"])


def test_describe_unknown_connector(url: str, tmp_path: Path) -> None:
    result = kctui("describe", "test-headless-nope", "--url", url, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "no connector named 'test-headless-nope'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["status"], ["describe", "demo-sink"]])
def test_unreachable_cluster_is_one_clear_line(command: list[str], tmp_path: Path) -> None:
    result = kctui(*command, "--url", "http://127.0.0.1:9", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "kctui: cannot reach Kafka Connect at http://127.0.0.1:9/connectors"
        + ("" if command == ["status"] else "/demo-sink")
        + ": connection refused"
    ]
