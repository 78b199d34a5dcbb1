"""The demo scenario: connectors in every state a troubleshooter meets, from built-in classes.

Seeding is idempotent: configs are PUT (create or update), states are forced, and the
malformed records that fill the DLQ are produced only once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from kctui.sandbox.jars import SandboxError

if TYPE_CHECKING:
    from kctui.sandbox.cluster import Sandbox

FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"
FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"
STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter"

LINES_TOPIC = "demo-lines"
ORDERS_TOPIC = "demo-orders"
DLQ_TOPIC = "demo-orders-dlq"
SMT_TOPIC = "demo-smt"
MALFORMED_RECORDS = 300
VALID_RECORDS = 60

SOURCE = "demo-source"
SINK = "demo-sink"
DLQ_SINK = "demo-dlq-sink"
FAILING_SINK = "demo-failing-sink"
PAUSED = "demo-paused"
STOPPED = "demo-stopped"
SMT_SOURCE = "demo-smt-source"
CONNECTORS = (SOURCE, SINK, DLQ_SINK, FAILING_SINK, PAUSED, STOPPED, SMT_SOURCE)


def source_file(files_dir: Path) -> Path:
    return files_dir / "source.txt"


def connector_configs(files_dir: Path) -> dict[str, dict[str, str]]:
    """Every demo connector's config (tasks land on both workers)."""
    source = str(source_file(files_dir))
    return {
        SOURCE: {
            "connector.class": FILE_SOURCE,
            "tasks.max": "1",
            "file": source,
            "topic": LINES_TOPIC,
        },
        SINK: {
            "connector.class": FILE_SINK,
            "tasks.max": "2",
            "topics": LINES_TOPIC,
            "file": str(files_dir / "sink-out.txt"),
        },
        DLQ_SINK: {
            "connector.class": FILE_SINK,
            "tasks.max": "2",
            "topics": ORDERS_TOPIC,
            "file": str(files_dir / "orders-out.txt"),
            "value.converter": JSON_CONVERTER,
            "value.converter.schemas.enable": "false",
            "errors.tolerance": "all",
            "errors.log.enable": "true",
            "errors.log.include.messages": "true",
            "errors.deadletterqueue.topic.name": DLQ_TOPIC,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true",
        },
        FAILING_SINK: {
            "connector.class": FILE_SINK,
            "tasks.max": "1",
            "topics": LINES_TOPIC,
            "file": str(files_dir / "missing-dir" / "out.txt"),
        },
        PAUSED: {
            "connector.class": FILE_SINK,
            "tasks.max": "1",
            "topics": LINES_TOPIC,
            "file": str(files_dir / "paused-out.txt"),
        },
        STOPPED: {
            "connector.class": FILE_SOURCE,
            "tasks.max": "1",
            "file": source,
            "topic": "demo-stopped-lines",
        },
        SMT_SOURCE: {
            "connector.class": FILE_SOURCE,
            "tasks.max": "1",
            "file": source,
            "topic": "demo-smt-raw",
            "value.converter": JSON_CONVERTER,
            "value.converter.schemas.enable": "false",
            "transforms": "hoist,tag,route",
            "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
            "transforms.hoist.field": "line",
            "transforms.tag.type": "org.apache.kafka.connect.transforms.InsertField$Value",
            "transforms.tag.static.field": "origin",
            "transforms.tag.static.value": "kctui-sandbox",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": "demo-smt-raw",
            "transforms.route.replacement": SMT_TOPIC,
        },
    }


def malformed_orders() -> list[tuple[bytes, bytes, list[tuple[str, bytes]]]]:
    """Key, value and headers of the records produced to demo-orders: mostly not JSON."""
    records = []
    for n in range(MALFORMED_RECORDS + VALID_RECORDS):
        key = f"order-{n}".encode()
        headers = [("origin", b"kctui-sandbox"), ("trace-id", f"t-{n:05d}".encode())]
        if n % 6 == 5:  # one record in six is valid JSON: 60 valid, 300 dead letters
            value = f'{{"id": {n}, "amount": {n * 3 % 97}.5, "currency": "EUR"}}'.encode()
        elif n % 3 == 0:
            value = f"order {n}: not json at all".encode()
        elif n % 3 == 1:
            value = f'{{"id": {n}, "amount": '.encode()  # truncated JSON
        else:
            value = bytes([0x00, 0xFF, 0xFE, n % 256]) + b"\x10binary-payload"
        records.append((key, value, headers))
    return records


