"""``kctui watch`` against the real sandbox, through a recording HTTP proxy: the demo's
failing sink restarted and recorded, backoff kept on the next pass, gave-up after the cap,
and read-only mode sending only GETs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from kctui.cli import main
from kctui.connect.client import ConnectClient
from kctui.connect.errors import NotFound
from kctui.connect.models import ConnectorStatus
from kctui.sandbox.scenario import FAILING_SINK
from kctui.settings import ClusterConfig
from tests import polling

pytestmark = pytest.mark.integration

PREFIX = "test-watch-"


class RecordingProxy:
    """A tiny HTTP proxy in front of one Connect worker that records every method and path."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.requests.append((self.command, self.path))
                headers = {"content-type": self.headers.get("content-type", "application/json")}
                answer = httpx.request(
                    self.command, proxy.upstream + self.path, content=body, headers=headers,
                    timeout=30,
                )  # fmt: skip
                self.send_response(answer.status_code)
                self.send_header("content-type", answer.headers.get("content-type", ""))
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def methods(self) -> set[str]:
        return {method for method, _ in self.requests}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(sandbox_cluster: ClusterConfig) -> Iterator[RecordingProxy]:
    recording = RecordingProxy(sandbox_cluster.urls[0])
    yield recording
    recording.close()


@pytest.fixture
async def client(sandbox_cluster: ClusterConfig) -> AsyncIterator[ConnectClient]:
    async with ConnectClient(sandbox_cluster) as connect:
        yield connect
        state = await connect.cluster_state()
        for name in state.connectors:
            if name.startswith(PREFIX):
                await connect.delete(name)


def write_config(path: Path, url: str, policy: str, *, read_only: bool = False) -> Path:
    flag = "true" if read_only else "false"
    path.write_text(
        f'current = "box"\n[clusters.box]\nurls = ["{url}"]\nread_only = {flag}\n'
        f"[clusters.box.auto_restart]\n{policy}\n"
    )
    return path


async def run_watch(config: Path, *extra: str) -> tuple[int, list[dict]]:
    """``kctui watch --once --json`` in a thread; exit code and the events printed."""
    import contextlib
    import io

    out = io.StringIO()

    def call() -> int:
        with contextlib.redirect_stdout(out):
            return main(["watch", "--once", "--json", "--config", str(config), *extra])

    code = await asyncio.to_thread(call)
    events = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    return code, events


async def failed_again(client: ConnectClient, name: str) -> ConnectorStatus:
    """Wait until ``name``'s task has failed again after a restart."""
    return await polling.poll(
        f"{name} task FAILED again",
        lambda: client.connector_status(name),
        lambda s: bool(s.tasks) and s.tasks[0].state == "FAILED",
        timeout=90,
        tolerate=(NotFound,),
    )


