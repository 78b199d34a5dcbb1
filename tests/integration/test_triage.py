"""``kctui triage`` against the sandbox: names the failed and the DLQ connectors, exits 1."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from kctui.sandbox.cluster import Sandbox
from kctui.settings import ClusterConfig

pytestmark = pytest.mark.integration


def triage(sandbox: Sandbox, fmt: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kctui", "--config", str(sandbox.config_file), "triage",
         "--cluster", "sandbox", "--format", fmt],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def failing_task_exception(cluster: ClusterConfig) -> str:
    """The first line of the FAILED task's trace, as the REST API reports it now."""
    status = httpx.get(f"{cluster.urls[0]}/connectors/demo-failing-sink/status", timeout=10).json()
    traces = [t["trace"] for t in status["tasks"] if t["state"] == "FAILED"]
    assert traces, f"demo-failing-sink has no FAILED task: {status}"
    return str(traces[0]).strip().splitlines()[0]


def test_triage_json_names_failed_and_dlq_connectors(
    sandbox: Sandbox, sandbox_cluster: ClusterConfig, fresh_dead_letters: int
) -> None:
    result = triage(sandbox, "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    findings = {f["name"]: f for f in report["findings"]}
    failing = findings["demo-failing-sink"]
    assert failing["health"] == "UNHEALTHY"
    exception = failing_task_exception(sandbox_cluster)
    assert failing["failed_tasks"][0]["exception"] == exception
    assert exception.split(":")[0] in failing["reason"]
    assert len(failing["failed_tasks"][0]["trace"]) > 1
    dlq = findings["demo-dlq-sink"]["dlq"]
    assert dlq["topic"] == "demo-orders-dlq"
    data_exceptions = dlq["by_exception"].get("org.apache.kafka.connect.errors.DataException", 0)
    assert data_exceptions > 0 and dlq["total"] >= data_exceptions
    assert findings["demo-dlq-sink"]["metrics"]["dlq_produce_requests"] > 0
    assert report["unhealthy"] >= 1
    assert "demo-source" not in findings  # healthy connectors stay out


def test_triage_text_and_markdown(sandbox: Sandbox, sandbox_cluster: ClusterConfig) -> None:
    exception_class = failing_task_exception(sandbox_cluster).split(":")[0]
    text = triage(sandbox, "text")
    assert text.returncode == 1, text.stderr
    assert "UNHEALTHY demo-failing-sink" in text.stdout
    assert exception_class in text.stdout
    assert "DLQ demo-orders-dlq:" in text.stdout and "DataException x" in text.stdout
    markdown = triage(sandbox, "markdown")
    assert markdown.returncode == 1
    assert "## UNHEALTHY: `demo-failing-sink`" in markdown.stdout
    assert markdown.stdout.count("```") % 2 == 0
