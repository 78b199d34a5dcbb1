"""The demo scenario: connectors in every state a troubleshooter meets, from built-in classes.

Seeding is idempotent: configs are PUT (create or update), states are forced, and the
malformed records that fill the DLQ are produced only once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
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
PAYMENTS_TOPIC = "demo-payments-avro"
AVRO_DLQ_TOPIC = "demo-payments-dlq"
AVRO_RECORDS = 40
MALFORMED_RECORDS = 300
VALID_RECORDS = 60

SOURCE = "demo-source"
SINK = "demo-sink"
DLQ_SINK = "demo-dlq-sink"
FAILING_SINK = "demo-failing-sink"
PAUSED = "demo-paused"
STOPPED = "demo-stopped"
SMT_SOURCE = "demo-smt-source"
AVRO_SINK = "demo-avro-sink"
CONNECTORS = (SOURCE, SINK, DLQ_SINK, FAILING_SINK, PAUSED, STOPPED, SMT_SOURCE, AVRO_SINK)

# Payments written by a Confluent Avro serializer (wire format, ids from the stand-in
# registry) and read by a sink that expects JSON: the classic converter mismatch, whose dead
# letters kctui decodes back through the registry.
PAYMENT_SCHEMA = {
    "type": "record",
    "name": "Payment",
    "namespace": "demo.payments",
    "fields": [
        {"name": "id", "type": "string"},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        },  # fmt: skip
        {
            "name": "currency",
            "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD", "GBP"]},
        },  # fmt: skip
        {"name": "paid_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}
PAYMENT_KEY_SCHEMA = {
    "type": "record",
    "name": "PaymentKey",
    "namespace": "demo.payments",
    "fields": [{"name": "account", "type": "string"}],
}


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
        AVRO_SINK: {
            "connector.class": FILE_SINK,
            "tasks.max": "1",
            "topics": PAYMENTS_TOPIC,
            "file": str(files_dir / "payments-out.txt"),
            "key.converter": STRING_CONVERTER,
            "value.converter": JSON_CONVERTER,
            "value.converter.schemas.enable": "false",
            "errors.tolerance": "all",
            "errors.deadletterqueue.topic.name": AVRO_DLQ_TOPIC,
            "errors.deadletterqueue.topic.replication.factor": "1",
            "errors.deadletterqueue.context.headers.enable": "true",
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


def _register(registry_url: str, subject: str, schema: dict[str, Any]) -> int:
    import json

    response = httpx.post(f"{registry_url}/subjects/{subject}/versions",
                          json={"schema": json.dumps(schema)}, timeout=10.0)  # fmt: skip
    if response.status_code != 200:
        raise SandboxError(f"registering {subject} failed: {response.status_code} {response.text}")
    return int(response.json()["id"])


def avro_payments(key_id: int, value_id: int) -> list[tuple[bytes, bytes]]:
    """Keys and values as Confluent's KafkaAvroSerializer writes them (magic 0, id, Avro)."""
    import io
    from decimal import Decimal

    from fastavro import parse_schema, schemaless_writer

    def wire(schema_id: int, schema: Any, datum: dict[str, Any]) -> bytes:
        out = io.BytesIO()
        schemaless_writer(out, schema, datum)
        return b"\x00" + schema_id.to_bytes(4, "big") + out.getvalue()

    value_schema, key_schema = parse_schema(PAYMENT_SCHEMA), parse_schema(PAYMENT_KEY_SCHEMA)
    records = []
    for n in range(AVRO_RECORDS):
        payment = {
            "id": f"pay-{n:04d}",
            "amount": Decimal(f"{(n * 37) % 500}.{n % 100:02d}"),
            "currency": ("EUR", "USD", "GBP")[n % 3],
            "paid_at": 1764460800000 + n * 60_000,
            "note": None if n % 4 else f"refund of order-{n}",
        }
        key = wire(key_id, key_schema, {"account": f"acct-{n % 7}"})
        records.append((key, wire(value_id, value_schema, payment)))
    return records


