"""``kctui watch``'s pure parts and one pass against a fake Connect (httpx.MockTransport):
events from state diffs, restart requests by version, read-only, the host lock, history,
and alerts (command with the JSON on stdin, webhook, rate limit)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from kctui.connect.client import ConnectClient
from kctui.connect.models import ClusterState
from kctui.operate.alerts import AlertSender
from kctui.operate.restart_history import RestartHistory, history_text, restart_summary
from kctui.operate.restart_state import ConnectorRestarts, RestartStore, state_dir
from kctui.operate.watch import WatchEvent, diff_states
from kctui.operate.watcher import Watcher
from kctui.settings import AlertSettings, ClusterConfig, PolicySettings, RestartPolicy

TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: java.sql.SQLException: "
    "connect to jdbc:postgresql://app:s3cret@db:5432/x failed\n\tat a.b.C(C.java:1)"
)


def entry(state: str, tasks: list[tuple[str, str]], trace: str | None = TRACE) -> dict[str, Any]:
    return {
        "status": {
            "name": "x",
            "connector": {"state": state, "worker_id": "w1:8083"},
            "tasks": [
                {"id": i, "state": s, "worker_id": w, **({"trace": trace} if s == "FAILED" else {})}
                for i, (s, w) in enumerate(tasks)
            ],
            "type": "sink",
        },
        "info": {"config": {"connector.class": "FileStreamSink"}, "tasks": [], "type": "sink"},
    }


def state_of(**connectors: dict[str, Any]) -> ClusterState:
    return ClusterState.from_json(connectors)


def test_diff_reports_failed_recovered_moved() -> None:
    before = state_of(a=entry("RUNNING", [("RUNNING", "w1"), ("RUNNING", "w1")]),
                      b=entry("RUNNING", [("FAILED", "w2")]))  # fmt: skip
    after = state_of(a=entry("RUNNING", [("FAILED", "w1"), ("RUNNING", "w2")]),
                     b=entry("RUNNING", [("RUNNING", "w2")]), c=entry("FAILED", []))  # fmt: skip
    events = diff_states(before, after, cluster="prod", now=0.0)
    got = [(e.connector, e.task, e.event) for e in events]
    assert got == [
        ("a", 0, "failed"),
        ("a", 1, "moved"),
        ("b", 0, "recovered"),
        ("c", None, "failed"),
    ]
    failed = events[0].to_json()
    assert failed["error"].startswith("org.apache.kafka.connect.errors.ConnectException")
    assert "s3cret" not in failed["error"] and "********" in failed["error"]
    assert set(failed) == {
        "time",
        "cluster",
        "connector",
        "task",
        "event",
        "state",
        "worker",
        "error",
    }
    assert events[1].detail == "from w1" and "a task 1 MOVED RUNNING on w2" in events[1].text()
    rebalanced = diff_states(
        state_of(a=entry("RUNNING", [("UNASSIGNED", "w1")])),
        state_of(a=entry("RUNNING", [("RUNNING", "w2")])),
        cluster="prod",
        now=0.0,
    )
    assert [(e.task, e.event, e.state, e.detail) for e in rebalanced] == [
        (0, "moved", "RUNNING", "from w1")
    ]


def test_first_pass_reports_what_is_failed_now_and_quiet_state_nothing() -> None:
    state = state_of(
        a=entry("RUNNING", [("FAILED", "w1")]), b=entry("RUNNING", [("RUNNING", "w1")])
    )
    assert [(e.connector, e.event) for e in diff_states(None, state, cluster="p", now=0)] == [
        ("a", "failed")
    ]
    assert diff_states(state, state, cluster="p", now=0) == []


class FakeConnect:
    """A Connect worker of a given version whose one connector ``sink`` has a failed task."""

    def __init__(self, version: str, tasks: list[tuple[str, str]], trace: str = TRACE) -> None:
        self.version = version
        self.tasks = tasks
        self.trace = trace
        self.requests: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = ("?" + request.url.query.decode()) if request.url.query else ""
        self.requests.append(f"{request.method} {path}{query}")
        if path == "/":
            return httpx.Response(200, json={"version": self.version})
        if path == "/connectors":
            return httpx.Response(200, json={"sink": entry("RUNNING", self.tasks, self.trace)})
        if request.method == "POST" and path == "/connectors/sink/restart":
            status = entry("RUNNING", [("RESTARTING", w) for _, w in self.tasks])["status"]
            return httpx.Response(202, json=status)
        if request.method == "POST":
            return httpx.Response(204)
        if path == "/connectors/sink/status":
            return httpx.Response(200, json=entry("RUNNING", [("RUNNING", "w1")] * 2)["status"])
        return httpx.Response(404, json={"error_code": 404, "message": "not found"})


def make_watcher(
    fake: FakeConnect,
    tmp_path: Path,
    *,
    read_only: bool = False,
    policy: RestartPolicy | None = None,
    clock: list[float] | None = None,
) -> tuple[Watcher, ConnectClient]:
    cluster = ClusterConfig(name="prod", urls=("http://connect:8083",), read_only=read_only)
    client = ConnectClient(cluster, transport=httpx.MockTransport(fake.handler))
    now = clock if clock is not None else [1000.0]
    watcher = Watcher(
        client, cluster="prod", policy=policy or RestartPolicy(), store=RestartStore(tmp_path),
        history=RestartHistory(tmp_path), clock=lambda: now[0],
    )  # fmt: skip
    return watcher, client


async def test_kip745_restart_on_3_0_then_backoff(tmp_path: Path) -> None:
    fake = FakeConnect("3.9.0", [("FAILED", "w1"), ("RUNNING", "w2")])
    clock = [1000.0]
    watcher, client = make_watcher(fake, tmp_path, clock=clock)
    async with client:
        result = await watcher.poll()
        assert [(e.task, e.event) for e in result.events] == [(0, "failed"), (0, "restarted")]
        assert "POST /connectors/sink/restart?includeTasks=true&onlyFailed=true" in fake.requests
        [line] = RestartHistory(tmp_path).read()
        assert line["task"] == 0 and line["attempt"] == 1 and line["state_after"] == "RESTARTING"
        assert "s3cret" not in line["error"]
        fake.requests.clear()
        clock[0] += 60  # still failed, 2nd restart due after 2 min
        [backoff] = (await watcher.poll()).events
        assert (backoff.event, backoff.detail) == ("backoff", "1 restart so far, next in 1 min")
        assert fake.requests == ["GET /connectors?expand=status&expand=info"]  # ONE request
        clock[0] += 30
        assert (await watcher.poll()).events == ()  # said once
        clock[0] += 31
        assert [e.event for e in (await watcher.poll()).events] == ["restarted"]
    assert RestartStore(tmp_path).load()["sink"].restarts == 2


async def test_task_by_task_before_3_0(tmp_path: Path) -> None:
    fake = FakeConnect("2.8.1", [("FAILED", "w1"), ("FAILED", "w2"), ("RUNNING", "w1")])
    watcher, client = make_watcher(fake, tmp_path)
    async with client:
        result = await watcher.poll()
    posts = [r for r in fake.requests if r.startswith("POST")]
    assert posts == [
        "POST /connectors/sink/tasks/0/restart",
        "POST /connectors/sink/tasks/1/restart",
    ]
    assert [e.task for e in result.events if e.event == "restarted"] == [0, 1]
    assert [e["request"] for e in RestartHistory(tmp_path).read()] == posts


async def test_read_only_reports_once_and_sends_no_mutation(tmp_path: Path) -> None:
    fake = FakeConnect("3.9.0", [("FAILED", "w1")])
    watcher, client = make_watcher(fake, tmp_path, read_only=True)
    async with client:
        first = await watcher.poll()
        second = await watcher.poll()
    assert [e.event for e in first.events] == ["failed", "would-restart"]
    assert "onlyFailed=true" in first.events[1].detail
    assert second.events == ()
    assert all(r.startswith("GET") for r in fake.requests)
    assert RestartHistory(tmp_path).read() == [] and RestartStore(tmp_path).load() == {}


async def test_cannot_fix_is_reported_not_restarted(tmp_path: Path) -> None:
    trace = "java.lang.ClassNotFoundException: com.example.Missing\n\tat x.y(Z.java:1)"
    fake = FakeConnect("3.9.0", [("FAILED", "w1")], trace)
    watcher, client = make_watcher(fake, tmp_path)
    async with client:
        events = (await watcher.poll()).events
    assert [e.event for e in events] == ["failed", "not-restarted"]
    assert "java-class-missing: A class the connector" in events[1].detail
    assert not [r for r in fake.requests if r.startswith("POST")]


async def test_gave_up_and_clear(tmp_path: Path) -> None:
    fake = FakeConnect("3.9.0", [("FAILED", "w1")])
    policy = RestartPolicy(defaults=PolicySettings(max_restarts=1, backoff_minutes=0))
    watcher, client = make_watcher(fake, tmp_path, policy=policy)
    async with client:
        assert "restarted" in [e.event for e in (await watcher.poll()).events]
        assert [e.event for e in (await watcher.poll()).events] == ["gave-up"]
        assert (await watcher.poll()).events == ()
        RestartStore(tmp_path).save(
            {**RestartStore(tmp_path).load(), "deleted-since": ConnectorRestarts(2, 0.0)}
        )
        assert (await watcher.poll()).events == ()
        assert set(RestartStore(tmp_path).load()) == {"sink"}  # the deleted one is forgotten
        assert RestartStore(tmp_path).clear("sink") is True
        assert RestartStore(tmp_path).clear("sink") is False
        assert "restarted" in [e.event for e in (await watcher.poll()).events]


def test_lock_is_held_against_another_open_of_the_file(tmp_path: Path) -> None:
    import fcntl

    store = RestartStore(tmp_path)
    with store.lock(), open(tmp_path / "lock", "a+b") as other:
        with pytest.raises(BlockingIOError):  # another process (another open file) must wait
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(tmp_path / "lock", "a+b") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: free again


def test_state_dir_is_per_cluster_and_safe(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path)}
    assert state_dir("prod", env) == tmp_path / "kctui" / "watch" / "prod"
    assert state_dir("http://a:8083/x", env).name == "http_a_8083_x"


def test_history_text_and_summary(tmp_path: Path) -> None:
    assert history_text([]) == "no restarts recorded"
    text = history_text([{"time": "T", "connector": "c", "task": 0, "attempt": 2,
                          "state_after": "RUNNING", "error": "E"}])  # fmt: skip
    assert text.split() == ["T", "c/0", "attempt", "2", "->", "RUNNING", "E"]
    settings = PolicySettings(max_restarts=7)
    record = ConnectorRestarts(3, 1000.0, False, "password=hunter2 rejected")
    summary = restart_summary(record, settings, 1000.0 + 360)
    assert (
        summary == "auto-restart: 3 restarts, next in 6 min, last error password=******** rejected"
    )
    gave_up = restart_summary(ConnectorRestarts(7, 0, True), settings, 0)
    assert gave_up is not None and "gave up after 7" in gave_up
    assert restart_summary(None, settings, 0) is None
    assert (
        restart_summary(None, PolicySettings(enabled=False), 0)
        == "auto-restart: off for this connector"
    )


def event(kind: str = "failed", connector: str = "c") -> WatchEvent:
    return WatchEvent(0.0, "prod", connector, 0, kind, "FAILED", "w1", "boom")


async def test_alert_command_gets_the_json_on_stdin_with_rate_limit(tmp_path: Path) -> None:
    out = tmp_path / "alerts.jsonl"
    script = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read() + '\\n')"
    now = [0.0]
    sender = AlertSender(
        AlertSettings((sys.executable, "-c", script), None, 60.0), clock=lambda: now[0]
    )
    assert await sender.send(event()) == []
    assert await sender.send(event()) == []  # rate limited: not run
    assert await sender.send(event("recovered")) == []  # not an alert event
    assert await sender.send(event(connector="d")) == []  # another connector: its own limit
    now[0] = 61
    assert await sender.send(event("gave-up")) == []
    assert await sender.send(event()) == []
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(x["connector"], x["event"]) for x in lines] == [
        ("c", "failed"), ("d", "failed"), ("c", "gave-up"), ("c", "failed")
    ]  # fmt: skip
    assert sender.suppressed == 1


async def test_alert_failures_are_reported_not_raised() -> None:
    missing = AlertSender(AlertSettings(("/no/such/kctui-alert",), None, 0), clock=lambda: 0)
    [problem] = await missing.send(event())
    assert "could not start" in problem
    argv = (sys.executable, "-c", "import sys; sys.exit('nope')")
    failing = AlertSender(AlertSettings(argv, None, 0), clock=lambda: 0)
    [problem] = await failing.send(event())
    assert "exited 1: nope" in problem


async def test_alert_webhook_posts_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500 if len(seen) > 1 else 204)

    settings = AlertSettings((), "https://user:pw@hooks.example/k", 0)
    sender = AlertSender(settings, clock=lambda: 0, transport=httpx.MockTransport(handler))
    assert await sender.send(event()) == []
    assert seen[0].method == "POST" and json.loads(seen[0].content)["event"] == "failed"
    [problem] = await sender.send(event("gave-up"))
    assert "answered HTTP 500" in problem and "pw" not in problem


def test_watch_cli_history_and_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from kctui.cli import main
    from kctui.operate.restart_history import RestartRecord

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setenv("KCTUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("KCTUI_URL", raising=False)
    directory = state_dir("http://connect:8083")
    RestartHistory(directory).append([
        RestartRecord(0, "x", "a", 0, 1, "token=abc boom", "RUNNING", "POST /r"),
        RestartRecord(60, "x", "b", None, 1, "", "FAILED", "POST /r"),
    ])  # fmt: skip
    url = ["--url", "http://connect:8083"]
    assert main(["watch", "--history", "--json", "--connector", "a", *url]) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["connector"] == "a" and line["error"] == "token=******** boom"
    assert main(["watch", "--history", *url]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["watch", "--clear", "a", *url]) == 0
    assert "nothing recorded" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["watch", "--connector", "a"], "--connector goes with --history"),
        (["watch", "--interval", "0.1"], "--interval: at least 1 s between polls"),
        (["pause", "--match", "("], "--match: invalid regular expression"),
    ],
)
def test_bad_watch_and_bulk_options_say_what_is_wrong(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from kctui.cli import main

    monkeypatch.setenv("KCTUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    url = "http://127.0.0.1:9"  # watch refuses before any request; pause asks a fake first
    if argv[0] == "pause":
        fake = FakeConnect("3.9.0", [("RUNNING", "w1")])
        monkeypatch.setattr(
            "kctui.connect.requester.httpx.AsyncClient.__init__",
            _with_transport(httpx.MockTransport(fake.handler)),
        )
    assert main([*argv, "--url", url]) == 2
    assert message in capsys.readouterr().err


def _with_transport(transport: httpx.MockTransport) -> Any:
    original = httpx.AsyncClient.__init__

    def init(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        kwargs["transport"] = transport
        original(self, *args, **kwargs)

    return init
