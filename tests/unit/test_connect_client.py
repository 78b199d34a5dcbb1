"""ConnectClient against httpx.MockTransport: the rare answers a real cluster seldom gives."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kctui.connect.client import (
    ConnectClient,
    client_settings,
    ssl_setting,
)
from kctui.connect.errors import (
    AuthError,
    BadRequest,
    BadResponse,
    Conflict,
    NotFound,
    ReadOnlyError,
    RebalanceInProgress,
    RequestTimeout,
    ServerError,
    Unreachable,
    Unsupported,
)
from kctui.connect.requester import LARGE_ANSWER_BYTES
from kctui.settings import ClusterConfig, ConfigError

Handler = Callable[[httpx.Request], httpx.Response]
REBALANCE = (
    "Cannot complete request momentarily due to no known leader URL, "
    "likely because a rebalance was underway."
)
STATUS_BODY = {
    "name": "c1",
    "connector": {"state": "RUNNING", "worker_id": "w:1"},
    "tasks": [{"id": 0, "state": "FAILED", "worker_id": "w:2", "trace": "java.lang.Boom\n\tat x"}],
    "type": "sink",
}


class Recorder:
    """A MockTransport handler that records every request it sees."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def make_client(
    handler: Handler, *, urls: tuple[str, ...] = ("http://w1:8083",), **cluster_kwargs: object
) -> tuple[ConnectClient, Recorder]:
    recorder = Recorder(handler)
    cluster = ClusterConfig(name="test", urls=urls, **cluster_kwargs)  # type: ignore[arg-type]
    client = ConnectClient(
        cluster,
        transport=httpx.MockTransport(recorder),
        retry_total_seconds=0.3,
        retry_base_delay=0.01,
        retry_max_delay=0.05,
    )
    return client, recorder


def json_answer(status: int, body: object) -> Handler:
    return lambda request: httpx.Response(status, json=body)


async def test_409_rebalance_is_retried_then_succeeds() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= 2:
            return httpx.Response(409, json={"error_code": 409, "message": REBALANCE})
        return httpx.Response(200, json=STATUS_BODY)

    client, recorder = make_client(handler)
    async with client:
        status = await client.connector_status("c1")
    assert status.tasks[0].state == "FAILED"
    assert len(recorder.requests) == 3


async def test_409_rebalance_gives_up_with_clear_words() -> None:
    client, recorder = make_client(json_answer(409, {"error_code": 409, "message": REBALANCE}))
    async with client:
        with pytest.raises(RebalanceInProgress) as info:
            await client.pause("c1")
    assert "cluster is rebalancing" in str(info.value)
    assert info.value.status == 409 and info.value.error_code == 409
    assert info.value.detail == REBALANCE
    assert 2 <= len(recorder.requests) < 40


async def test_500_rebalance_expected_is_retried_like_a_409() -> None:
    message = "Request cannot be completed because a rebalance is expected"
    client, recorder = make_client(json_answer(500, {"error_code": 500, "message": message}))
    async with client:
        with pytest.raises(RebalanceInProgress, match="still answered 500") as info:
            await client.cluster_state()
    assert info.value.status == 500 and len(recorder.requests) >= 2


async def test_409_already_exists_is_a_conflict_and_not_retried() -> None:
    body = {"error_code": 409, "message": "Connector c1 already exists"}
    client, recorder = make_client(json_answer(409, body))
    async with client:
        with pytest.raises(Conflict) as info:
            await client.create("c1", {"connector.class": "X"})
    assert "already exists" in str(info.value)
    assert len(recorder.requests) == 1


async def test_404_carries_connect_fields() -> None:
    body = {"error_code": 404, "message": "Connector nope not found"}
    client, _ = make_client(json_answer(404, body))
    async with client:
        with pytest.raises(NotFound) as info:
            await client.connector("nope")
    error = info.value
    assert (error.status, error.error_code, error.detail) == (404, 404, body["message"])
    assert error.url == "http://w1:8083/connectors/nope"
    assert error.exit_code == 2


async def test_500_is_a_server_error_without_failover() -> None:
    body = {"error_code": 500, "message": "Request timed out"}
    client, recorder = make_client(json_answer(500, body), urls=("http://w1:1", "http://w2:2"))
    async with client:
        with pytest.raises(ServerError, match="Request timed out"):
            await client.cluster_state()
    assert len(recorder.requests) == 1


