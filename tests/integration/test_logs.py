"""The log tailer against the sandbox's real worker logs (Kafka 4.3.1 Connect workers)."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from textual.app import App

from kctui.logs.feed import LogFeed
from kctui.logs.filters import LogFilter
from kctui.logs.sources import expand_path
from kctui.sandbox.cluster import Sandbox
from kctui.settings import ClusterConfig, LogSource
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.log_view import LogView
from tests import polling

pytestmark = pytest.mark.integration
FAILING = "demo-failing-sink"


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    polling.wait_until(condition, timeout=timeout, what=what or "a condition")


def indexed_feed(cluster: ClusterConfig) -> LogFeed:
    feed = LogFeed(cluster.logs)
    step = feed.step()
    while step.scanning:
        step = feed.step()
    return feed


def test_failure_lines_of_the_failing_sink_with_their_trace(
    sandbox_layouts_cluster: ClusterConfig,
) -> None:
    sandbox_cluster = sandbox_layouts_cluster
    # both workers' default-layout files, then their Strimzi-layout and JSON files
    kinds = [s.worker.split(" ")[-1] for s in sandbox_cluster.logs][2:]
    assert kinds == ["strimzi", "strimzi", "json", "json"]
    feed = indexed_feed(sandbox_cluster)
    try:
        rows = feed.build(LogFilter(connector=FAILING, failures_only=True))
        assert rows.rows, "the FAILED task's failure is in the workers' logs"
        assert list(rows.failure_rows) == list(range(len(rows.rows)))
        for packed in rows.rows:
            header = feed.header(packed)
            assert header.connector == FAILING and header.is_failure
        threw = [k for k in rows.rows if "Task threw an uncaught" in feed.read_line(k)]
        assert threw
        trace = feed.read_continuation(threw[-1])
        assert trace[0].startswith("org.apache.kafka.connect.errors.ConnectException")
        assert any("NoSuchFileException" in t for t in trace)
        assert any(t.lstrip().startswith("at org.apache.kafka.connect") for t in trace)
        everything = feed.build(LogFilter(connector=FAILING)).rows
        assert len(everything) > len(rows.rows)
        assert {feed.header(k).connector for k in everything} == {FAILING}
        workers = {feed.worker_of(k) for k in feed.build(LogFilter()).rows}
        assert workers == {s.worker for s in sandbox_cluster.logs}
    finally:
        feed.close()


def test_a_restarted_failing_task_shows_up_while_followed(sandbox_cluster: ClusterConfig) -> None:
    feed = indexed_feed(sandbox_cluster)
    flt = LogFilter(connector=FAILING, failures_only=True)
    try:
        before = len(feed.build(flt).rows)
        url = sandbox_cluster.urls[0]
        response = httpx.post(f"{url}/connectors/{FAILING}/tasks/0/restart", timeout=30)
        assert response.status_code in (200, 202, 204), response.text
        seen: list[int] = []

        def new_failure() -> bool:
            step = feed.step()
            seen.extend(feed.select_new(step.appended, flt).rows)
            return bool(seen)

        wait_for(new_failure, what="the restarted task's failure line")
        assert "Task threw an uncaught" in feed.read_line(seen[0])
        assert len(feed.build(flt).rows) > before
    finally:
        feed.close()


async def test_log_screen_opens_at_the_failure(sandbox_cluster: ClusterConfig) -> None:
    screen = LogScreen(sandbox_cluster, connector=FAILING, around_failure=True)

    class LogApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with LogApp().run_test(size=(140, 40)) as pilot:
        deadline = time.monotonic() + 30
        while not screen._jumped and time.monotonic() < deadline:
            await pilot.pause(0.05)
        view = screen.query_one(LogView)
        key = view.rows[view.cursor]
        header = screen.feed.header(key)
        assert header.is_failure and header.connector == FAILING
        deadline = time.monotonic() + 10  # unfolded once its trace is read
        while not view.is_expanded(key) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert view.is_expanded(key)
        assert not view.follow
        if len(view.failure_rows) > 1:
            await pilot.press("N")
            assert view.cursor == view.failure_rows[-2]


def real_lines(cluster: ClusterConfig, count: int) -> list[str]:
    path = expand_path(cluster.logs[0].path or "")[-1]
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = [line.rstrip("\n") for _, line in zip(range(count), log, strict=False)]
    assert len(lines) == count
    return lines


def test_rotation_and_truncation_of_a_followed_copy(
    sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    lines = real_lines(sandbox_cluster, 600)
    log = tmp_path / "connect.log"
    log.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    feed = LogFeed([LogSource("w", path=str(log))])

    def shown() -> list[str]:  # every line shown, traces included, in display order
        out: list[str] = []
        for key in feed.build(LogFilter()).rows:
            out += [feed.read_line(key), *feed.read_continuation(key)]
        return out

    assert feed.step().notices == ()
    assert shown() == lines[:200]
    with log.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines[200:300]) + "\n")
    log.rename(tmp_path / "connect.log.2026-11-24-00")  # what log4j's hourly roll does
    log.write_text("\n".join(lines[300:400]) + "\n", encoding="utf-8")
    step = feed.step()
    assert [(n.message, n.severity) for n in step.notices] == [
        (f"{log}: file rotated", "information")
    ]
    assert shown() == lines[:400]  # the rest of the old file, then the new one
    log.write_text("\n".join(lines[400:450]) + "\n", encoding="utf-8")  # truncated
    step = feed.step()
    assert [(n.message, n.severity) for n in step.notices] == [
        (f"{log}: file truncated", "warning")
    ]
    # What the truncation removed is gone; the rolled file stays readable before it.
    assert shown() == lines[:300] + lines[400:450]
    feed.close()


def test_headless_command_prints_the_failures(
    sandbox: Sandbox, sandbox_cluster: ClusterConfig
) -> None:
    kctui = shutil.which("kctui", path=str(Path(sys.executable).parent)) or "kctui"
    env = {**os.environ, "NO_COLOR": ""}
    result = subprocess.run(
        [kctui, "logs", "--cluster", "sandbox", "--config", str(sandbox.config_file),
         "--connector", FAILING, "--failures"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\033[" not in out  # not a terminal: plain text
    assert f"ERROR [{FAILING}|task-0]" in out and "Task threw an uncaught" in out
    assert "Caused by: java.nio.file.NoSuchFileException" in out
    headers = [line for line in out.splitlines() if " | [20" in line]
    assert headers and all(f"[{FAILING}|" in line for line in headers)
    paths = [p for s in sandbox_cluster.logs for p in expand_path(s.path or "")]
    direct = subprocess.run(
        [kctui, "logs", *paths, "--connector", FAILING, "--failures", "--no-trace"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert direct.returncode == 0, direct.stderr
    assert "Task threw an uncaught" in direct.stdout and "\tat " not in direct.stdout


def test_headless_follow_prints_new_records(sandbox_cluster: ClusterConfig, tmp_path: Path) -> None:
    lines = [t for t in real_lines(sandbox_cluster, 400) if t.startswith("[20")]
    log = tmp_path / "connect.log"
    log.write_text(lines[0] + "\n", encoding="utf-8")
    kctui = shutil.which("kctui", path=str(Path(sys.executable).parent)) or "kctui"
    process = subprocess.Popen(
        [kctui, "logs", str(log), "--follow", "--no-trace"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    printed: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            printed.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert printed.get(timeout=30) == lines[0]
        with log.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines[1:6]) + "\n")
        assert [printed.get(timeout=30) for _ in range(5)] == lines[1:6]
    finally:
        process.terminate()
        process.wait(timeout=10)
