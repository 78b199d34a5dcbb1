"""Benchmarks of the log tailer; prints figures, never passes or fails on time.

Run: ``.venv/bin/python tests/bench/bench_logs.py [--sizes 100,1024] [--repeat 3]``;
``--layouts [--layout-sizes 64,256 | --gib]``: the failure scan vs ``grep -c ERROR`` and the
time to the last screen, in the Kafka default, Strimzi and ECS JSON layouts.
Generates realistic Connect logs (real sandbox lines, stack traces) under
``/tmp/kctui-bench`` once and reuses them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "logs" / "sandbox-connect.log"
BENCH_DIR = Path("/tmp/kctui-bench")
BLOCK_DAYS_START = date(2026, 1, 1)


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _block() -> bytes:
    """About 4 MiB of real lines (the fixture, filler INFO lines, failures with traces)."""
    fixture = FIXTURE.read_text(encoding="utf-8").splitlines()
    filler = [
        "[2026-11-24 00:22:{s:02d},{ms:03d}] INFO [demo-source|task-0|offsets] "
        "WorkerSourceTask{{id=demo-source-0}} Committing offsets for {n} acknowledged messages "
        "(org.apache.kafka.connect.runtime.WorkerSourceTask:241)",
        "[2026-11-24 00:22:{s:02d},{ms:03d}] INFO [demo-sink|task-1] [Consumer clientId=connector-"
        "consumer-demo-sink-1, groupId=connect-demo-sink] Seeking to offset {n} for partition "
        "demo-lines-0 (org.apache.kafka.clients.consumer.KafkaConsumer:1580)",
        "[2026-11-24 00:22:{s:02d},{ms:03d}] WARN [Worker clientId=connect-127.0.0.1:29083, "
        "groupId=kctui-sandbox] Catching up to assignment's config offset. "
        "(org.apache.kafka.connect.runtime.distributed.DistributedHerder:1792)",
    ]
    out: list[str] = []
    n = 0
    while sum(len(x) + 1 for x in out) < 4 * 1024 * 1024:
        for template in filler * 30:
            n += 1
            out.append(template.format(s=(n // 1000) % 60, ms=n % 1000, n=n))
        out.extend(fixture)
    return ("\n".join(out) + "\n").encode()


def ensure_log(size_mib: int) -> Path:
    """A log of about ``size_mib`` MiB, generated once (each block one day later)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"connect-{size_mib}m.log"
    if path.exists() and path.stat().st_size >= size_mib * 1024 * 1024:
        return path
    block = _block()
    started = time.perf_counter()
    with open(path.with_suffix(".tmp"), "wb") as out:
        written = 0
        day = BLOCK_DAYS_START
        while written < size_mib * 1024 * 1024:
            out.write(block.replace(b"2026-11-24", day.isoformat().encode()))
            written += len(block)
            day += timedelta(days=1)
    path.with_suffix(".tmp").rename(path)
    print(f"generated {path} ({written / 2**20:.0f} MiB) in {time.perf_counter() - started:.1f} s")
    return path


# ----------------------------------------------------------------------------- open