async def test_400_is_a_bad_request() -> None:
    client, _ = make_client(json_answer(400, {"error_code": 400, "message": "Invalid level"}))
    async with client:
        with pytest.raises(BadRequest, match="Invalid level"):
            await client.set_logger_level("root", "LOUD")


def raising(exc_type: type[httpx.TransportError], text: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(text, request=request)

    return handler


async def test_read_timeout_is_a_request_timeout() -> None:
    client, _ = make_client(raising(httpx.ReadTimeout, "timed out"))
    async with client:
        with pytest.raises(RequestTimeout, match="no answer within 10 s"):
            await client.connector_config("c1")


async def test_connect_timeout_is_unreachable() -> None:
    client, _ = make_client(raising(httpx.ConnectTimeout, "timed out"))
    async with client:
        with pytest.raises(Unreachable, match="cannot reach Kafka Connect at http://w1:8083"):
            await client.server_info()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[Errno 111] Connection refused", "connection refused"),
        ("[Errno -2] Name or service not known", "host not found"),
        ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "TLS failed"),
    ],
)
async def test_connection_errors_say_why(text: str, reason: str) -> None:
    client, _ = make_client(raising(httpx.ConnectError, text))
    async with client:
        with pytest.raises(Unreachable) as info:
            await client.cluster_state()
    assert reason in str(info.value)
    assert info.value.status is None


async def test_refused_first_url_fails_over_and_remembers_the_second() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "w1":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return httpx.Response(200, json={"c1": {"status": STATUS_BODY, "info": {}}})

    client, recorder = make_client(handler, urls=("http://w1:8083", "http://w2:8083"))
    async with client:
        state = await client.cluster_state()
        assert state.worker_url == "http://w2:8083"
        assert client.current_url == "http://w2:8083"
        await client.cluster_state()
    hosts = [r.url.host for r in recorder.requests]
    assert hosts == ["w1", "w2", "w2"]
    assert recorder.requests[1].url.params.get_list("expand") == ["status", "info"]


async def test_proxy_502_fails_over_for_reads() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "w1":
            return httpx.Response(502, html="<html>Bad Gateway</html>")
        return httpx.Response(200, json={"version": "4.1.0"})

    client, _ = make_client(handler, urls=("http://w1:8083", "http://w2:8083"))
    async with client:
        info = await client.server_info()
    assert info.version.major == 4


async def test_all_workers_down_names_each() -> None:
    client, recorder = make_client(
        raising(httpx.ConnectError, "Connection refused"), urls=("http://w1:1", "http://w2:2")
    )
    async with client:
        with pytest.raises(Unreachable) as info:
            await client.cluster_state()
    assert "http://w1:1" in str(info.value) and "http://w2:2" in str(info.value)
    assert len(recorder.requests) == 2


async def test_mutation_is_not_replayed_on_another_worker_after_a_read_timeout() -> None:
    client, recorder = make_client(
        raising(httpx.ReadTimeout, "timed out"), urls=("http://w1:1", "http://w2:2")
    )
    async with client:
        with pytest.raises(RequestTimeout):
            await client.restart("c1")
    assert len(recorder.requests) == 1


async def test_connection_lost_fails_over_for_reads_but_not_for_mutations() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "w1":
            raise httpx.ReadError("", request=request)
        return httpx.Response(200, json={"c1": {}})

    urls = ("http://w1:1", "http://w2:2")
    reader, read_recorder = make_client(handler, urls=urls)
    writer, write_recorder = make_client(handler, urls=urls)
    async with reader, writer:
        assert list((await reader.cluster_state()).connectors) == ["c1"]
        with pytest.raises(Unreachable, match="may or may not have been applied"):
            await writer.delete("c1")
    assert [r.url.host for r in read_recorder.requests] == ["w1", "w2"]
    assert [(r.method, r.url.host) for r in write_recorder.requests] == [("DELETE", "w1")]


async def test_html_answer_says_what_came_back() -> None:
    page = "<html><head><title>Login</title></head><body>Please sign in to continue</body></html>"
    client, _ = make_client(lambda request: httpx.Response(200, html=page))
    async with client:
        with pytest.raises(BadResponse) as info:
            await client.cluster_state()
    message = str(info.value)
    assert "expected JSON from http://w1:8083/connectors, got text/html: <html><head>" in message


async def test_broken_json_is_a_bad_response() -> None:
    answer = httpx.Response(200, content=b'{"a": ', headers={"content-type": "application/json"})
    client, _ = make_client(lambda request: answer)
    async with client:
        with pytest.raises(BadResponse, match="broken JSON"):
            await client.loggers()


