"""Pilot tests of the log screen: follow/pause, N new lines, failures, filters, folding."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.color import Color

from kctui.logs.feed import FeedStep, LogFeed
from kctui.settings import ClusterConfig, LogSource
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.log_view import LogView

TRACE = [
    "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file",
    "\tat org.apache.kafka.connect.file.FileStreamSinkTask.start(FileStreamSinkTask.java:72)",
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.execute(WorkerSinkTask.java:3)",
    "Caused by: java.nio.file.NoSuchFileException: /missing/dir/out.txt",
    "\t... 10 more",
]


def info(second: int, connector: str, message: str) -> str:
    return (
        f"[2026-11-24 00:{second // 60:02d}:{second % 60:02d},000] INFO [{connector}|task-0] "
        f"{message} (org.apache.kafka.connect.runtime.WorkerSinkTask:100)"
    )


def failure(second: int, connector: str) -> list[str]:
    return [
        f"[2026-11-24 00:{second // 60:02d}:{second % 60:02d},500] ERROR [{connector}|task-0] "
        f"WorkerSinkTask{{id={connector}-0}} Task threw an uncaught and unrecoverable exception. "
        "Task is being killed and will not recover until manually restarted "
        "(org.apache.kafka.connect.runtime.WorkerTask:234)",
        *TRACE,
    ]


def write_log(path: Path, count: int = 200, failures_at: tuple[int, ...] = (50, 150)) -> None:
    lines: list[str] = []
    for second in range(count):
        name = "demo-failing-sink" if second % 2 else "demo-sink"
        lines.append(info(second, name, f"record batch {second}"))
        if second in failures_at:
            lines.extend(failure(second, "demo-failing-sink"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class LogApp(App[None]):
    def __init__(self, screen: LogScreen) -> None:
        super().__init__()
        self.log_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.log_screen)


def cluster_for(*paths: Path) -> ClusterConfig:
    logs = tuple(LogSource(worker=f"w{i + 1}", path=str(p)) for i, p in enumerate(paths))
    return ClusterConfig(name="test", urls=("http://127.0.0.1:1",), logs=logs)


async def until(pilot: object, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        await pilot.pause(0.02)  # type: ignore[attr-defined]


def all_read(view: LogView) -> bool:
    """Every row on screen is drawn from its record (none is a placeholder any more)."""
    for y in range(view.scrollable_content_region.height):
        row, sub = view._row_at(round(view.scroll_y) + y)
        if 0 <= row < len(view.rows):
            key = view.rows[row]
            if view.record(key) is None or (sub and view.trace(key) is None):
                return False
    return True


async def test_opens_following_at_the_end(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log)
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 202)
        # The view scrolls to the end, then settles there again after the layout pass.
        await until(pilot, lambda: 0 < view.scroll_y == view.max_scroll_y)
        assert view.follow
        assert view.cursor == len(view.rows) - 1
        assert "record batch 199" in screen.feed.header(view.rows[-1]).text
        assert len(view.failure_rows) == 2


async def test_scrolling_up_pauses_and_counts_new_lines(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log)
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 202)
        await pilot.press("pageup")
        assert not view.follow
        with log.open("a", encoding="utf-8") as out:
            for second in range(300, 305):
                out.write(info(second, "demo-sink", "late") + "\n")
        await until(pilot, lambda: view.new_lines == 5)
        status = str(screen.query_one("#log-status").render())
        assert "5 new lines" in status
        await pilot.press("f")
        assert view.follow and view.new_lines == 0
        assert view.cursor == len(view.rows) - 1 == 206


async def test_jumps_between_failures_and_expands_trace(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log)
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 202)
        await pilot.press("N")
        last = view.cursor
        assert screen.feed.header(view.rows[last]).is_failure
        await pilot.press("N")
        first = view.cursor
        assert first < last and screen.feed.header(view.rows[first]).is_failure
        await pilot.press("n")
        assert view.cursor == last
        lines_before = view.virtual_size.height
        await pilot.press("enter")
        await until(pilot, lambda: view.virtual_size.height > lines_before)  # its trace read
        assert view.virtual_size.height == lines_before + len(TRACE)
        assert view.trace(view.rows[last]) == tuple(TRACE)


async def test_connector_text_and_failure_filters(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log)
    screen = LogScreen(cluster_for(log), connector="demo-failing-sink")
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 102)
        assert {screen.feed.header(k).connector for k in view.rows} == {"demo-failing-sink"}
        await pilot.press("x")
        await until(pilot, lambda: len(view.rows) == 2)
        assert all(screen.feed.header(k).is_failure for k in view.rows)
        await pilot.press("x")
        await pilot.press("slash")
        await pilot.press(*"/batch 1[0-9]3[^0-9]/")
        await pilot.press("enter")
        await until(pilot, lambda: len(view.rows) == 10)
        assert all("batch 1" in screen.feed.header(k).text for k in view.rows)
        assert "filter: connector demo-failing-sink" in str(
            screen.query_one("#log-status").render()
        )


async def test_level_filter_and_bad_regex(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log)
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 202)
        for _ in range(4):  # all -> DEBUG -> INFO -> WARN -> ERROR
            await pilot.press("v")
        await until(pilot, lambda: len(view.rows) == 2)
        assert screen.log_filter.min_level == "ERROR"
        await pilot.press("slash", *"/[unclosed/", "enter")
        assert screen.log_filter.text == ""  # refused, the filter stays
        assert screen.query_one("#log-filter").has_class("-shown")


async def test_around_failure_opens_at_last_failure_of_two_workers(tmp_path: Path) -> None:
    first, second = tmp_path / "w1.log", tmp_path / "w2.log"
    write_log(first, failures_at=(20,))
    write_log(second, count=100, failures_at=(90,))
    screen = LogScreen(
        cluster_for(first, second), connector="demo-failing-sink", around_failure=True
    )
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: screen._jumped)
        assert not view.follow
        key = view.rows[view.cursor]
        assert screen.feed.header(key).is_failure
        assert screen.feed.worker_of(key) == "w2"  # 00:01:30 is the latest failure
        await until(pilot, lambda: view.is_expanded(key))  # unfolded once its trace is read
        assert view.show_worker


async def test_many_lines_appended_stay_responsive(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log, count=10)
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 10)
        with log.open("a", encoding="utf-8") as out:
            out.write("".join(info(i % 3600, "demo-sink", f"n{i}") + "\n" for i in range(20_000)))
        # A generous deadline: this checks that the view keeps up and follows, not how fast
        # (tests/bench/bench_logs.py measures that); a loaded machine is several times slower.
        await until(pilot, lambda: len(view.rows) == 20_010, timeout=60)
        await until(pilot, lambda: view.scroll_y == view.max_scroll_y, timeout=60)
        assert view.follow and view.cursor == 20_009
        assert "n19999" in screen.feed.header(view.rows[-1]).text


async def test_failures_are_drawn_in_the_theme_error_colour(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log)
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 202)
        await pilot.press("N", "enter")
        await until(pilot, lambda: view.is_expanded(view.rows[view.cursor]) and all_read(view))
        y = view._line_of_row(view.cursor) - round(view.scroll_y)
        error = Color.parse(pilot.app.theme_variables["error"]).rich_color
        header = [s for s in view.render_line(y) if "Task threw" in s.text]
        assert header and header[0].style is not None and header[0].style.color == error
        assert header[0].style.bold
        trace = "".join(s.text for s in view.render_line(y + 1))
        assert "ConnectException" in trace
        info = [s for s in view.render_line(0) if "record batch" in s.text]
        assert info and info[0].style is not None and info[0].style.color != error
        pilot.app.theme = "textual-light"
        await pilot.pause()
        light_error = Color.parse(pilot.app.theme_variables["error"]).rich_color
        header = [s for s in view.render_line(y) if "Task threw" in s.text]
        assert header[0].style is not None and header[0].style.color == light_error


async def test_no_sources_configured_says_how_to_add_them() -> None:
    cluster = ClusterConfig(name="bare", urls=("http://127.0.0.1:1",))
    screen = LogScreen(cluster)
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        notice = screen.query_one("#log-notice")
        assert notice.has_class("-shown")
        assert "[[clusters.bare.logs]]" in str(notice.render())


async def test_failing_command_shows_exit_code_and_restarts() -> None:
    script = (
        "echo '"
        + info(1, "demo-sink", "from ssh")
        + "'; echo 'ssh: Could not resolve' >&2; exit 255"
    )
    logs = (LogSource(worker="worker1", command=("sh", "-c", script)),)
    screen = LogScreen(ClusterConfig(name="c", urls=("http://127.0.0.1:1",), logs=logs))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        notice = screen.query_one("#log-notice")
        await until(pilot, lambda: notice.has_class("-error"))
        text = str(notice.render())
        assert "exited with code 255" in text and "Could not resolve" in text
        assert len(view.rows) == 1 and "from ssh" in screen.feed.header(view.rows[0]).text
        await pilot.press("r")
        await until(pilot, lambda: len(view.rows) == 2)
        await until(pilot, lambda: len(screen.notices) == 3)  # exit, restarted, exit again
        assert "exited with code 255" in screen.notices[-1].message


async def test_an_error_while_reading_is_shown_and_the_view_keeps_going(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    write_log(log, count=10)
    cluster = cluster_for(log)

    class FlakyFeed(LogFeed):
        calls = 0

        def step(self) -> FeedStep:
            FlakyFeed.calls += 1
            if FlakyFeed.calls == 1:
                raise OSError(5, "Input/output error")
            return super().step()

    screen = LogScreen(cluster, feed=FlakyFeed(cluster.logs))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 10)
        assert "Input/output error" in screen.notices[0].message
        assert screen.query_one("#log-notice").has_class("-error")


async def test_a_trace_written_after_its_line_is_read_again(tmp_path: Path) -> None:
    """A failure line drawn before its trace was written: once the trace (and the next
    line) arrive, the record is read again and its folded lines counted."""
    log = tmp_path / "connect.log"
    write_log(log, count=10, failures_at=())
    header = failure(20, "demo-failing-sink")[0]
    with log.open("a", encoding="utf-8") as out:
        out.write(header + "\n")
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(120, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 11 and all_read(view))
        key = view.rows[-1]
        loaded = view.record(key)
        assert loaded is not None and loaded.header.is_failure and loaded.count == 0
        with log.open("a", encoding="utf-8") as out:
            out.write("\n".join([*TRACE, info(21, "demo-sink", "after the trace")]) + "\n")
        await until(pilot, lambda: len(view.rows) == 12)
        await until(pilot, lambda: getattr(view.record(key), "count", 0) == len(TRACE))
        grown = view.record(key)
        assert grown is not None and "NoSuchFileException" in grown.cause