def open_in_ui(path: str) -> dict[str, float]:
    """Open the log screen on ``path`` headless; time to the last screen painted (the last
    line drawn with its text: records are read off the UI thread), and RSS."""
    from textual.app import App
    from textual.strip import Strip

    from kctui.settings import ClusterConfig, LogSource
    from kctui.ui.screens.logs import LogScreen
    from kctui.ui.widgets.log_view import LogView

    cluster = ClusterConfig(
        name="bench", urls=("http://127.0.0.1:1",), logs=(LogSource("w", path),)
    )
    figures: dict[str, float] = {"rss_before_mib": rss_mib()}
    screen = LogScreen(cluster)
    painted: list[float] = []
    original = LogView.render_line

    def render_line(self: LogView, y: int) -> Strip:
        strip = original(self, y)
        if (
            self.rows
            and not painted
            and self._row_at(round(self.scroll_y) + y)[0] == len(self.rows) - 1
            and self.record(self.rows[-1]) is not None  # its text, not the placeholder
        ):
            painted.append(time.perf_counter())
        return strip

    LogView.render_line = render_line  # type: ignore[method-assign]

    class Bench(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async def scenario() -> None:
        started = time.perf_counter()
        async with Bench().run_test(size=(160, 50)) as pilot:
            while not painted:
                await pilot.pause(0.005)
            figures["last_screen_s"] = painted[0] - started
            figures["rss_at_first_screen_mib"] = rss_mib()
            view = screen.query_one(LogView)
            figures["records_at_first_screen"] = len(view.rows)
            while screen.scanning:
                await pilot.pause(0.05)
            figures["fully_indexed_s"] = time.perf_counter() - started
            figures["records"] = len(view.rows)
            figures["rss_fully_indexed_mib"] = rss_mib()
            key_started = time.perf_counter()
            await pilot.press("N")
            figures["jump_to_failure_s"] = time.perf_counter() - key_started

    asyncio.run(scenario())
    return figures


# ----------------------------------------------------------------------------- scan


def scan_versus_grep(path: Path) -> dict[str, float]:
    """grep -c ERROR, kctui's fast failure scan, and the full backward index, in one run."""
    from kctui.logs.index import FileIndex
    from kctui.logs.scan import scan_file

    started = time.perf_counter()
    grep = subprocess.run(["grep", "-c", "ERROR", str(path)], capture_output=True, text=True)
    grep_s = time.perf_counter() - started
    started = time.perf_counter()
    found = scan_file(str(path))
    fast_s = time.perf_counter() - started
    started = time.perf_counter()
    index = FileIndex(str(path))
    while not index.done:
        index.scan_back(64 * 1024 * 1024)
    index_s = time.perf_counter() - started
    indexed = index.failures()
    same = [r.offset for r in found] == list(indexed)
    index.close()
    started = time.perf_counter()
    headless = subprocess.run(
        [sys.executable, "-m", "kctui", "logs", "--failures", "--no-trace", str(path)],
        capture_output=True,
        text=True,
    )
    headless_s = time.perf_counter() - started
    return {
        "grep_c_error_s": grep_s,
        "grep_count": float(grep.stdout.strip() or 0),
        "kctui_failure_scan_s": fast_s,
        "kctui_failure_records": len(found),
        "ratio_scan_over_grep": fast_s / grep_s if grep_s else float("nan"),
        "kctui_full_index_s": index_s,  # record starts of every line + failures (the view)
        "ratio_index_over_grep": index_s / grep_s if grep_s else float("nan"),
        "index_failures_same": float(same),
        "headless_failures_cli_s": headless_s,  # kctui logs --failures, process start included
        "headless_lines_printed": float(headless.stdout.count("\n")),
    }


def merged_rebuild(path: Path) -> dict[str, float]:
    """Two workers merged (the same file twice): first build, then rebuilds after filter changes."""
    from kctui.logs.feed import LogFeed
    from kctui.logs.filters import LogFilter
    from kctui.settings import LogSource

    feed = LogFeed([LogSource("w1", str(path)), LogSource("w2", str(path))])
    while feed.step().scanning:
        pass
    figures: dict[str, float] = {}
    for name, flt in (
        ("first_build_s", LogFilter()),
        ("only_failures_s", LogFilter(failures_only=True)),
        ("all_again_s", LogFilter()),
    ):
        started = time.perf_counter()
        rows = feed.build(flt).rows
        figures[name] = time.perf_counter() - started
        figures[name.replace("_s", "_rows")] = len(rows)
    feed.close()
    return figures


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


# ----------------------------------------------------------------------------- follow


def follow_throughput(seconds: float) -> dict[str, float]:
    """Append lines as fast as possible while a feed follows the file (as the screen's pump)."""
    from kctui.logs.feed import LogFeed
    from kctui.logs.filters import LogFilter
    from kctui.settings import LogSource

    path = BENCH_DIR / "follow.log"
    path.write_bytes(b"")
    line = (
        "[2026-11-24 00:22:21,{ms:03d}] INFO [demo-sink|task-0] WorkerSinkTask{{id=demo-sink-0}} "
        "Committing offsets asynchronously using sequence number {n} "
        "(org.apache.kafka.connect.runtime.WorkerSinkTask:{n})\n"
    )
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        with open(path, "a", encoding="utf-8") as out:
            n = 0
            while not stop.is_set():
                out.write("".join(line.format(ms=i % 1000, n=n + i) for i in range(500)))
                out.flush()
                n += 500
            written[0] = n

    feed = LogFeed([LogSource("w", str(path))])
    feed.step()
    thread = threading.Thread(target=writer)
    started = time.perf_counter()
    thread.start()
    seen = 0
    flt = LogFilter(connector="demo-sink")
    while time.perf_counter() - started < seconds:
        step = feed.step()
        seen += len(feed.select_new(step.appended, flt).rows)
        time.sleep(0.05)
    stop.set()
    thread.join()
    while seen < written[0]:
        step = feed.step()
        if not step.appended:
            break
        seen += len(feed.select_new(step.appended, flt).rows)
    elapsed = time.perf_counter() - started
    feed.close()
    return {
        "lines_written": written[0],
        "lines_followed": seen,
        "followed_lines_per_s": seen / elapsed,
    }


def follow_in_ui(seconds: float) -> dict[str, float]:
    """The same while the log screen follows it; also the latency of a key press under load."""
    from textual.app import App

    from kctui.settings import ClusterConfig, LogSource
    from kctui.ui.screens.logs import LogScreen
    from kctui.ui.widgets.log_view import LogView

    path = BENCH_DIR / "follow-ui.log"
    path.write_bytes(b"")
    cluster = ClusterConfig(
        name="b", urls=("http://127.0.0.1:1",), logs=(LogSource("w", str(path)),)
    )
    screen = LogScreen(cluster)
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        with open(path, "a", encoding="utf-8") as out:
            n = 0
            while not stop.is_set():
                out.write(
                    "".join(
                        f"[2026-11-24 00:22:21,000] INFO [demo-sink|task-0] line {n + i} (a.B:1)\n"
                        for i in range(500)
                    )
                )
                out.flush()
                n += 500
                time.sleep(0.001)
            written[0] = n

    class Bench(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    figures: dict[str, float] = {}

    async def scenario() -> None:
        async with Bench().run_test(size=(160, 50)) as pilot:
            view = screen.query_one(LogView)
            thread = threading.Thread(target=writer)
            started = time.perf_counter()
            thread.start()
            lags = []
            while time.perf_counter() - started < seconds:
                tick = time.perf_counter()
                await asyncio.sleep(0.01)  # how late the event loop wakes up = UI lag
                lags.append(time.perf_counter() - tick - 0.01)
                if len(lags) % 20 == 0:
                    view.action_cursor(-1)  # scroll up (pauses), then resume following
                    view.resume_follow()
            stop.set()
            thread.join()
            deadline = time.perf_counter() + 30
            while len(view.rows) < written[0] and time.perf_counter() < deadline:
                await pilot.pause(0.05)
            elapsed = time.perf_counter() - started
            figures["ui_lines_written"] = written[0]
            figures["ui_lines_shown"] = len(view.rows)
            figures["ui_lines_per_s"] = len(view.rows) / elapsed
            lags.sort()
            figures["ui_loop_lag_median_s"] = lags[len(lags) // 2]
            figures["ui_loop_lag_p99_s"] = lags[int(len(lags) * 0.99)]
            figures["ui_loop_lag_max_s"] = lags[-1]

    asyncio.run(scenario())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1024", help="log sizes in MiB")
    parser.add_argument(
        "--layouts", action="store_true", help="only: scan vs grep and opening, per layout"
    )
    parser.add_argument(
        "--layout-sizes", default="64,256", help="log sizes in MiB for --layouts"
    )
    parser.add_argument("--gib", action="store_true", help="--layouts on 256 MiB and 1 GiB")
    parser.add_argument("--follow-seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median shown)")
    parser.add_argument("--open-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.open_only:  # child process: one clean RSS measurement per file
        print(json.dumps(open_in_ui(args.open_only)))
        return
    if args.layouts:
        from tests.bench import layout_logs

        sizes = [256, 1024] if args.gib else [int(s) for s in args.layout_sizes.split(",")]
        layout_logs.run(sizes, args.repeat, _block(), __file__)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        path = ensure_log(size)
        opened = []
        for _ in range(args.repeat):
            child = subprocess.run(
                [sys.executable, __file__, "--open-only", str(path)], capture_output=True, text=True
            )
            if child.returncode != 0:
                print(child.stderr[-2000:])
                continue
            opened.append(json.loads(child.stdout.strip().splitlines()[-1]))
        mib = path.stat().st_size / 2**20
        print(f"\n== open {path.name} ({mib:.0f} MiB), median of {len(opened)}")
        for key, value in (median_of(opened) if opened else {}).items():
            print(f"  {key:28} {value:,.3f}")
        print(f"== scan {path.name} for failures, side by side with grep -c ERROR")
        scans = [scan_versus_grep(path) for _ in range(args.repeat)]
        for key, value in median_of(scans).items():
            print(f"  {key:28} {value:,.3f}")
    path = ensure_log(min(sizes))
    print(f"\n== merged view of {path.name} twice (two workers), median of {args.repeat}")
    rebuilds = [merged_rebuild(path) for _ in range(args.repeat)]
    for key, value in median_of(rebuilds).items():
        print(f"  {key:28} {value:,.3f}")
    print("\n== follow (feed, connector filter)")
    for key, value in follow_throughput(args.follow_seconds).items():
        print(f"  {key:28} {value:,.1f}")
    print("== follow (log screen, headless)")
    for key, value in follow_in_ui(args.follow_seconds).items():
        print(f"  {key:28} {value:,.3f}")


if __name__ == "__main__":
    os.environ.setdefault("TEXTUAL", "")
    main()