@pytest.mark.parametrize("size", [1, 2500], ids=["small", "large-in-a-thread"])
async def test_cluster_state_with_broken_json_is_a_bad_response(size: int) -> None:
    """The typed decoder keeps json's message (line, column); a big answer too."""
    body = json.dumps({f"c{i}": {"status": STATUS_BODY} for i in range(size)})[:-1]
    assert size == 1 or len(body) >= LARGE_ANSWER_BYTES
    answer = httpx.Response(200, content=body, headers={"content-type": "application/json"})
    client, _ = make_client(lambda request: answer)
    async with client:
        with pytest.raises(BadResponse, match=r"broken JSON from http://w1:8083/connectors: .*"
                           r"line 1 column \d+"):
            await client.cluster_state()


async def test_cluster_state_keeps_the_connectors_beside_an_odd_one() -> None:
    odd = dict(STATUS_BODY, name="odd", tasks=[{"id": "0", "state": "paused", "trace": None}])
    info_41 = {"config": {"connector.class": "a.B", "tasks.max": None}, "tasks": [{"task": 0}]}
    body = {
        "c1": {"status": dict(STATUS_BODY, connector={"state": "RUNNING", "version": "4.1.0"})},
        "odd": {"status": odd, "info": info_41},
        "c3": None,
    }
    client, _ = make_client(json_answer(200, body))
    async with client:
        state = await client.cluster_state()
    assert list(state.connectors) == ["c1", "odd", "c3"]
    assert state.connectors["c1"].status.version == "4.1.0"
    assert state.connectors["c1"].tasks[0].trace_first_line == "java.lang.Boom"
    task = state.connectors["odd"].tasks[0]
    assert (task.id, task.state, task.trace) == (0, "PAUSED", None)
    assert state.connectors["odd"].config == {"connector.class": "a.B", "tasks.max": ""}
    assert state.connectors["c3"].state == "UNASSIGNED"


async def test_cluster_state_of_a_plain_name_list() -> None:
    client, _ = make_client(json_answer(200, ["a", "b"]))
    async with client:
        state = await client.cluster_state()
    assert sorted(state.connectors) == ["a", "b"] and state.connectors["a"].state == "UNASSIGNED"


@pytest.mark.parametrize(("status", "words"), [(401, "authentication failed"), (403, "forbidden")])
async def test_auth_failures(status: int, words: str) -> None:
    client, _ = make_client(lambda request: httpx.Response(status, text="nope"))
    async with client:
        with pytest.raises(AuthError, match=words):
            await client.cluster_state()


MUTATIONS = [
    ("pause", ("c1",)),
    ("resume", ("c1",)),
    ("stop", ("c1",)),
    ("delete", ("c1",)),
    ("restart", ("c1", True, True)),
    ("restart_task", ("c1", 0)),
    ("alter_offsets", ("c1", [{"partition": {"a": 1}, "offset": None}])),
    ("reset_offsets", ("c1",)),
    ("validate", ("org.X", {"a": "b"})),
    ("create", ("c1", {"connector.class": "X"})),
    ("create", ("c1", {"connector.class": "X"}, "PAUSED")),
    ("put_config", ("c1", {"connector.class": "X"})),
    ("patch_config", ("c1", {"a": None})),
    ("set_logger_level", ("root", "DEBUG")),
    ("set_logger_level", ("root", "DEBUG", "cluster")),
]


@pytest.mark.parametrize(("method", "args"), MUTATIONS)
async def test_read_only_blocks_every_mutation_before_sending(method: str, args: tuple) -> None:
    client, recorder = make_client(json_answer(200, {}), read_only=True)
    assert client.read_only
    async with client:
        with pytest.raises(ReadOnlyError, match="read-only"):
            await getattr(client, method)(*args)
    assert recorder.requests == []