Kafka = str | Mapping[str, Any]  # a bootstrap address, or kafka-python settings


def _client_kwargs(kafka: Kafka) -> dict[str, Any]:
    """kafka-python settings from a bootstrap address or a settings map (SASL_SSL...)."""
    return {"bootstrap_servers": kafka} if isinstance(kafka, str) else dict(kafka)


def _produce_payments(kafka: Kafka, registry_url: str) -> None:
    from kafka import KafkaProducer

    key_id = _register(registry_url, f"{PAYMENTS_TOPIC}-key", PAYMENT_KEY_SCHEMA)
    value_id = _register(registry_url, f"{PAYMENTS_TOPIC}-value", PAYMENT_SCHEMA)
    producer = KafkaProducer(**_client_kwargs(kafka), acks="all", linger_ms=5)
    try:
        for key, value in avro_payments(key_id, value_id):
            producer.send(PAYMENTS_TOPIC, key=key, value=value,
                          headers=[("origin", b"kctui-sandbox")])  # fmt: skip
        producer.flush(timeout=30)
    finally:
        producer.close()


def _request(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request that rides out rebalances (409) while the cluster settles."""
    deadline = time.monotonic() + 90
    while True:
        response = http.request(method, path, **kwargs)
        if response.status_code != 409 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def _ensure_topics(kafka: Kafka) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(**_client_kwargs(kafka), client_id="kctui-sandbox-seed")
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(LINES_TOPIC, 2, 1), NewTopic(ORDERS_TOPIC, 3, 1),
                  NewTopic(PAYMENTS_TOPIC, 1, 1)]  # fmt: skip
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def _topic_size(kafka: Kafka, topic: str) -> int:
    """Records in ``topic`` (end minus beginning offsets); reads without a consumer group."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(**_client_kwargs(kafka), group_id=None, enable_auto_commit=False)
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


def _produce_orders(kafka: Kafka) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(**_client_kwargs(kafka), acks="all", linger_ms=5)
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
    kafka = box.kafka_client_kwargs()
    _ensure_topics(kafka)
    with httpx.Client(base_url=box.rest_urls[0], timeout=30.0, **box.http_options()) as http:
        for name, config in connector_configs(files_dir).items():
            response = _request(http, "PUT", f"/connectors/{name}/config", json=config)
            if response.status_code not in (200, 201):
                raise SandboxError(
                    f"creating {name} failed: {response.status_code} {response.text}"
                )
        _request(http, "PUT", f"/connectors/{PAUSED}/pause")
        _request(http, "PUT", f"/connectors/{STOPPED}/stop")
        if _topic_size(kafka, ORDERS_TOPIC) == 0:
            _produce_orders(kafka)
        if _topic_size(kafka, PAYMENTS_TOPIC) == 0:
            from kctui.sandbox.cluster import wait_for

            wait_for(box.registry_ready, timeout=30, what="the stand-in Schema Registry",
                     check=lambda: None)  # fmt: skip
            _produce_payments(kafka, box.registry_url)
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
    for name in (SOURCE, SINK, DLQ_SINK, SMT_SOURCE, AVRO_SINK):
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
    kafka = box.kafka_client_kwargs()
    while time.monotonic() < deadline:
        missing = unsettled(_states(http))
        if not missing and _topic_size(kafka, DLQ_TOPIC) < MALFORMED_RECORDS:
            missing.append(f"{DLQ_TOPIC} holding {MALFORMED_RECORDS} dead letters")
        if not missing and _topic_size(kafka, AVRO_DLQ_TOPIC) < AVRO_RECORDS:
            missing.append(f"{AVRO_DLQ_TOPIC} holding {AVRO_RECORDS} dead letters")
        if not missing:
            return
        time.sleep(1.0)
    raise SandboxError("the demo scenario did not settle: waiting for " + ", ".join(missing))
