"""History of metrics (rates from counters, ring buffer), sparklines, formatting, layering."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kctui.metrics.history import MetricsHistory
from kctui.metrics.model import (
    MetricsSnapshot,
    SinkTaskMetrics,
    SourceTaskMetrics,
    TaskMetrics,
    WorkerSnapshot,
)
from kctui.ui.widgets.metrics_rows import fmt_count, fmt_duration_ms, fmt_rate
from kctui.ui.widgets.sparkline import BARS, sparkline


def snap(
    at: float, sink_totals: tuple[float, ...], source_total: float | None = None
) -> MetricsSnapshot:
    tasks = {
        ("sink", i): TaskMetrics(
            values={"status": "running", "running-ratio": 1.0},
            connector="sink",
            task=i,
            worker="w",
            sink=SinkTaskMetrics({"sink-record-send-total": total}),
        )
        for i, total in enumerate(sink_totals)
    }
    if source_total is not None:
        tasks[("src", 0)] = TaskMetrics(
            connector="src", task=0, worker="w",
            source=SourceTaskMetrics({"source-record-write-total": source_total}),
        )  # fmt: skip
    return MetricsSnapshot(workers=(WorkerSnapshot("w", "u", at, tasks=tasks),), fetched_at=at)


def test_rates_from_counters_per_task_and_connector() -> None:
    history = MetricsHistory()
    history.add(snap(10.0, (100.0, 0.0), 5.0))
    assert history.rate("sink", 0, "sink-record-send-total") is None  # one sample: no rate yet
    history.add(snap(12.0, (140.0, 10.0), 25.0))
    history.add(snap(14.0, (140.0, 30.0), 25.0))
    assert history.rates("sink", 0, "sink-record-send-total") == (20.0, 0.0)
    assert history.rates("sink", None, "sink-record-send-total") == (25.0, 10.0)
    assert history.throughput_rates("src") == (10.0, 0.0)
    assert history.delta("sink", 1, "sink-record-send-total") == 20.0
    assert history.previous is not None and history.latest is not None
    assert history.previous.fetched_at == 12.0


def test_counter_reset_and_ring_size() -> None:
    history = MetricsHistory(size=3)
    for at, total in ((1.0, 50.0), (2.0, 60.0), (3.0, 5.0), (4.0, 15.0), (5.0, 25.0)):
        history.add(snap(at, (total,)))
    assert history.values("sink", 0, "sink-record-send-total") == (5.0, 15.0, 25.0)
    history = MetricsHistory()
    history.add(snap(1.0, (50.0,)))
    history.add(snap(2.0, (5.0,)))  # task restarted: counter reset
    assert history.rates("sink", 0, "sink-record-send-total") == (0.0,)


def test_forget_drops_deleted_connectors() -> None:
    history = MetricsHistory()
    history.add(snap(1.0, (1.0,), 1.0))
    history.forget({"src"})
    assert history.values("sink", 0, "sink-record-send-total") == ()
    assert history.values("src", 0, "source-record-write-total") == (1.0,)


@pytest.mark.parametrize(
    ("values", "width", "expected"),
    [
        ([], 5, ""),
        ([0.0, 0.0], 5, BARS[0] * 2),
        ([3.0, 3.0, 3.0], 5, BARS[4] * 3),
        ([0.0, 7.0], 5, BARS[0] + BARS[7]),
        ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 8, BARS),
        ([9.0, 0.0, 7.0], 2, BARS[0] + BARS[7]),
        ([float("nan"), 1.0, 2.0], 5, BARS[0] + BARS[7]),
    ],
)
def test_sparkline(values: list[float], width: int, expected: str) -> None:
    assert sparkline(values, width) == expected


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (fmt_count, None, "–"),
        (fmt_count, 25_000.4, "25,000"),
        (fmt_rate, 7.25, "7.2"),
        (fmt_rate, 1234.5, "1,234"),
        (fmt_duration_ms, 45_000.0, "45s"),
        (fmt_duration_ms, 125_000.0, "2m 05s"),
        (fmt_duration_ms, 7_500_000.0, "2h 05m"),
        (fmt_duration_ms, 3 * 86_400_000.0, "3d 0h"),
        (fmt_duration_ms, -1.0, "–"),
    ],
)
def test_formatting(function, value, expected: str) -> None:  # noqa: ANN001
    assert function(value) == expected


def test_metrics_triage_and_health_do_not_import_textual() -> None:
    code = (
        "import sys, kctui.metrics.jmx, kctui.metrics.history, kctui.metrics.lag, "
        "kctui.triage, kctui.commands.triage, kctui.health;"
        "print(sorted(m for m in ('textual', 'kafka', 'jmxquery') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
