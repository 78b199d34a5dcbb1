"""The sandbox's workers write their log three ways (Kafka default, Strimzi, log4j2 ECS JSON):
each gives the failing sink's task failure, with its cause, attributed to its connector."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.app import App

from kctui.commands.triage import gather_logs
from kctui.logs.feed import LogFeed
from kctui.logs.filters import LogFilter
from kctui.logs.layouts import detect
from kctui.logs.scan import failures_slow, scan_file
from kctui.logs.sources import expand_path
from kctui.settings import ClusterConfig, LogSource
from kctui.ui.screens.logs import LogScreen

pytestmark = pytest.mark.integration
FAILING = "demo-failing-sink"
CAUSE = "Caused by: java.nio.file.NoSuchFileException"
LAYOUTS = {"strimzi": "strimzi", "json": "ecs"}


def other_sources(cluster: ClusterConfig) -> dict[str, list[LogSource]]:
    """The Strimzi-layout and JSON sources of both workers, by kind."""
    found: dict[str, list[LogSource]] = {}
    for source in cluster.logs:
        if " " in source.worker:
            found.setdefault(source.worker.split(" ")[-1], []).append(source)
            assert expand_path(source.path or ""), f"{source.path} was not written"
    assert {kind: len(s) for kind, s in found.items()} == {"strimzi": 2, "json": 2}
    return found


def failing_worker_file(cluster: ClusterConfig, kind: str) -> str:
    """The file of this kind written by the worker that runs the failing task."""
    for source in other_sources(cluster)[kind]:
        path = expand_path(source.path or "")[-1]
        with open(path, encoding="utf-8", errors="replace") as log:
            if any(FAILING in line and "Task threw" in line for line in log):
                return path
    raise AssertionError(f"no {kind} file holds the failure of {FAILING}")


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_each_layout_gives_the_failure_with_its_cause(
    sandbox_layouts_cluster: ClusterConfig, kind: str
) -> None:
    feed = LogFeed(other_sources(sandbox_layouts_cluster)[kind])
    try:
        while feed.step().scanning:
            pass
        assert feed.layout_labels() == [LAYOUTS[kind]]
        rows = feed.build(LogFilter(connector=FAILING, failures_only=True)).rows
        assert rows, f"the FAILED task's failure is in a worker's {kind} file"
        threw = [k for k in rows if "Task threw an uncaught" in feed.header(k).text]
        assert threw
        header = feed.header(threw[-1])
        assert (header.connector, header.task, header.level) == (FAILING, 0, "ERROR")
        trace = feed.read_continuation(threw[-1])
        assert trace[0].startswith("org.apache.kafka.connect.errors.ConnectException")
        assert any(line.startswith(CAUSE) for line in trace)
        every = feed.build(LogFilter(failures_only=True)).rows
        assert all(feed.header(k).level in ("ERROR", "WARN", "FATAL") for k in every)
        infos = feed.build(LogFilter(connector=FAILING)).rows
        assert len(infos) > len(rows)  # its startup lines are there, and are not failures
    finally:
        feed.close()


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_fast_scan_equals_the_line_parser_on_live_files(
    sandbox_layouts_cluster: ClusterConfig, kind: str, tmp_path: Path
) -> None:
    live = failing_worker_file(sandbox_layouts_cluster, kind)
    copy = tmp_path / Path(live).name  # a still snapshot of a file the worker appends to
    shutil.copyfile(live, copy)
    data = copy.read_bytes()
    layout = detect(data[: 64 * 1024].decode("utf-8", "replace").splitlines()[:-1])
    assert layout.name == LAYOUTS[kind]
    slow = failures_slow(data, 0, layout)
    assert any(r.line.connector == FAILING for r in slow)
    assert scan_file(str(copy), chunk=4096) == slow
    assert scan_file(str(copy)) == slow


def test_headless_and_triage_read_the_json_file(sandbox_layouts_cluster: ClusterConfig) -> None:
    sources = other_sources(sandbox_layouts_cluster)
    path = failing_worker_file(sandbox_layouts_cluster, "json")
    kctui = shutil.which("kctui", path=str(Path(sys.executable).parent)) or "kctui"
    printed = subprocess.run(
        [kctui, "logs", path, "--failures", "--connector", FAILING, "--print"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert f"ERROR [{FAILING}|task-0]" in printed.stdout and CAUSE in printed.stdout
    assert '"@timestamp"' not in printed.stdout  # shown as text, not as JSON
    notes: list[str] = []
    only_other = ClusterConfig(name="x", urls=(), logs=(*sources["json"], *sources["strimzi"]))
    found = gather_logs(only_other, [FAILING], notes)
    assert not notes
    assert any("Task threw an uncaught" in line for line in found[FAILING])
    assert any(line.endswith("json]") for line in found[FAILING])
    assert any(line.endswith("strimzi]") for line in found[FAILING])


async def test_the_log_view_names_the_layouts(sandbox_layouts_cluster: ClusterConfig) -> None:
    screen = LogScreen(sandbox_layouts_cluster, connector=FAILING, around_failure=True)

    class LogApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with LogApp().run_test(size=(200, 40)) as pilot:
        deadline = time.monotonic() + 30
        while len(screen.layouts) < 3 and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert set(screen.layouts) == {"kafka", "strimzi", "ecs"}
        status = str(screen.query_one("#log-status").render())
        assert "layout: kafka, strimzi, ecs" in status
