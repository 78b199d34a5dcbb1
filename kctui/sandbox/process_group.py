"""The processes a sandbox started, and nothing else: spawning them, recognising them by the
sandbox's home on their command line, their state file, their logs, stopping them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kctui.sandbox.jars import SandboxError
from kctui.sandbox.procs import pid_cmdline


@dataclass
class Component:
    name: str
    pid: int
    log: str


@dataclass
class State:
    """What ``up`` recorded in ``sandbox.json``."""

    version: str
    port_base: int
    cluster_id: str
    components: list[Component] = field(default_factory=list)
    started_at: float = 0.0

    @classmethod
    def load(cls, path: Path) -> State | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["components"] = [Component(**c) for c in data.get("components", [])]
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


class ProcessGroup:
    """The processes started from ``home`` (the base of :class:`~kctui.sandbox.cluster.Sandbox`):
    each JVM carries ``-Dkctui.sandbox.home=<home>`` (the Python helpers ``--sandbox-home``),
    so ``down`` stops exactly those."""

    def __init__(self, home: Path, log: Callable[[str], None]) -> None:
        self.home = home
        self.log = log
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def state_file(self) -> Path:
        return self.home / "sandbox.json"

    @property
    def marker(self) -> str:
        return f"-Dkctui.sandbox.home={self.home}"

    def state(self) -> State | None:
        return State.load(self.state_file)

    def owns(self, cmdline: str) -> bool:
        """True when a process command line is one of this sandbox's processes."""
        return f"{self.marker} " in cmdline or f"--sandbox-home {self.home} " in cmdline

    def alive(self, component: Component) -> bool:
        return self.owns(pid_cmdline(component.pid))

    def running_components(self) -> list[Component]:
        state = self.state()
        return [c for c in state.components if self.alive(c)] if state else []

    def stray_pids(self) -> list[int]:
        """Every process whose command line carries this sandbox's home (ours only)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                if self.owns(pid_cmdline(int(entry.name))):
                    pids.append(int(entry.name))
        return pids

    def _spawn(self, name: str, argv: list[str], directory: Path) -> Component:
        out_path = directory / "stdout.log"
        with open(out_path, "ab") as out:
            proc = subprocess.Popen(
                argv,
                cwd=directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._procs[name] = proc
        return Component(name=name, pid=proc.pid, log=str(out_path))

    def _check_alive(self, state: State) -> None:
        """During start-up: fail fast, with the log's tail, when a process we spawned exited."""
        for component in state.components:
            proc = self._procs.get(component.name)
            if proc is not None and proc.poll() is not None:
                raise SandboxError(
                    f"the {component.name} JVM died during start-up; last lines of its log:\n"
                    + self.log_tail(component)
                )

    def log_tail(self, component: Component, lines: int = 15) -> str:
        directory = Path(component.log).parent
        candidates = [directory / "connect.log", directory / "server.log", Path(component.log)]
        text = ""
        for path in candidates:
            try:
                text += path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
        interesting = [l for l in text.splitlines() if l.strip()]  # noqa: E741
        return "\n".join(interesting[-lines:]) or "(empty log)"

    def down(self, *, quiet: bool = False) -> list[str]:
        """Stop every process this sandbox started (and nothing else); keep its data."""
        state = self.state()
        targets: dict[int, str] = {}
        if state:
            for component in reversed(state.components):
                if self.alive(component):
                    targets[component.pid] = component.name
        for pid in self.stray_pids():
            targets.setdefault(pid, f"pid {pid}")
        # Workers (and the feeder) first, the broker last: a worker whose broker is gone
        # spends its shutdown timeout waiting for it.
        brokers = [pid for pid, name in targets.items() if name == "broker"]
        self._terminate([pid for pid in targets if pid not in brokers], grace=20)
        self._terminate(brokers, grace=30)
        if state:
            state.components = []
            state.save(self.state_file)
        if not quiet:
            names = ", ".join(targets.values()) or "nothing was running"
            self.log(f"sandbox stopped: {names}")
        return list(targets.values())

    def _terminate(self, pids: list[int], *, grace: float) -> None:
        """SIGTERM ``pids`` (ours only), wait up to ``grace`` seconds, then SIGKILL the rest."""
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(self.owns(pid_cmdline(p)) for p in pids):
            time.sleep(0.2)
        for pid in pids:
            if self.owns(pid_cmdline(pid)):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
