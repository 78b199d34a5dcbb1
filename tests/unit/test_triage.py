"""The triage report: which connectors it names, what it says, masking, formats, exit code."""

from __future__ import annotations

import json
from pathlib import Path

from kctui.commands.triage import gather_logs
from kctui.connect.models import ClusterState
from kctui.health import Health
from kctui.masking import MASK
from kctui.metrics.model import (
    MetricsSnapshot,
    RebalanceMetrics,
    SinkTaskMetrics,
    TaskErrorMetrics,
    TaskMetrics,
    WorkerMetrics,
    WorkerSnapshot,
)
from kctui.settings import ClusterConfig, LogSource
from kctui.triage import DlqCount, build_report, render_json, render_markdown, render_text

TRACE = (
    "org.apache.kafka.connect.errors.DataException: cannot reach "
    "jdbc:postgresql://app:hunter2@db:5432/x\n\tat a.b.C.d(C.java:1)\n\tat e.f.G.h(G.java:2)"
)


def cluster_state() -> ClusterState:
    def entry(state: str, tasks: list[dict], config: dict[str, str]) -> dict:
        return {
            "status": {
                "connector": {"state": state, "worker_id": "w1"},
                "tasks": tasks,
                "type": "sink",
            },
            "info": {"config": config, "tasks": [], "type": "sink"},
        }

    running = {"id": 0, "state": "RUNNING", "worker_id": "w1"}
    return ClusterState.from_json(
        {
            "broken": entry(
                "RUNNING",
                [{"id": 0, "state": "FAILED", "worker_id": "w2", "trace": TRACE}],
                {"connector.class": "X", "connection.password": "hunter2"},
            ),
            "tolerant": entry(
                "RUNNING", [running], {"errors.deadletterqueue.topic.name": "tolerant-dlq"}
            ),
            "lagging": entry("RUNNING", [running], {}),
            "fine": entry("RUNNING", [running], {}),
            "paused": entry("PAUSED", [{"id": 0, "state": "PAUSED", "worker_id": "w1"}], {}),
        }
    )


def metrics() -> MetricsSnapshot:
    def task(name: str, errors: float) -> TaskMetrics:
        return TaskMetrics(
            values={"status": "running", "running-ratio": 1.0},
            connector=name,
            task=0,
            worker="w1",
            sink=SinkTaskMetrics({"sink-record-send-rate": 2.0}),
            errors=TaskErrorMetrics(
                {"total-record-errors": errors, "deadletterqueue-produce-requests": errors}
            ),
        )

    tasks = {
        (n, 0): task(n, 340.0 if n == "tolerant" else 0.0) for n in ("tolerant", "lagging", "fine")
    }
    return MetricsSnapshot(
        workers=(
            WorkerSnapshot(
                "w1",
                "u1",
                1.0,
                tasks=tasks,
                worker_metrics=WorkerMetrics({"task-startup-failure-total": 3.0}),
                rebalance=RebalanceMetrics({"rebalancing": 1.0}),
            ),  # fmt: skip
            WorkerSnapshot("w2", "u2", 1.0, error="connection refused: nothing listens"),
        ),
        sink_lag={"lagging": 25_000, "fine": 3},
    )


def report():
    return build_report(
        "prod",
        cluster_state(),
        metrics=metrics(),
        lag_threshold=10_000,
        dlq_counts={
            "tolerant": DlqCount(
                "tolerant-dlq", 340, 340, (("org.apache.kafka.connect.errors.DataException", 340),)
            )
        },
        log_lines={
            "broken": [
                "[2026-01-01 00:00:00,000] ERROR [broken|task-0] Task threw ... password=hunter2"
            ]
        },
        notes=["JMX of worker w2 (u2): connection refused"],
        now=0.0,
    )


