"""HTTP metrics sources on rare answers (httpx.MockTransport): each bad answer becomes a
per-worker notice naming the source and the reason; the other workers still show."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from kctui.configfile import parse_config
from kctui.metrics.http_sources import fetch_http_worker, make_client
from kctui.metrics.sources import MetricsSource
from kctui.settings import ClusterConfig, MetricsEndpoint

FIXTURES = Path(__file__).parent.parent / "fixtures" / "metrics"
GOOD_PAGE = (FIXTURES / "scrape-sandbox-agent.prom").read_bytes()
JOLOKIA_ANSWER = (FIXTURES / "jolokia-bulk-read.json").read_bytes()

Handler = Callable[[httpx.Request], httpx.Response]


def cluster(*endpoints: MetricsEndpoint) -> ClusterConfig:
    return ClusterConfig(name="t", urls=("http://c:8083",), timeout=3.0, metrics=endpoints)


def prom(worker: str, host: str, **extra: Any) -> MetricsEndpoint:
    return MetricsEndpoint(
        worker=worker, url=f"http://{host}/metrics", source="prometheus", **extra
    )


def by_host(handlers: dict[str, Handler]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: handlers[request.url.host](request))


def good(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=GOOD_PAGE, headers={"content-type": "text/plain"})


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


BAD_ANSWERS: dict[str, tuple[Handler, str]] = {
    "html": (
        lambda r: httpx.Response(200, text="<!DOCTYPE html><html>Login</html>"),
        "prometheus: answered HTML, not Prometheus text",
    ),
    "garbage": (
        lambda r: httpx.Response(200, content=b"\x00\x13garbage{{{ \xfe\n"),
        "prometheus: not Prometheus text",
    ),
    "huge": (
        lambda r: httpx.Response(200, content=b"# filler\n" * 200_000),
        "prometheus: page larger than 1 MB",
    ),
    "401": (lambda r: httpx.Response(401), "prometheus: 401 unauthorized"),
    "403": (lambda r: httpx.Response(403), "prometheus: 403 forbidden"),
    "timeout": (timeout, "prometheus: no answer within 3 s"),
    "redirect": (
        lambda r: httpx.Response(302, headers={"location": "https://sso/login"}),
        "prometheus: redirected (302) to https://sso/login",
    ),
    "bad gzip": (
        lambda r: httpx.Response(200, content=b"\x1f\x8bnot really gzip"),
        "prometheus: gzip body that cannot be unpacked",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_ANSWERS))
def test_a_bad_answer_is_a_notice_of_its_worker_and_the_other_worker_still_shows(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, reason = BAD_ANSWERS[kind]
    monkeypatch.setattr("kctui.metrics.http_sources.MAX_PAGE_BYTES", 1024 * 1024)
    transport = by_host({"bad": handler, "ok": good})
    source = MetricsSource(cluster(prom("w-bad", "bad"), prom("w-ok", "ok")), transport=transport)
    try:
        snapshot = source.fetch_raw()
    finally:
        source.close()
    bad, ok = snapshot.workers
    assert bad.error is not None and bad.error.startswith(reason), bad.error
    assert ok.ok and len(ok.tasks) == 4 and ok.source == "prometheus"


def test_a_page_sent_gzipped_is_read_with_or_without_content_encoding() -> None:
    packed = gzip.compress(GOOD_PAGE)
    for headers in ({"content-encoding": "gzip"}, {}):
        transport = httpx.MockTransport(
            lambda r, h=headers: httpx.Response(200, content=packed, headers=h)
        )
        endpoint = prom("w", "x")
        with make_client(endpoint, 3.0, transport=transport) as client:
            snap = fetch_http_worker(endpoint, client=client)
        assert snap.ok and len(snap.tasks) == 4, (headers, snap.error)


def test_a_page_with_only_worker_metrics_says_what_is_missing() -> None:
    text = b"kafka_connect_worker_task_count 4.0\nkafka_connect_worker_connector_count 2.0\n"
    endpoint = prom("w", "x")
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=text))
    with make_client(endpoint, 3.0, transport=transport) as client:
        snap = fetch_http_worker(endpoint, client=client)
    assert snap.ok
    assert snap.notes == ("prometheus: only some metrics: task metrics missing (exporter rules?)",)


def test_a_failing_source_falls_back_to_the_next_one_of_the_worker() -> None:
    jolokia = MetricsEndpoint(worker="w", url="http://j/jolokia/", source="jolokia")
    transport = by_host({"j": lambda r: httpx.Response(503), "p": good})
    source = MetricsSource(cluster(prom("w", "p"), jolokia), transport=transport)
    try:
        (worker,) = source.fetch_raw().workers
    finally:
        source.close()
    assert worker.ok and worker.source == "prometheus"  # Jolokia is asked first
    assert worker.notes[0] == "jolokia: HTTP 503 Service Unavailable"


def test_jolokia_is_one_post_with_every_group_and_the_connector_filter() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=JOLOKIA_ANSWER)

    endpoint = MetricsEndpoint(worker="w", url="http://j/jolokia/", source="jolokia")
    with make_client(endpoint, 3.0, transport=httpx.MockTransport(handler)) as client:
        snap = fetch_http_worker(endpoint, client=client, connector="demo-source")
    assert snap.ok and len(seen) == 1 and seen[0].method == "POST"
    body = json.loads(seen[0].content)
    assert "kafka.connect:type=source-task-metrics,connector=demo-source,*" in [
        item["mbean"] for item in body
    ]


def test_basic_auth_and_bearer_token_come_from_env_or_file_and_never_show(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    headers: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers.append(request.headers.get("authorization", ""))
        return httpx.Response(200, content=GOOD_PAGE)

    transport = httpx.MockTransport(handler)
    bearer = prom("w", "x", token_file=str(token_file))
    basic = prom("w", "x", username="ops", password_env="METRICS_PW")
    with make_client(bearer, 3.0, transport=transport) as client:
        assert "s3cret" not in repr(client.auth)
        fetch_http_worker(bearer, client=client)
    with make_client(basic, 3.0, env={"METRICS_PW": "pw"}, transport=transport) as client:
        fetch_http_worker(basic, client=client)
    assert headers == ["Bearer s3cret-token", "Basic b3BzOnB3"]
    missing = fetch_http_worker(prom("w", "x", token_env="NOPE_NOT_SET"), client=None)
    assert (
        missing.error
        == "prometheus: prometheus.token: environment variable NOPE_NOT_SET is not set"
    )


def test_a_missing_ca_bundle_is_the_worker_notice_not_a_crash() -> None:
    endpoint = MetricsEndpoint(
        worker="w", url="https://x/metrics", source="prometheus", ca_file="/nonexistent/ca.pem"
    )
    source = MetricsSource(cluster(endpoint))
    try:
        (worker,) = source.fetch_raw().workers
    finally:
        source.close()
    assert worker.error is not None
    assert "cannot load ca_file /nonexistent/ca.pem" in worker.error


CONFIG = """
[clusters.p]
urls = ["https://c1:8083"]
[[clusters.p.jmx]]
worker = "c1:8083"
url = "service:jmx:rmi:///jndi/rmi://c1:9999/jmxrmi"
[[clusters.p.metrics]]
worker = "c1:8083"
source = "prometheus"
url = "https://c1:9404/metrics"
preset = "confluent"
token_env = "TOKEN"
ca_file = "~/ca.pem"
[[clusters.p.metrics]]
worker = "c2:8083"
source = "jolokia"
url = "http://c2:8778/jolokia/"
username = "kctui"
password_file = "~/.secrets/jolokia"
insecure = true
"""


def test_metrics_entries_are_read_beside_legacy_jmx_entries() -> None:
    config = parse_config(Path("k.toml"), CONFIG)
    p = config.clusters["p"]
    assert [(e.worker, e.source) for e in p.metric_endpoints()] == [
        ("c1:8083", "jmx"), ("c1:8083", "prometheus"), ("c2:8083", "jolokia"),
    ]  # fmt: skip
    assert p.metric_endpoints("prometheus")[0].preset == "confluent"
    assert p.metric_endpoints("jolokia")[0].insecure is True


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('source = "snmp"\nurl = "http://x"', "expected one of jmx, prometheus, jolokia"),
        ('source = "prometheus"\nurl = "x:9404"', "an http:// or https:// URL"),
        ('source = "jmx"\nurl = "http://x"', "service:jmx:rmi"),
        ('source = "prometheus"\nurl = "http://x"\npreset = "mine"', "strimzi, jmx-exporter"),
        ('source = "prometheus"\nurl = "http://x"\npassword = "inline"', "unknown key"),
        ('source = "jolokia"\nurl = "http://x"\nusername = "u"\ntoken_env = "T"', "not both"),
        ('source = "prometheus"\nurl = "https://u:pw@x/metrics"', "without credentials"),
    ],
)
def test_bad_metrics_entries_name_the_key(entry: str, message: str) -> None:
    text = f'[clusters.a]\nurls = ["http://c"]\n[[clusters.a.metrics]]\nworker = "w"\n{entry}\n'
    with pytest.raises(Exception, match=message):
        parse_config(Path("k.toml"), text)


def test_a_password_in_what_a_worker_answers_is_masked_in_the_notice() -> None:
    location = "https://kctui:s3cret@sso.example.com/login"
    transport = httpx.MockTransport(lambda r: httpx.Response(302, headers={"location": location}))
    endpoint = prom("w", "x")
    with make_client(endpoint, 3.0, transport=transport) as client:
        snap = fetch_http_worker(endpoint, client=client)
    assert snap.error is not None and "sso.example.com" in snap.error
    assert "s3cret" not in snap.error
