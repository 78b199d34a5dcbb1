"""``kctui metrics`` as a user runs it: a subprocess with the sandbox's config, per
source, and exit code 2 when no source answers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kctui.configfile import dump_toml
from kctui.sandbox.cluster import Sandbox
from kctui.settings import ClusterConfig
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration


def kctui(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    return run_kctui("--cluster", "sandbox", *args, config=config)


@pytest.mark.parametrize("source", ["prometheus", "jolokia", "jmx"])
def test_every_task_metric_by_its_connect_name_from_each_source(
    sandbox: Sandbox, sandbox_cluster: ClusterConfig, source: str
) -> None:
    result = kctui(
        "metrics", "--connector", "demo-sink", "--source", source, "--json",
        config=sandbox.config_file,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {w["source"] for w in document["workers"]} == {source}
    tasks = [t for w in document["workers"] for t in w["tasks"]]
    assert sorted(t["task"] for t in tasks) == [0, 1]
    assert {t["connector"] for t in tasks} == {"demo-sink"}
    for task in tasks:
        metrics = task["metrics"]
        assert metrics["status"] == "running"
        assert metrics["sink-record-read-total"] >= 0
        assert "offset-commit-avg-time-ms" in metrics and "sink-record-read-rate" in metrics
    assert all(w["read_at"] > 0 and w["error"] is None for w in document["workers"])


def test_text_output_names_the_source_and_the_time(sandbox: Sandbox) -> None:
    result = kctui(
        "metrics", "--connector", "demo-source", "--source", "prometheus",
        config=sandbox.config_file,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "prometheus (preset strimzi)" in result.stdout
    assert "task demo-source/0" in result.stdout
    assert "source-record-write-total" in result.stdout


def test_exit_2_when_no_source_answers(tmp_path: Path, sandbox_cluster: ClusterConfig) -> None:
    config = tmp_path / "config.toml"
    table = {
        "urls": list(sandbox_cluster.urls),
        "timeout": 3,
        "metrics": [
            {"worker": "w1:8083", "source": "prometheus", "url": "http://127.0.0.1:9/metrics"},
            {"worker": "w2:8083", "source": "jolokia", "url": "http://127.0.0.1:9/jolokia/"},
        ],
    }
    config.write_text(dump_toml({"clusters": {"sandbox": table}}))
    result = kctui("metrics", config=config)
    assert result.returncode == 2
    assert "prometheus: connection refused" in result.stdout
    assert "jolokia: connection refused" in result.stdout
    assert "no metrics source answered" in result.stderr
    result = kctui("metrics", "--source", "jmx", config=config)
    assert result.returncode == 2 and "no jmx source configured" in result.stderr