def history(state_home: Path) -> list[dict]:
    path = state_home / "kctui" / "watch" / "box" / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_failing_sink_restarted_recorded_then_backoff_kept(
    client: ConnectClient,
    proxy: RecordingProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    policy = f'include = "^{FAILING_SINK}$"\nmax_restarts = 3\nbackoff_minutes = 30'
    config = write_config(tmp_path / "config.toml", proxy.url, policy)
    await failed_again(client, FAILING_SINK)

    code, events = await run_watch(config, "--auto-restart")
    assert code == 1  # as for kctui status: the sink is unhealthy
    kinds = [(e["connector"], e["task"], e["event"]) for e in events]
    assert (FAILING_SINK, 0, "failed") in kinds
    assert (FAILING_SINK, 0, "restarted") in kinds
    sent = [(m, p) for m, p in proxy.requests if m != "GET"]
    assert sent == [
        ("POST", f"/connectors/{FAILING_SINK}/restart?includeTasks=true&onlyFailed=true")
    ]
    [entry] = history(tmp_path / "state")
    assert entry["connector"] == FAILING_SINK and entry["task"] == 0 and entry["attempt"] == 1
    assert "Couldn't find or create file" in entry["error"]
    assert entry["state_after"] in ("RESTARTING", "RUNNING", "FAILED", "UNASSIGNED")

    await failed_again(client, FAILING_SINK)
    proxy.requests.clear()
    code, events = await run_watch(config, "--auto-restart")
    assert code == 1
    assert "restarted" not in {e["event"] for e in events}  # 2nd restart is due in 60 min
    [backoff] = [e for e in events if e["event"] == "backoff"]
    assert backoff["detail"] == "1 restart so far, next in 60 min"
    assert proxy.methods() == {"GET"}
    assert len(history(tmp_path / "state")) == 1


async def test_gives_up_after_the_cap_until_cleared(
    client: ConnectClient,
    sandbox_cluster: ClusterConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    name = PREFIX + "giveup"
    await client.put_config(
        name,
        {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": "demo-lines",
         "file": str(tmp_path / "no-such-dir" / "out.txt")},
    )  # fmt: skip
    await failed_again(client, name)
    policy = f'include = "^{name}$"\nmax_restarts = 2\nbackoff_minutes = 0'
    config = write_config(tmp_path / "config.toml", sandbox_cluster.urls[0], policy)

    for _ in (1, 2):
        _, events = await run_watch(config, "--auto-restart")
        restarted = [e for e in events if e["event"] == "restarted"]
        assert [e["connector"] for e in restarted] == [name], events
        await failed_again(client, name)
    _, events = await run_watch(config, "--auto-restart")
    assert [e["event"] for e in events if e["connector"] == name] == ["failed", "gave-up"]
    attempts = [e["attempt"] for e in history(tmp_path / "state") if e["connector"] == name]
    assert attempts == [1, 2]
    _, events = await run_watch(config, "--auto-restart")  # stays gave-up: not restarted
    assert "restarted" not in {e["event"] for e in events if e["connector"] == name}

    assert await asyncio.to_thread(main, ["watch", "--config", str(config), "--clear", name]) == 0
    _, events = await run_watch(config, "--auto-restart")
    assert "restarted" in {e["event"] for e in events if e["connector"] == name}


async def test_read_only_sends_only_gets(
    client: ConnectClient,
    proxy: RecordingProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    policy = f'include = "^{FAILING_SINK}$"\nbackoff_minutes = 0'
    config = write_config(tmp_path / "config.toml", proxy.url, policy, read_only=True)
    await failed_again(client, FAILING_SINK)

    code, events = await run_watch(config, "--auto-restart")
    assert code == 1
    would = [e for e in events if e["event"] == "would-restart"]
    assert [e["connector"] for e in would] == [FAILING_SINK]
    assert "onlyFailed=true" in would[0]["detail"]
    assert proxy.requests, "the proxy saw no request at all"
    assert proxy.methods() == {"GET"}
    assert history(tmp_path / "state") == []


def kctui_process(config: Path, state_home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(state_home), "NO_COLOR": "1"}
    env.pop("KCTUI_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "kctui", "watch", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


async def test_two_watchers_on_one_host_restart_a_task_once(
    client: ConnectClient, sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    policy = f'include = "^{FAILING_SINK}$"\nbackoff_minutes = 30'
    config = write_config(tmp_path / "config.toml", sandbox_cluster.urls[0], policy)
    await failed_again(client, FAILING_SINK)
    state_home = tmp_path / "state"
    processes = [kctui_process(config, state_home, "--once", "--auto-restart", "--json")
                 for _ in range(2)]  # fmt: skip
    outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in processes]
    # 1 (the sink is unhealthy), or 0 for the one that polled while the other's restart
    # showed the task RESTARTING.
    assert {p.returncode for p in processes} <= {0, 1}, [err for _, err in outputs]
    events = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert [e["event"] for e in events].count("restarted") == 1, events
    assert len(history(state_home)) == 1


async def test_long_running_watch_stops_cleanly_on_sigterm(
    sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", sandbox_cluster.urls[0], "enabled = false")
    process = kctui_process(config, tmp_path / "state", "--json", "--interval", "1")
    assert process.stdout is not None
    try:
        seen: list[str] = []
        while FAILING_SINK not in seen:  # the first pass reports every FAILED connector
            line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60)
            assert line, "kctui watch ended before reporting the failing sink"
            seen.append(json.loads(line)["connector"])
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 30)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_alert_command_gets_the_failed_event(
    sandbox_cluster: ClusterConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    out = tmp_path / "alerts.jsonl"
    script = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read() + chr(10))"
    argv = json.dumps([sys.executable, "-c", script])
    config = write_config(
        tmp_path / "config.toml",
        sandbox_cluster.urls[0],
        f"enabled = false\nalert_command = {argv}",
    )
    code, events = await run_watch(config)
    assert code == 1
    alerts = [json.loads(line) for line in out.read_text().splitlines()]
    failed = [a for a in alerts if a["connector"] == FAILING_SINK]
    assert [(a["event"], a["task"]) for a in failed] == [("failed", 0)]
    assert failed[0] == next(e for e in events if e["connector"] == FAILING_SINK)