async def test_read_only_still_reads() -> None:
    client, recorder = make_client(json_answer(200, {"c1": {}}), read_only=True)
    async with client:
        state = await client.cluster_state()
    assert list(state.connectors) == ["c1"] and len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("version", "method", "args", "words"),
    [
        ("3.4.1", "stop", ("c1",), "stopping a connector needs Kafka Connect 3.5"),
        ("3.4.1", "offsets", ("c1",), "reading offsets needs Kafka Connect 3.5"),
        ("3.5.0", "alter_offsets", ("c1", []), "altering offsets needs Kafka Connect 3.6"),
        ("3.6.2", "create", ("c1", {}, "STOPPED"), "initial_state on create needs"),
        ("3.6.2", "set_logger_level", ("root", "INFO", "cluster"), "logger scope needs"),
        ("3.7.0", "patch_config", ("c1", {}), "patching a config needs Kafka Connect 3.8"),
        ("4.0.0", "plugin_config", ("org.X", "1.0"), "plugin versions needs Kafka Connect 4.1"),
    ],
)
async def test_old_clusters_get_unsupported(
    version: str, method: str, args: tuple, words: str
) -> None:
    client, recorder = make_client(json_answer(200, {"version": version}))
    async with client:
        with pytest.raises(Unsupported, match=words):
            await getattr(client, method)(*args)
    assert [r.method for r in recorder.requests] == ["GET"]


async def test_server_info_is_cached_and_features_exposed() -> None:
    client, recorder = make_client(json_answer(200, {"version": "3.7.1", "commit": "abc"}))
    async with client:
        first = await client.server_info()
        second = await client.server_info()
    assert first is second and len(recorder.requests) == 1
    assert first.supports_initial_state and not first.supports_patch_config


async def test_requests_have_the_expected_shape() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return httpx.Response(200, json={"version": "4.1.0"})
        if request.url.path.endswith("/restart") and "tasks" not in request.url.path:
            return httpx.Response(202, json=STATUS_BODY)
        if request.url.raw_path == b"/connectors/a%2Fb/topics":
            return httpx.Response(200, json={"a/b": {"topics": ["t1"]}})
        if request.url.path == "/connectors/c1/offsets":
            body = {"offsets": [{"partition": {"kafka_topic": "t", "kafka_partition": 0},
                                 "offset": {"kafka_offset": 5}}]}  # fmt: skip
            return httpx.Response(200, json=body)
        return httpx.Response(204)

    client, recorder = make_client(handler)
    async with client:
        status = await client.restart("c1", include_tasks=True, only_failed=True)
        topics = await client.topics("a/b")
        offsets = await client.offsets("c1")
        await client.create("c2", {"connector.class": "X"}, initial_state="paused")
        await client.stop("c1")
    assert status is not None and status.tasks[0].id == 0
    assert topics == ["t1"]
    assert offsets[0].is_sink and offsets[0].offset == {"kafka_offset": 5}
    restart = recorder.requests[0]
    assert restart.method == "POST"
    assert dict(restart.url.params) == {"includeTasks": "true", "onlyFailed": "true"}
    create = next(r for r in recorder.requests if r.url.path == "/connectors")
    assert b'"initial_state":"PAUSED"' in create.content.replace(b" ", b"")
    assert "tasks-config" not in " ".join(str(r.url) for r in recorder.requests)


def test_settings_default_to_verification(tmp_path: Path) -> None:
    settings = client_settings(ClusterConfig(name="t", urls=("https://x",)))
    assert settings["verify"] is True and settings["auth"] is None


def test_settings_basic_auth_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCTUI_TEST_PW", "s3cret")
    cluster = ClusterConfig(
        name="t", urls=("https://x",), username="ops", password_env="KCTUI_TEST_PW"
    )
    auth = client_settings(cluster)["auth"]
    request = next(auth.auth_flow(httpx.Request("GET", "https://x")))
    assert request.headers["Authorization"] == httpx.BasicAuth("ops", "s3cret")._auth_header


def test_settings_insecure_disables_verification_only_when_set() -> None:
    context = ssl_setting(ClusterConfig(name="t", urls=("https://x",), insecure=True))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname


def test_settings_ca_file_keeps_verification(tmp_path: Path) -> None:
    ca = Path(ssl.get_default_verify_paths().cafile or "")
    if not ca.is_file():
        pytest.fail("the system CA bundle is needed for this test")
    context = ssl_setting(ClusterConfig(name="t", urls=("https://x",), ca_file=str(ca)))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_settings_missing_ca_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(ConfigError, match="cannot load ca_file .*nope.pem"):
        ssl_setting(ClusterConfig(name="t", urls=("https://x",), ca_file=str(missing)))


def test_settings_missing_client_cert_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cert_file .*client.pem"):
        ssl_setting(
            ClusterConfig(name="t", urls=("https://x",), cert_file=str(tmp_path / "client.pem"))
        )