def _request(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request that rides out rebalances (409) while the cluster settles."""
    deadline = time.monotonic() + 90
    while True:
        response = http.request(method, path, **kwargs)
        if response.status_code != 409 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def _ensure_topics(bootstrap: str) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kctui-sandbox-seed")
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(LINES_TOPIC, 2, 1), NewTopic(ORDERS_TOPIC, 3, 1)]
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def _topic_size(bootstrap: str, topic: str) -> int:
    """Records in ``topic`` (end minus beginning offsets); reads without a consumer group."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        if not tps:
            return 0
        ends = consumer.end_offsets(tps)
        starts = consumer.beginning_offsets(tps)
        return sum(ends[tp] - starts[tp] for tp in tps)
    finally:
        consumer.close()


def _produce_orders(bootstrap: str) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    try:
        for key, value, headers in malformed_orders():
            producer.send(ORDERS_TOPIC, key=key, value=value, headers=headers)
        producer.flush(timeout=30)
    finally:
        producer.close()


def seed(box: Sandbox) -> float:
    """Create (or restore) every demo connector and wait until each shows its state."""
    started = time.monotonic()
    files_dir = box.files_dir
    files_dir.mkdir(parents=True, exist_ok=True)
    src = source_file(files_dir)
    if not src.exists():
        src.write_text("".join(f"seed line {n}\n" for n in range(200)), encoding="utf-8")
    _ensure_topics(box.bootstrap)
    with httpx.Client(base_url=box.rest_urls[0], timeout=30.0) as http:
        for name, config in connector_configs(files_dir).items():
            response = _request(http, "PUT", f"/connectors/{name}/config", json=config)
            if response.status_code not in (200, 201):
                raise SandboxError(
                    f"creating {name} failed: {response.status_code} {response.text}"
                )
        _request(http, "PUT", f"/connectors/{PAUSED}/pause")
        _request(http, "PUT", f"/connectors/{STOPPED}/stop")
        if _topic_size(box.bootstrap, ORDERS_TOPIC) == 0:
            _produce_orders(box.bootstrap)
        _wait_settled(http, box)
    return time.monotonic() - started


def _states(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/connectors", params=[("expand", "status")])
    return response.json() if response.status_code == 200 else {}


def unsettled(states: dict[str, Any]) -> list[str]:
    """What the demo connectors still lack, from an ``expand=status`` answer (pure)."""

    def state(name: str) -> str:
        return str(states.get(name, {}).get("status", {}).get("connector", {}).get("state"))

    def task_states(name: str) -> list[str]:
        tasks = states.get(name, {}).get("status", {}).get("tasks", [])
        return [str(t.get("state")) for t in tasks]

    missing = []
    for name in (SOURCE, SINK, DLQ_SINK, SMT_SOURCE):
        tasks = task_states(name)
        if state(name) != "RUNNING" or not tasks or set(tasks) != {"RUNNING"}:
            missing.append(f"{name} running")
    if task_states(FAILING_SINK) != ["FAILED"]:
        missing.append(f"{FAILING_SINK} task FAILED")
    if state(PAUSED) != "PAUSED":
        missing.append(f"{PAUSED} PAUSED")
    if state(STOPPED) != "STOPPED":
        missing.append(f"{STOPPED} STOPPED")
    return missing


def _wait_settled(http: httpx.Client, box: Sandbox) -> None:
    deadline = time.monotonic() + 180
    missing: list[str] = []
    while time.monotonic() < deadline:
        missing = unsettled(_states(http))
        if not missing and _topic_size(box.bootstrap, DLQ_TOPIC) < MALFORMED_RECORDS:
            missing.append(f"{DLQ_TOPIC} holding {MALFORMED_RECORDS} dead letters")
        if not missing:
            return
        time.sleep(1.0)
    raise SandboxError("the demo scenario did not settle: waiting for " + ", ".join(missing))
