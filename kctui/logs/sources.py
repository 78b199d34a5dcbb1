"""Where worker logs come from: files followed like ``tail -F`` and commands (ssh, kubectl...).

A :class:`FileFollower` survives rotation (the path points to a new inode), truncation
(the size shrinks), a file that appears later or is deleted, invalid UTF-8 and absurdly
long lines. A :class:`CommandSource` runs a command without a shell (unless asked),
reports its exit code and last stderr lines, and can be restarted. :func:`merge_records`
orders the records of several workers by their timestamps.
"""

from __future__ import annotations

import glob
import heapq
import os
import shlex
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kctui.config import LogSource
from kctui.logs.index import ELLIPSIS, MAX_LINE_BYTES, decode
from kctui.logs.patterns import LogRecord

READ_CHUNK = 1024 * 1024
MAX_READ_PER_POLL = 8 * 1024 * 1024  # back-pressure: a huge burst is read over several polls
STDERR_LINES = 20


@dataclass(frozen=True)
class Notice:
    """Something the user should know about a source (rotation, missing file, exit code)."""

    worker: str
    message: str
    severity: str = "information"  # information, warning, error


def open_problem(path: str, exc: OSError) -> tuple[str, str]:
    """The notice text and severity for a log file that could not be opened."""
    if isinstance(exc, FileNotFoundError):
        return f"{path}: waiting for the file to appear", "warning"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory, not a log file", "error"
    if isinstance(exc, PermissionError):
        return f"{path}: cannot read (permission denied)", "error"
    return f"{path}: cannot read ({exc.strerror or exc})", "error"


def expand_path(pattern: str) -> list[str]:
    """Files matching a path or glob (``~`` expanded), oldest first by modification time."""
    pattern = os.path.expanduser(pattern)
    if not glob.has_magic(pattern):
        return [pattern] if os.path.exists(pattern) else []
    matches = [p for p in glob.glob(pattern) if os.path.isfile(p)]

    def mtime(path: str) -> float:
        try:
            return os.stat(path).st_mtime
        except OSError:
            return 0.0

    return sorted(matches, key=lambda p: (mtime(p), p))


def followed_path(pattern: str) -> str | None:
    """The one file of a path or glob that is followed: the path itself, or the newest match."""
    pattern = os.path.expanduser(pattern)
    if not glob.has_magic(pattern):
        return pattern
    matches = expand_path(pattern)
    return matches[-1] if matches else None


class _LineSplitter:
    """Turns byte chunks into complete text lines, cutting lines longer than ``max_bytes``."""

    def __init__(self, max_bytes: int = MAX_LINE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._partial = bytearray()
        self._cut = False

    def reset(self) -> None:
        self._partial.clear()
        self._cut = False

    def feed(self, data: bytes) -> list[str]:
        lines: list[str] = []
        start = 0
        while True:
            end = data.find(b"\n", start)
            piece = data[start:] if end < 0 else data[start:end]
            room = self.max_bytes - len(self._partial)
            if len(piece) > room:
                self._partial += piece[: max(0, room)]
                self._cut = True
            else:
                self._partial += piece
            if end < 0:
                return lines
            lines.append(decode(bytes(self._partial)) + (ELLIPSIS if self._cut else ""))
            self.reset()
            start = end + 1


class FileFollower:
    """Follow one path like ``tail -F``; :meth:`poll` returns new complete lines and notices."""

    def __init__(self, path: str, *, worker: str = "", from_start: bool = True) -> None:
        self.path = os.path.expanduser(path)
        self.worker = worker or path
        self.from_start = from_start
        self._fd: int | None = None
        self._inode: tuple[int, int] | None = None
        self._pos = 0
        self._splitter = _LineSplitter()
        self._waiting: str | None = None  # the notice last given while the file is unusable
        self._seen = False

    def _notice(self, message: str, severity: str, notices: list[Notice]) -> None:
        if self._waiting != message:
            self._waiting = message
            notices.append(Notice(self.worker, message, severity))

    def _open(self, notices: list[Notice]) -> bool:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError) or self._waiting is None:
                self._notice(*open_problem(self.path, exc), notices)
            return False
        stat = os.fstat(fd)
        if not os.path.isfile(self.path) and not _is_fifo(stat.st_mode):
            os.close(fd)
            self._notice(f"{self.path}: not a regular file", "error", notices)
            return False
        was_waiting = self._waiting is not None
        if was_waiting:
            notices.append(Notice(self.worker, f"{self.path}: file appeared", "information"))
        self._fd, self._inode = fd, (stat.st_dev, stat.st_ino)
        self._pos = 0 if (self.from_start or self._seen or was_waiting) else stat.st_size
        self._seen = True
        self._waiting = None
        self._splitter.reset()
        return True

    def _drain(self, lines: list[str]) -> int:
        if self._fd is None:
            return 0
        budget = MAX_READ_PER_POLL
        while budget > 0:
            try:
                chunk = os.pread(self._fd, min(READ_CHUNK, budget), self._pos)
            except OSError:
                return budget
            if not chunk:
                break
            self._pos += len(chunk)
            budget -= len(chunk)
            lines.extend(self._splitter.feed(chunk))
        return budget

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def poll(self) -> tuple[list[str], list[Notice]]:
        """New complete lines since the last call, and what happened to the file."""
        lines: list[str] = []
        notices: list[Notice] = []
        if self._fd is None:
            if not self._open(notices):
                return lines, notices
        try:
            stat = os.stat(self.path)
            current: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
        except FileNotFoundError:
            current = None
        except OSError:
            current = self._inode
        if current != self._inode:
            self._drain(lines)  # the rest of the old file first
            self._close_fd()
            if current is None:
                self._notice(f"{self.path}: file deleted, waiting for it again", "warning", notices)
                return lines, notices
            notices.append(Notice(self.worker, f"{self.path}: file rotated", "information"))
            self._waiting = None
            if not self._open(notices):
                return lines, notices
        assert self._fd is not None
        if os.fstat(self._fd).st_size < self._pos:
            notices.append(Notice(self.worker, f"{self.path}: file truncated", "warning"))
            self._pos = 0
            self._splitter.reset()
        self._drain(lines)
        return lines, notices

    def close(self) -> None:
        self._close_fd()


