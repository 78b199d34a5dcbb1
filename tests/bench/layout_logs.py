"""Big logs in three layouts for the benchmarks: Kafka default, Strimzi, log4j2 ECS JSON.

All three are written from the same records: the real sandbox lines and filler of
``bench_logs._block()`` (Kafka default layout, with stack traces), re-written record by
record in the Strimzi pattern or as one ECS JSON event per record (the trace inside it).
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from kctui.logs.layouts import group_records

BENCH_DIR = Path("/tmp/kctui-bench")
LAYOUTS = ("kafka", "strimzi", "ecs")
_HEADER = re.compile(r"^\[(?P<ts>[^\]]+)\] (?P<rest>.*) \((?P<logger>[\w$.]+)(?::\d+)?\)$")


def _strimzi(block: str) -> str:
    out = []
    for line in block.split("\n"):
        match = _HEADER.match(line)
        if match is None:
            out.append(line)  # trace and other continuation lines are written as they are
            continue
        out.append(f"{match['ts']} {match['rest']} ({match['logger']}) [task-thread-bench-0]")
    return "\n".join(out)


def _ecs(block: str) -> str:
    out = []
    for record in group_records(block.split("\n")):
        line = record.line
        if not line.timestamp or not line.level:
            continue
        ts = line.timestamp.replace(" ", "T").replace(",", ".") + "Z"
        event: dict[str, str] = {
            "@timestamp": ts,
            "ecs.version": "1.2.0",
            "log.level": line.level,
            "message": line.message,
            "process.thread.name": "task-thread-bench-0",
            "log.logger": line.logger or "",
        }
        if line.connector:
            scope = f"task-{line.task}" if line.task is not None else "worker"
            event["connector.context"] = f"[{line.connector}|{scope}] "
        trace = [t for t in record.continuation if t.strip()]
        if trace:
            head = trace[0].split(": ", 1)
            event["error.type"] = head[0]
            event["error.message"] = head[1] if len(head) > 1 else ""
            event["error.stack_trace"] = "\n".join(trace) + "\n"
        out.append(json.dumps(event, separators=(",", ":")))
    return "\n".join(out) + "\n"


def block(layout: str, kafka_block: bytes) -> bytes:
    text = kafka_block.decode("utf-8", "replace")
    if layout == "strimzi":
        return _strimzi(text).encode()
    if layout == "ecs":
        return _ecs(text).encode()
    return kafka_block


def ensure(layout: str, size_mib: int, kafka_block: bytes) -> Path:
    """A log of about ``size_mib`` MiB in ``layout``, generated once (each block a day later)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "json" if layout == "ecs" else "log"
    path = BENCH_DIR / f"layout-{layout}-{size_mib}m.{suffix}"
    if path.exists() and path.stat().st_size >= size_mib * 1024 * 1024:
        return path
    data = block(layout, kafka_block)
    started = time.perf_counter()
    with open(path.with_suffix(".tmp"), "wb") as out:
        written, day = 0, date(2026, 1, 1)
        while written < size_mib * 1024 * 1024:
            out.write(data.replace(b"2026-11-24", day.isoformat().encode()))
            written += len(data)
            day += timedelta(days=1)
    path.with_suffix(".tmp").rename(path)
    print(f"generated {path} ({written / 2**20:.0f} MiB) in {time.perf_counter() - started:.1f} s")
    return path


# ----------------------------------------------------------------------------- figures


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]} if runs else {}


def scan_vs_grep(path: Path) -> dict[str, float]:
    """grep -c ERROR and kctui's failure scan (layout detected) on one file, side by side."""
    from kctui.logs.scan import scan_file

    mib = path.stat().st_size / 2**20
    started = time.perf_counter()
    subprocess.run(["grep", "-c", "ERROR", str(path)], capture_output=True, check=False)
    grep_s = time.perf_counter() - started
    started = time.perf_counter()
    found = scan_file(str(path))
    scan_s = time.perf_counter() - started
    return {
        "grep_c_error_mib_s": mib / grep_s,
        "kctui_scan_mib_s": mib / scan_s,
        "scan_throughput_vs_grep": grep_s / scan_s,  # goal: >= 0.5
        "failure_records": len(found),
    }


def run(sizes: list[int], repeat: int, kafka_block: bytes, bench_script: str) -> None:
    """Scan vs grep, and opening (in a child process each), for the three layouts."""
    for layout in LAYOUTS:
        print(f"\n== layout {layout}")
        for size in sizes:
            path = ensure(layout, size, kafka_block)
            scans = _median([scan_vs_grep(path) for _ in range(repeat)])
            opened = []
            for _ in range(repeat):
                child = subprocess.run(
                    [sys.executable, bench_script, "--open-only", str(path)],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                if child.returncode == 0:
                    opened.append(json.loads(child.stdout.strip().splitlines()[-1]))
                else:
                    print(child.stderr[-2000:])
            shown = _median(opened)
            print(
                f"  {size:>5} MiB  grep {scans['grep_c_error_mib_s']:7,.0f} MiB/s  "
                f"scan {scans['kctui_scan_mib_s']:6,.0f} MiB/s  "
                f"ratio {scans['scan_throughput_vs_grep']:.2f}x  "
                f"failures {scans['failure_records']:,.0f}  "
                f"last screen {shown.get('last_screen_s', float('nan')):.3f} s  "
                f"rss {shown.get('rss_at_first_screen_mib', float('nan')):.0f} MiB"
            )