def test_findings_and_exit_code() -> None:
    r = report()
    names = [f.name for f in r.findings]
    assert names == ["broken", "lagging", "tolerant"]  # worst first; healthy-but-dropping last
    assert [f.health for f in r.findings] == [Health.UNHEALTHY, Health.DEGRADED, Health.HEALTHY]
    assert r.exit_code == 1
    broken = r.findings[0]
    assert broken.failed_tasks[0].exception.startswith(
        "org.apache.kafka.connect.errors.DataException"
    )
    assert broken.failed_tasks[0].worker == "w2"
    assert "lag 25,000 > 10,000" in r.findings[1].reason
    assert "340 records failed" in r.findings[2].reason
    assert r.health_counts == {"UNHEALTHY": 1, "DEGRADED": 1, "PAUSED": 1, "HEALTHY": 2}


def test_secrets_are_masked_everywhere() -> None:
    r = report()
    for text in (render_text(r), render_markdown(r), json.dumps(render_json(r))):
        assert "hunter2" not in text
        assert MASK in text


def test_text_report_names_everything() -> None:
    text = render_text(report())
    assert "UNHEALTHY broken (sink, RUNNING)" in text
    assert "task 0 FAILED on w2:" in text
    assert "at a.b.C.d(C.java:1)" in text
    assert (
        "DLQ tolerant-dlq: 340 records; by exception: "
        "org.apache.kafka.connect.errors.DataException x340" in text
    )
    assert "note: JMX of worker w2 (u2): connection refused" in text
    assert "note: worker w1 is rebalancing now" in text
    assert "note: worker w1: 3 task startup failures since it started" in text
    assert "record errors 340" in text
    assert "recent failure lines in the logs (1)" in text


def test_markdown_and_json_shapes() -> None:
    md = render_markdown(report())
    assert md.startswith("# Triage of `prod`")
    assert "## UNHEALTHY: `broken`" in md and md.count("```") % 2 == 0
    doc = render_json(report())
    assert doc["unhealthy"] == 2
    tolerant = doc["findings"][2]
    assert tolerant["dlq"]["by_exception"] == {"org.apache.kafka.connect.errors.DataException": 340}
    assert tolerant["metrics"]["record_errors"] == 340.0
    assert doc["findings"][0]["config"]["connection.password"] == MASK


def test_all_healthy_exits_zero() -> None:
    state = ClusterState.from_json(
        {
            "ok": {
                "status": {
                    "connector": {"state": "RUNNING"},
                    "tasks": [{"id": 0, "state": "RUNNING"}],
                }
            }
        }
    )
    r = build_report("c", state, now=0.0)
    assert r.findings == () and r.exit_code == 0
    assert "nothing unhealthy" in render_text(r)


def test_gather_logs_finds_failure_lines_per_connector(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_text(
        "[2026-11-24 00:22:21,499] INFO [broken|task-0] Starting task (x:1)\n"
        "[2026-11-24 00:22:21,500] ERROR [broken|task-0] WorkerSinkTask{id=broken-0} Task threw an "
        "uncaught and unrecoverable exception. Task is being killed (WorkerTask:251)\n"
        "\tat some.Trace(T.java:1)\n"
        "[2026-11-24 00:22:22,000] ERROR [other|task-0] Task threw an uncaught exception (W:1)\n"
    )
    notes: list[str] = []
    cluster = ClusterConfig(
        name="c",
        urls=("http://x",),
        logs=(
            LogSource(worker="w1", path=str(tmp_path / "connect.log*")),
            LogSource(worker="w2", command=("ssh", "x")),
        ),
    )
    found = gather_logs(cluster, ["broken"], notes)
    assert list(found) == ["broken"]
    assert len(found["broken"]) == 1 and "Task threw" in found["broken"][0]
    assert found["broken"][0].endswith("[w1]")
    assert any("command sources" in n for n in notes)


def test_mask_text_cases() -> None:
    from kctui.triage import mask_text

    assert mask_text("login password=hunter2 ok") == f"login password={MASK} ok"
    assert mask_text('{"db.password": "hunter2"}') == f'{{"db.password": "{MASK}"}}'
    assert mask_text("https://u:pw@host/x") == f"https://u:{MASK}@host/x"
    assert mask_text("partition=3 offset=7") == "partition=3 offset=7"
