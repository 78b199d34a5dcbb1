"""Process helpers of the sandbox: which Java, whose process a pid is, free ports, waiting."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from kctui.sandbox.jars import SandboxError


def pid_cmdline(pid: int) -> str:
    """The command line of ``pid`` as one string ("" when it is gone or unreadable)."""
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str:
    """``$JAVA_HOME/bin/java`` or the ``java`` on the PATH, when it is Java 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise SandboxError("Java is not installed: the sandbox needs Java 17 or newer")
    major = java_major(java)
    if major is None or major < 17:
        raise SandboxError(f"the sandbox needs Java 17 or newer; {java} is Java {major or '?'}")
    return java


def port_is_free(port: int) -> bool:
    # A JVM listening on [::ffff:127.0.0.1] does not stop an IPv4 bind: try to connect too.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for(
    condition: Callable[[], bool], *, timeout: float, what: str, check: Callable[[], None]
) -> None:
    """Poll ``condition`` until true; ``check`` raises when a process died meanwhile."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        check()
        if condition():
            return
        if time.monotonic() > deadline:
            raise SandboxError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read (mode 600), even when it existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
