"""The headless commands as a user runs them against the secure sandbox's ``sandbox-secure``
entry: REST over HTTPS with basic auth, Kafka over SASL_SSL/SCRAM, metrics over HTTPS.
No output may carry a password."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from kctui.sandbox import scenario
from kctui.sandbox.scenario import _topic_size
from kctui.settings import ClusterConfig
from tests.integration.cli import run_kctui
from tests.polling import wait_until

pytestmark = pytest.mark.integration

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def kctui(
    secure_config_file: Path, every_secret: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Run:
    """Run kctui on the secure cluster (its own state folder); fail on any secret printed."""
    state = tmp_path_factory.mktemp("secure-state")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = run_kctui(*args, config=secure_config_file, env={"XDG_STATE_HOME": str(state)})
        leaked = [s for s in every_secret if s in done.stdout + done.stderr]
        assert not leaked, f"a password was printed by kctui {' '.join(args)}"
        assert "Traceback" not in done.stderr, done.stderr
        return done

    return run


def test_status_lists_the_demo_connectors(kctui: Run) -> None:
    done = kctui("status", "--json")
    assert done.returncode == 1, done.stderr  # demo-failing-sink is UNHEALTHY
    document = json.loads(done.stdout)
    assert {row["name"] for row in document["connectors"]} >= set(scenario.CONNECTORS)
    assert document["connectors"][0]["name"] == scenario.FAILING_SINK
    assert all(w["url"].startswith("https://") for w in document["workers"])
    assert all(w["health"]["status"] == "healthy" for w in document["workers"])


def test_describe_shows_the_failing_task_trace(kctui: Run) -> None:
    done = kctui("describe", scenario.FAILING_SINK)
    assert done.returncode == 1, done.stderr
    assert "Cluster   sandbox-secure" in done.stdout
    assert "Caused by: java.nio.file.NoSuchFileException" in done.stdout


def test_dlq_reads_dead_letters_over_sasl_ssl(kctui: Run) -> None:
    topics = kctui("dlq", "--json")
    assert topics.returncode == 0, topics.stderr
    counts = {line["topic"]: line for line in map(json.loads, topics.stdout.splitlines())}
    assert counts[scenario.DLQ_TOPIC]["connector"] == scenario.DLQ_SINK
    assert counts[scenario.DLQ_TOPIC]["records"] >= scenario.MALFORMED_RECORDS
    page = kctui("dlq", scenario.DLQ_TOPIC, "--limit", "5")
    assert page.returncode == 0, page.stderr
    assert page.stdout.count("VALUE_CONVERTER") == 5 and "DataException" in page.stdout


def test_dlq_summary_diagnoses_the_dead_letters(kctui: Run) -> None:
    done = kctui("dlq", scenario.DLQ_TOPIC, "--summary")
    assert done.returncode == 0, done.stderr
    assert "converter-not-json" in done.stdout
    assert "VALUE_CONVERTER" in done.stdout


@pytest.mark.parametrize("source", ["prometheus", "jolokia"])
def test_metrics_over_https_sources(kctui: Run, source: str) -> None:
    done = kctui("metrics", "--connector", "demo-sink", "--source", source, "--json")
    assert done.returncode == 0, done.stderr
    workers = json.loads(done.stdout)["workers"]
    assert len(workers) == 2 and all(w["error"] is None for w in workers), workers
    assert all(w["url"].startswith("https://") for w in workers)
    tasks = [t for w in workers for t in w["tasks"]]
    assert sorted(t["task"] for t in tasks) == [0, 1]
    assert all(t["metrics"]["status"] == "running" for t in tasks)


def test_watch_once_read_only_reports_the_failed_task(kctui: Run) -> None:
    done = kctui("watch", "--once", "--read-only", "--json", "--auto-restart")
    assert done.returncode in (0, 1), done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    failing = [e for e in events if e["connector"] == scenario.FAILING_SINK]
    assert {e["event"] for e in failing} >= {"failed", "would-restart"}, events
    assert all(e["cluster"] == "sandbox-secure" for e in events)


def test_apply_dry_run_validates_over_https_and_writes_nothing(
    kctui: Run, secure_cluster: ClusterConfig, tmp_path: Path
) -> None:
    config = scenario.connector_configs(Path("/nowhere"))[scenario.SINK] | {"tasks.max": "1"}
    spec = tmp_path / "demo-sink.json"
    spec.write_text(json.dumps({"name": scenario.SINK, "config": config}), encoding="utf-8")
    done = kctui("apply", "-f", str(spec), "--dry-run")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "would update" in done.stdout and "nothing was written" in done.stdout
    described = kctui("describe", scenario.SINK, "--json")
    assert json.loads(described.stdout)["config"]["tasks.max"] == "2"  # unchanged


def test_redrive_to_a_new_topic(kctui: Run, secure_cluster: ClusterConfig) -> None:
    target = f"secure-redrive-{uuid.uuid4().hex[:8]}"
    done = kctui("dlq", "redrive", scenario.DLQ_TOPIC, "--offsets", "0:0-9", "--to", target)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "sent 10, failed 0" in done.stdout
    assert secure_cluster.kafka is not None
    kafka = secure_cluster.kafka.client_kwargs()  # read back as kctui's own SCRAM user
    wait_until(lambda: _topic_size(kafka, target) == 10, timeout=30, what=f"10 records in {target}")
