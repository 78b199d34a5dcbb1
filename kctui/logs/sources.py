"""Where worker logs come from: commands (ssh, kubectl...) and the paths of log files.

A :class:`CommandSource` runs a command without a shell (unless asked), reports its exit
code and last stderr lines, and can be restarted. Files are followed like ``tail -F`` by
:class:`~kctui.logs.feed.LogFeed` (with :class:`~kctui.logs.index.FileIndex`); this module
gives it the files of a path or glob (:func:`expand_path`, :func:`followed_path`) and the
notice for a file that cannot be opened (:func:`open_problem`).
"""

from __future__ import annotations

import glob
import os
import shlex
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kctui.logs.index import ELLIPSIS, MAX_LINE_BYTES, decode
from kctui.settings import LogSource

READ_CHUNK = 1024 * 1024
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
