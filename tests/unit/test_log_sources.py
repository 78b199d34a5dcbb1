"""File and command log sources: rotation, truncation, late files, bad bytes, failing commands."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kctui.configfile import load_config, resolve_cluster
from kctui.logs.feed import FeedStep, LogFeed
from kctui.logs.filters import LogFilter
from kctui.logs.index import ELLIPSIS, MAX_LINE_BYTES
from kctui.logs.sources import (
    CommandSource,
    Notice,
    expand_path,
    followed_path,
)
from kctui.settings import ConfigError, LogSource
from tests import polling


def line(second: int, text: str, level: str = "INFO") -> str:
    return f"[2026-11-24 00:00:{second:02d},000] {level} [c|task-0] {text} (a.B:1)"


def poll_until(
    poll: Callable[[], tuple[list[str], list[Notice]]],
    done: Callable[[list[str], list[Notice]], bool],
    timeout: float = 10.0,
) -> tuple[list[str], list[Notice]]:
    lines: list[str] = []
    notices: list[Notice] = []

    def collected() -> bool:
        new_lines, new_notices = poll()
        lines.extend(new_lines)
        notices.extend(new_notices)
        return done(lines, notices)

    try:
        polling.wait_until(collected, timeout=timeout, interval=0.01, what="the lines")
    except AssertionError:
        raise AssertionError(f"not done: {lines[-3:]} {notices}") from None
    return lines, notices


def run_commands_to_the_end(feed: LogFeed) -> None:
    """Step the feed until its command sources have exited, then once more for the rest."""

    def exited() -> bool:
        feed.step()
        return not feed.commands_running

    polling.wait_until(exited, timeout=10, interval=0.01, what="the command to exit")
    feed.step()


# ----------------------------------------------------------------------------- files


def feed_of(path: Path | str, worker: str = "w1") -> LogFeed:
    return LogFeed([LogSource(worker, path=str(path))])


def shown(feed: LogFeed) -> list[str]:
    """Every line the feed shows, traces included, in display order."""
    out: list[str] = []
    for key in feed.build(LogFilter()).rows:
        out += [feed.read_line(key), *feed.read_continuation(key)]
    return out


def appended(feed: LogFeed, step: FeedStep) -> list[str]:
    return [feed.read_line(k) for k in feed.select_new(step.appended, LogFilter()).rows]


def step_until(feed: LogFeed, done: Callable[[], bool], timeout: float = 10.0) -> list[Notice]:
    """Step until ``done()`` (the backward index of a big file takes several steps)."""
    notices: list[Notice] = []
    deadline = time.monotonic() + timeout
    while True:
        step = feed.step()
        notices += step.notices
        if not step.scanning and done():
            return notices
        if time.monotonic() > deadline:
            raise AssertionError(f"not done: {shown(feed)[-3:]} {notices}")


def test_follows_appends_and_waits_for_complete_lines(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_text(line(1, "one") + "\n" + line(2, "two")[:-5])
    feed = feed_of(log)
    assert feed.step().notices == ()
    assert shown(feed) == [line(1, "one")]
    assert feed.step().appended == {}  # the partial line waits for its newline
    with log.open("a") as out:
        out.write(line(2, "two")[-5:] + "\n")
    step = feed.step()
    assert appended(feed, step) == [line(2, "two")] and step.notices == ()
    assert shown(feed) == [line(1, "one"), line(2, "two")]
    feed.close()


def test_rotation_reads_the_rest_of_the_old_file_then_the_new_one(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_text(line(1, "old") + "\n")
    feed = feed_of(log)
    feed.step()
    with log.open("a") as out:
        out.write(line(2, "old-last") + "\n")
    log.rename(tmp_path / "connect.log.2026-11-24-00")
    log.write_text(line(3, "new") + "\n")
    step = feed.step()
    assert [(n.worker, n.message, n.severity) for n in step.notices] == [
        ("w1", f"{log}: file rotated", "information")
    ]
    assert appended(feed, step) == [line(2, "old-last")]  # the rest of the old file
    assert shown(feed) == [line(1, "old"), line(2, "old-last"), line(3, "new")]
    assert feed.step().notices == ()
    feed.close()


def test_truncation_starts_over(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_text(line(1, "a long first line that is longer") + "\n")
    feed = feed_of(log)
    feed.step()
    log.write_text(line(2, "short") + "\n")  # same inode, smaller size
    step = feed.step()
    assert [(n.message, n.severity) for n in step.notices] == [
        (f"{log}: file truncated", "warning")
    ]
    assert step.changed and shown(feed) == [line(2, "short")]
    feed.close()


def test_file_that_appears_later_and_deleted_while_followed(tmp_path: Path) -> None:
    log = tmp_path / "later.log"
    feed = feed_of(log, "w2")
    step = feed.step()
    assert [(n.worker, n.message, n.severity) for n in step.notices] == [
        ("w2", f"{log}: waiting for the file to appear", "warning")
    ]
    assert shown(feed) == []
    assert feed.step().notices == ()  # said once
    log.write_text(line(1, "hello") + "\n")
    step = feed.step()
    assert [n.message for n in step.notices] == [f"{log}: file appeared"]
    assert step.changed and shown(feed) == [line(1, "hello")]  # read from its start
    log.unlink()
    step = feed.step()
    assert [(n.message, n.severity) for n in step.notices] == [
        (f"{log}: file deleted, waiting for it again", "warning")
    ]
    assert shown(feed) == [line(1, "hello")]  # what was read stays readable
    assert feed.step().notices == ()  # said once
    log.write_text(line(2, "back") + "\n")
    step = feed.step()
    assert [n.message for n in step.notices] == [f"{log}: file appeared"]
    assert shown(feed) == [line(1, "hello"), line(2, "back")]
    feed.close()


def test_invalid_utf8_binary_and_a_50_mb_line(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    with log.open("wb") as out:
        out.write(b"caf\xe9 \xff\xfe\n\x00\x01\x02binary\n")
        out.write(b"y" * (50 * 1024 * 1024) + b"\n")
        out.write(b"after\n")
    feed = feed_of(log)
    notices = step_until(feed, lambda: len(shown(feed)) >= 4)
    assert shown(feed) == [
        "caf\ufffd \ufffd\ufffd",
        "\x00\x01\x02binary",
        "y" * MAX_LINE_BYTES + ELLIPSIS,
        "after",
    ]
    assert notices == []
    feed.close()


def test_unreadable_file_gives_a_clear_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "secret.log"
    log.write_text(line(1, "hidden") + "\n")
    real_open = os.open

    def deny(path: str, *args: object, **kwargs: object) -> int:
        if str(path) == str(log):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    feed = feed_of(log)
    step = feed.step()
    assert step.notices == (Notice("w1", f"{log}: cannot read (permission denied)", "error"),)
    assert shown(feed) == []
    assert feed.step().notices == ()  # said once
    feed.close()


def test_directory_is_not_a_log(tmp_path: Path) -> None:
    feed = feed_of(tmp_path)
    step = feed.step()
    assert [(n.message, n.severity) for n in step.notices] == [
        (f"{tmp_path}: is a directory, not a log file", "error")
    ]
    assert shown(feed) == []
    open_fds = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        assert feed.step().notices == ()  # said once
    assert len(os.listdir("/proc/self/fd")) == open_fds  # each retry closes what it opened
    feed.close()


def test_globs_oldest_first_and_followed_file(tmp_path: Path) -> None:
    rolled = tmp_path / "connect.log.2026-11-23-23"
    current = tmp_path / "connect.log"
    rolled.write_text("old\n")
    current.write_text("new\n")
    os.utime(rolled, (1, 1))
    pattern = str(tmp_path / "connect.log*")
    assert expand_path(pattern) == [str(rolled), str(current)]
    assert followed_path(pattern) == str(current)
    assert expand_path(str(tmp_path / "nothing*")) == []


# ----------------------------------------------------------------------------- commands


def test_command_output_exit_code_and_stderr() -> None:
    command = CommandSource(
        ("sh", "-c", "echo '" + line(1, "from command") + "'; echo 'boom' >&2; exit 3"), worker="w1"
    )
    command.start()
    lines, notices = poll_until(command.poll, lambda _, ns: bool(ns))
    assert lines == [line(1, "from command")]
    assert notices[0].severity == "error"
    assert "exited with code 3: boom" in notices[0].message
    assert command.exit_code == 3 and command.finished
    command.close()


def test_ssh_that_cannot_connect_is_reported_and_restartable() -> None:
    fake_ssh = "echo 'ssh: connect to host worker1 port 22: Connection refused' >&2; exit 255"
    command = CommandSource(("sh", "-c", fake_ssh), worker="worker1")
    command.start()
    _, notices = poll_until(command.poll, lambda _, ns: bool(ns))
    assert "exited with code 255" in notices[0].message
    assert "Connection refused" in notices[0].message
    command.restart()
    _, notices = poll_until(command.poll, lambda _, ns: bool(ns))
    assert "Connection refused" in notices[0].message  # reported again after the restart
    command.close()


def test_command_runs_without_a_shell_unless_asked() -> None:
    plain = CommandSource(("echo", "$((1+2))"))
    plain.start()
    lines, _ = poll_until(plain.poll, lambda ls, _: plain.finished and bool(ls))
    assert lines == ["$((1+2))"]
    shell = CommandSource("echo $((1+2))", shell=True)
    shell.start()
    lines, _ = poll_until(shell.poll, lambda ls, _: shell.finished and bool(ls))
    assert lines == ["3"]


def test_missing_command_and_stop_on_close() -> None:
    missing = CommandSource(("kctui-no-such-program", "-F", "x"))
    missing.start()
    _, notices = missing.poll()
    assert notices[0].message.startswith("command not found: kctui-no-such-program")
    sleeper = CommandSource(("sleep", "60"))
    sleeper.start()
    assert sleeper.running
    started = time.monotonic()
    sleeper.close()
    assert not sleeper.running and time.monotonic() - started < 5


# ----------------------------------------------------------------------------- feed


def test_feed_merges_workers_and_follows_rotation_and_truncation(tmp_path: Path) -> None:
    one, two = tmp_path / "one.log", tmp_path / "two.log"
    one.write_text(line(1, "w1 first") + "\n" + line(3, "w1 third") + "\n")
    two.write_text(line(2, "w2 second", "ERROR") + "\n\tat x.Y(Z.java:1)\n")
    feed = LogFeed([LogSource("w1", path=str(one)), LogSource("w2", path=str(two))])
    feed.step()
    rows = feed.build(LogFilter())
    assert [feed.worker_of(k) for k in rows.rows] == ["w1", "w2", "w1"]
    assert list(rows.failure_rows) == [1]
    assert feed.read_continuation(rows.rows[1]) == ["\tat x.Y(Z.java:1)"]
    assert [feed.worker_of(k) for k in feed.build(LogFilter(worker="w2")).rows] == ["w2"]
    with one.open("a") as out:
        out.write(line(4, "w1 fourth") + "\n")
    one.rename(tmp_path / "one.log.1")
    one.write_text(line(5, "w1 after rotation") + "\n")
    step = feed.step()
    assert any("rotated" in n.message for n in step.notices)
    texts = [feed.read_line(k) for k in feed.build(LogFilter(connector="c")).rows]
    assert texts[-2:] == [line(4, "w1 fourth"), line(5, "w1 after rotation")]
    one.write_text("")
    step = feed.step()
    assert any("truncated" in n.message for n in step.notices)
    with one.open("a") as out:
        out.write(line(6, "w1 after truncation") + "\n")
    step = feed.step()
    new = feed.select_new(step.appended, LogFilter())
    assert [feed.read_line(k) for k in new.rows] == [line(6, "w1 after truncation")]
    feed.close()


def test_merged_rebuild_reuses_cached_timestamps(tmp_path: Path) -> None:
    """A filter change re-orders the merged rows without reading any timestamp again."""
    one, two = tmp_path / "one.log", tmp_path / "two.log"
    one.write_text(
        "\n".join([line(1, "a x"), "no timestamp x", line(5, "e"), line(3, "c x")]) + "\n"
    )
    two.write_text("\n".join([line(2, "b"), line(4, "d x"), "\tat x.Y(Z.java:1)"]) + "\n")
    feed = LogFeed([LogSource("w1", path=str(one)), LogSource("w2", path=str(two))])
    feed.step()
    rows = feed.build(LogFilter()).rows
    texts = [feed.read_line(k).split("] INFO [c|task-0] ")[-1] for k in rows]
    # Merged by timestamp; each file keeps its own order ("c", logged after "e" with an older
    # timestamp, stays after it), and a record without a timestamp stays after the one before.
    assert [t.split(" (")[0] for t in texts] == ["a x", "no timestamp x", "b", "d x", "e", "c x"]
    stores = list(feed.stores.values())
    misses = [s.times.misses for s in stores]
    assert misses == [4, 2]
    rows = feed.build(LogFilter(text="x")).rows
    assert [feed.read_line(k)[-10:] for k in rows] == [
        feed.read_line(k)[-10:] for k in feed.build(LogFilter()).rows if "x" in feed.read_line(k)
    ]
    assert [s.times.misses for s in stores] == misses  # nothing read again
    with two.open("a") as out:
        out.write(line(6, "f x") + "\n")
    step = feed.step()
    new = feed.select_new(step.appended, LogFilter())
    assert len(new.rows) == 1 and [s.times.misses for s in stores] == [4, 2]
    assert feed.build(LogFilter()).rows[-1] == new.rows[0]
    assert [s.times.misses for s in stores] == [4, 3]  # only the appended record was read
    feed.close()


def test_feed_command_source_with_a_line_cap() -> None:
    script = (
        "i=0; while [ $i -lt 500 ]; do "
        'echo "[2026-11-24 00:00:00,000] INFO n$i (a:1)"; i=$((i+1)); done'
    )
    feed = LogFeed([LogSource("w1", command=("sh", "-c", script))], max_command_lines=100)
    feed.step()
    run_commands_to_the_end(feed)
    rows = feed.build(LogFilter()).rows
    assert 100 <= len(rows) <= 100 + 100 // 8 + 1
    assert feed.read_line(rows[-1]).endswith("n499 (a:1)")
    feed.close()


def _config(tmp_path: Path, logs_table: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f"[clusters.a]\nurls = ['http://x']\n[[clusters.a.logs]]\n{logs_table}\n")
    return config


def test_configured_max_lines_caps_a_command_source(tmp_path: Path) -> None:
    script = (
        "i=0; while [ $i -lt 300 ]; do "
        'echo "[2026-11-24 00:00:00,000] INFO n$i (a:1)"; i=$((i+1)); done'
    )
    config = _config(tmp_path, f"worker = 'w1'\ncommand = {script!r}\nshell = true\nmax_lines = 40")
    cluster = resolve_cluster(load_config(config), name="a")
    assert cluster.logs[0].max_lines == 40
    feed = LogFeed(cluster.logs)  # the feed's own default (100,000) would keep all 300
    feed.step()
    run_commands_to_the_end(feed)
    rows = feed.build(LogFilter()).rows
    assert 40 <= len(rows) <= 40 + 16 + 1
    assert feed.read_line(rows[-1]).endswith("n299 (a:1)")
    feed.close()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("command = 'tail'\nmax_lines = 0", "'clusters.a.logs[0].max_lines': expected a positive"),
        ("command = 'tail'\nmax_lines = 'many'", "expected a positive whole number of lines"),
        ("command = 'tail'\nmax_lines = 2.5", "expected a positive whole number of lines"),
        ("command = 'tail'\nmax_lines = true", "expected a positive whole number of lines"),
        ("path = '/x.log'\nmax_lines = 10", "'clusters.a.logs[0].max_lines': only for command"),
    ],
)
def test_bad_max_lines_is_a_clear_config_error(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(_config(tmp_path, table))


def test_a_single_string_command_is_split_without_a_shell() -> None:
    command = CommandSource(("echo  two   words $HOME",))
    assert command.command == ("echo", "two", "words", "$HOME")
    command.start()
    lines, _ = poll_until(command.poll, lambda ls, _: command.finished and bool(ls))
    assert lines == ["two words $HOME"]


def test_an_unsplittable_command_is_a_notice_not_a_crash() -> None:
    feed = LogFeed([LogSource("w9", command=("ssh 'unterminated",))])
    step = feed.step()
    assert step.notices[0].severity == "error"
    assert "cannot split log command" in step.notices[0].message
    assert feed.build(LogFilter()).rows.tolist() == []
    feed.close()


def test_log_library_and_command_do_not_import_textual() -> None:
    import json
    import subprocess
    import sys

    modules = (
        "kctui.logs.patterns",
        "kctui.logs.filters",
        "kctui.logs.index",
        "kctui.logs.memory",
        "kctui.logs.scan",
        "kctui.logs.timecache",
        "kctui.logs.sources",
        "kctui.logs.feed",
        "kctui.commands.logs",
    )
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_logs_command_reads_configured_command_sources(tmp_path: Path) -> None:
    import subprocess
    import sys

    failure = line(2, "WorkerSinkTask{id=c-0} Task threw an uncaught and unrecoverable", "ERROR")
    script = f"echo '{line(1, 'hello')}'; echo '{failure}'; printf '\\tat x.Y(Z.java:1)\\n'"
    config = tmp_path / "config.toml"
    config.write_text(
        "[clusters.c]\nurls = ['http://127.0.0.1:1']\n"
        f"[[clusters.c.logs]]\nworker = 'w1'\ncommand = ['sh', '-c', {script!r}]\n"
        "[clusters.bare]\nurls = ['http://127.0.0.1:1']\n",
        encoding="utf-8",
    )
    base = [sys.executable, "-m", "kctui", "logs", "--config", str(config)]
    result = subprocess.run([*base, "--cluster", "c", "--failures"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [failure, "\tat x.Y(Z.java:1)"]
    nothing = subprocess.run([*base, "--cluster", "c", "--connector", "zz"], capture_output=True)
    assert nothing.returncode == 1
    bare = subprocess.run([*base, "--cluster", "bare"], capture_output=True, text=True)
    assert bare.returncode == 2
    assert "has no log sources" in bare.stderr and "[[clusters.bare.logs]]" in bare.stderr


def test_logs_command_colours_only_when_asked_or_on_a_terminal(tmp_path: Path) -> None:
    import subprocess
    import sys

    log = tmp_path / "connect.log"
    failure = line(2, "Task threw an uncaught and unrecoverable exception", "ERROR")
    log.write_text(line(1, "Rebalance started") + "\n" + failure + "\n\tat x.Y(Z.java:1)\n")
    base = [sys.executable, "-m", "kctui", "logs", str(log)]
    plain = subprocess.run(base, capture_output=True, text=True)
    assert "\033[" not in plain.stdout and failure in plain.stdout
    coloured = subprocess.run([*base, "--color", "always"], capture_output=True, text=True)
    assert f"\033[1;31m{failure}\033[0m" in coloured.stdout  # failure: bold error colour
    assert "\033[35m" in coloured.stdout  # rebalance: its own colour
    assert "\033[31m\tat x.Y(Z.java:1)\033[0m" in coloured.stdout  # the failure's trace