def _is_fifo(mode: int) -> bool:
    import stat

    return stat.S_ISFIFO(mode)


class CommandSource:
    """A command whose standard output is followed (``ssh host tail -F …``, ``kubectl logs -f``)."""

    def __init__(
        self, command: Sequence[str] | str, *, shell: bool = False, worker: str = ""
    ) -> None:
        if isinstance(command, str):
            command = (command,)
        if not shell and len(command) == 1 and any(c.isspace() for c in command[0]):
            try:  # a single string: split into words as a shell would, but run no shell
                command = tuple(shlex.split(command[0]))
            except ValueError as exc:
                raise ValueError(f"cannot split log command {command[0]!r}: {exc}") from exc
        if not command:
            raise ValueError("empty log command")
        self.command = tuple(command)
        self.shell = shell
        self.worker = worker or self.command[0]
        self._process: subprocess.Popen[bytes] | None = None
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_LINES)
        self.start_error: str | None = None
        self._reported = False

    @property
    def display(self) -> str:
        """The command for messages, shortened."""
        text = " ".join(self.command) if self.shell else shlex.join(self.command)
        return text if len(text) <= 60 else text[:59] + "…"

    def start(self) -> None:
        """Start the command (without a shell unless ``shell=True``)."""
        self._reported = False
        self.start_error = None
        self.stderr_tail.clear()
        args: str | Sequence[str] = " ".join(self.command) if self.shell else self.command
        try:
            self._process = subprocess.Popen(
                args,
                shell=self.shell,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except FileNotFoundError:
            self.start_error = f"command not found: {self.command[0]}"
            return
        except OSError as exc:
            self.start_error = f"cannot run {self.command[0]}: {exc.strerror or exc}"
            return
        process = self._process
        assert process.stdout is not None and process.stderr is not None
        self._threads = [
            threading.Thread(target=self._read_stdout, args=(process.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(process.stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_stdout(self, stream: object) -> None:
        splitter = _LineSplitter()
        read = stream.read1  # type: ignore[attr-defined]
        while True:
            try:
                chunk = read(READ_CHUNK)
            except (OSError, ValueError):
                break
            if not chunk:
                break
            lines = splitter.feed(chunk)
            if lines:
                with self._lock:
                    self._lines.extend(lines)

    def _read_stderr(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            text = decode(raw[:MAX_LINE_BYTES]).rstrip("\n")
            if text.strip():
                self.stderr_tail.append(text)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def finished(self) -> bool:
        """Exited (or never started) and all of its output has been read."""
        if self.start_error:
            return True
        if self._process is None or self._process.poll() is None:
            return False
        return not any(t.is_alive() for t in self._threads)

    @property
    def exit_code(self) -> int | None:
        if self.start_error:
            return 127
        return None if self._process is None else self._process.poll()

    def outcome(self) -> str | None:
        """A message once the command stopped: exit code and the last stderr lines."""
        if self.start_error:
            return self.start_error
        code = self.exit_code
        if code is None:
            return None
        if any(t.is_alive() for t in self._threads):
            return None  # let the readers finish so that stderr is complete
        what = f"{self.display}: exited with code {code}"
        if code < 0:
            what = f"{self.display}: killed by signal {-code}"
        if self.stderr_tail:
            what += ": " + " | ".join(list(self.stderr_tail)[-3:])
        return what

    def poll(self) -> tuple[list[str], list[Notice]]:
        with self._lock:
            lines, self._lines = self._lines, []
        notices: list[Notice] = []
        outcome = self.outcome()
        if outcome and not self._reported:
            self._reported = True
            severity = "information" if self.exit_code == 0 else "error"
            notices.append(Notice(self.worker, outcome + " (r restarts it)", severity))
        return lines, notices

    def close(self) -> None:
        """Stop the command and its children (its own process group)."""
        process = self._process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except OSError:
                process.terminate()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    process.kill()
                process.wait(timeout=3)
        for thread in self._threads:
            thread.join(timeout=3)
        if process is not None:
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()

    def restart(self) -> None:
        self.close()
        with self._lock:
            self._lines = []
        self.start()


# ----------------------------------------------------------------------------- several workers


def source_label(path: str) -> str:
    """A short worker label for a file given on the command line (``worker-1/connect.log``)."""
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def path_sources(paths: Iterable[str]) -> tuple[LogSource, ...]:
    return tuple(LogSource(worker=source_label(p), path=p) for p in paths)


def merge_records(streams: Sequence[Iterable[LogRecord]]) -> Iterator[LogRecord]:
    """Records of several workers in timestamp order (a record without one keeps its place)."""

    def keyed(
        index: int, records: Iterable[LogRecord]
    ) -> Iterator[tuple[str, int, int, LogRecord]]:
        last = ""
        for seq, record in enumerate(records):
            last = record.line.timestamp or last
            yield last, index, seq, record

    for _, _, _, record in heapq.merge(*(keyed(i, s) for i, s in enumerate(streams))):
        yield record
