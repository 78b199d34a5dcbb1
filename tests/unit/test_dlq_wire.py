"""Wire-format payloads decoded through a Schema Registry (the stand-in or rare answers)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from fastavro import parse_schema, schemaless_writer

from kctui.dlq import wire
from kctui.dlq.export import payload_json
from kctui.dlq.records import KafkaRecord
from kctui.dlq.registry import PayloadDecoder, SchemaRegistry
from kctui.dlq.render import render_payload
from kctui.sandbox import registry as standin
from kctui.settings import SchemaRegistrySettings

ORDER_SCHEMA = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "customer", "type": ["null", "string"], "default": None},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal",
                                    "precision": 10, "scale": 2}},  # fmt: skip
        {"name": "placed", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
    ],
}
ORDER = {
    "id": 7,
    "customer": "ada",
    "amount": Decimal("12.50"),
    "placed": 1764470000000,
    "ref": "9b2f4f36-6c52-4f3a-9d0b-1f6a0f9d2b11",
}


def confluent_avro(schema_id: int, schema: dict, datum: dict) -> bytes:
    """Bytes as Confluent's KafkaAvroSerializer writes them: 0, int32 id, Avro binary."""
    out = io.BytesIO()
    schemaless_writer(out, parse_schema(schema), datum)
    return b"\x00" + schema_id.to_bytes(4, "big") + out.getvalue()


@pytest.fixture()
def registry_url() -> Iterator[tuple[str, standin.Store]]:
    store = standin.Store()
    server = standin.serve(0, store)
    try:
        yield f"http://127.0.0.1:{server.server_port}", store
    finally:
        server.shutdown()
        server.server_close()


def decoder(url: str, **kw: object) -> PayloadDecoder:
    return PayloadDecoder(SchemaRegistry(SchemaRegistrySettings(urls=(url,), **kw)))  # type: ignore[arg-type]


def test_avro_value_decodes_with_field_names_and_readable_logical_types(registry_url) -> None:
    url, store = registry_url
    schema_id = store.register("orders-value", {"schema": json.dumps(ORDER_SCHEMA)})
    dec = decoder(url)
    decoded = dec.decode(confluent_avro(schema_id, ORDER_SCHEMA, ORDER))
    assert decoded is not None and decoded.decoded, decoded
    assert decoded.value == {
        "id": 7,
        "customer": "ada",
        "amount": "12.50",
        "placed": "2025-11-30T02:33:20+00:00",
        "ref": "9b2f4f36-6c52-4f3a-9d0b-1f6a0f9d2b11",
    }
    assert decoded.label == f"Avro, schema id {schema_id} (orders-value)"
    rendered = render_payload(confluent_avro(schema_id, ORDER_SCHEMA, ORDER), decoded=decoded)
    assert rendered.language == "json" and '"customer": "ada"' in rendered.text
    assert rendered.description.startswith(f"Avro, schema id {schema_id} (orders-value)")


def test_schemas_are_fetched_once_per_id(registry_url) -> None:
    url, store = registry_url
    schema_id = store.register("orders-value", {"schema": json.dumps(ORDER_SCHEMA)})
    dec = decoder(url)
    payload = confluent_avro(schema_id, ORDER_SCHEMA, ORDER)
    for _ in range(50):
        assert dec.decode(payload).decoded  # type: ignore[union-attr]
    assert dec.registry is not None and dec.registry.requests == 2  # schema + its subjects


def test_json_schema_and_protobuf_payloads(registry_url) -> None:
    url, store = registry_url
    json_body = {"schema": '{"type":"object"}', "schemaType": "JSON"}
    json_id = store.register("events-value", json_body)
    proto = 'syntax = "proto3";\npackage shop.v1;\n'
    proto += "message Order { message Line { int32 n = 1; } }\n"
    proto += "message Refund { string id = 1; }\n"
    proto_id = store.register("refunds-value", {"schema": proto, "schemaType": "PROTOBUF"})
    dec = decoder(url)
    as_json = dec.decode(b"\x00" + json_id.to_bytes(4, "big") + b'{"a": 1}')
    assert as_json is not None and as_json.value == {"a": 1}
    assert as_json.label.startswith("JSON Schema, schema id")
    # indexes [1] (zigzag count 1 -> 0x02, index 1 -> 0x02), then the message bytes
    refund = dec.decode(b"\x00" + proto_id.to_bytes(4, "big") + b"\x02\x02" + b"\x0a\x01x")
    assert refund is not None and refund.message_name == "shop.v1.Refund"
    assert refund.raw_body == b"\x0a\x01x" and not refund.decoded
    # the single 0 byte stands for [0]; [0, 0] is the nested Line
    first = dec.decode(b"\x00" + proto_id.to_bytes(4, "big") + b"\x00\x08\x01")
    assert first is not None and first.message_name == "shop.v1.Order"
    nested = dec.decode(b"\x00" + proto_id.to_bytes(4, "big") + b"\x04\x00\x00\x08\x01")
    assert nested is not None and nested.message_name == "shop.v1.Order.Line"


@pytest.mark.parametrize(
    "data",
    [b"\x00\x00\x01", b"\x00\x00\x00\x00\x00{}", b"\x01\x00\x00\x00\x05abc", b"", None],
    ids=["short", "id-0", "magic-1", "empty", "null"],
)
def test_not_wire_format_is_left_to_the_plain_rendering(data: bytes | None) -> None:
    assert wire.split_wire(data) is None
    assert PayloadDecoder(None).decode(data) is None


def test_without_a_registry_the_id_is_shown_and_the_body_kept() -> None:
    payload = confluent_avro(42, ORDER_SCHEMA, ORDER)
    decoded = PayloadDecoder(None).decode(payload)
    assert decoded is not None and not decoded.decoded
    rendered = render_payload(payload, decoded=decoded)
    assert "schema id 42" in rendered.description
    assert "configure schema_registry to decode" in rendered.description
    assert rendered.language == "hex"


def test_unknown_id_bad_schema_and_wrong_body_are_said_not_raised(registry_url) -> None:
    url, store = registry_url
    bad_id = store.register("bad-value", {"schema": '{"type": "no.such.Type"}'})
    good_id = store.register("orders-value", {"schema": json.dumps(ORDER_SCHEMA)})
    dec = decoder(url)
    unknown = dec.decode(b"\x00\x00\x00\x03\xe7\x02")
    assert unknown is not None and unknown.error == "Schema 999 not found"
    bad = dec.decode(b"\x00" + bad_id.to_bytes(4, "big") + b"\x02")
    assert bad is not None and "does not parse" in (bad.error or "")
    cut = dec.decode(confluent_avro(good_id, ORDER_SCHEMA, ORDER)[:-6])
    assert cut is not None and "does not match its Avro schema" in (cut.error or "")


def test_registry_down_401_and_html_are_reasons_in_the_pane() -> None:
    def answer(status: int, body: bytes, ctype: str) -> PayloadDecoder:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(status, content=body, headers={"content-type": ctype})

        settings = SchemaRegistrySettings(urls=("http://registry:8081",))
        return PayloadDecoder(SchemaRegistry(settings, transport=httpx.MockTransport(handler)))

    payload = confluent_avro(5, ORDER_SCHEMA, ORDER)
    unauthorized = answer(401, b'{"error_code":401,"message":"Unauthorized"}', "application/json")
    assert "answered 401" in (unauthorized.decode(payload).error or "")  # type: ignore[union-attr]
    html = answer(200, b"<html>login</html>", "text/html")
    assert "not JSON" in (html.decode(payload).error or "")  # type: ignore[union-attr]
    down = decoder("http://127.0.0.1:9", timeout=1.0)
    first = down.decode(payload)
    assert first is not None and first.error and first.error.startswith(
        "schema registry unreachable"
    )
    assert down.registry is not None
    requests = down.registry.requests
    down.decode(payload)  # answered from the remembered failure, no new connection
    assert down.registry.requests == requests


def test_key_in_wire_format_and_value_not_in_the_export(registry_url) -> None:
    url, store = registry_url
    key_schema = {"type": "record", "name": "Key", "fields": [{"name": "id", "type": "long"}]}
    key_id = store.register("orders-key", {"schema": json.dumps(key_schema)})
    dec = decoder(url)
    key = confluent_avro(key_id, key_schema, {"id": 3})
    record = KafkaRecord(
        "t", 0, 1, key=key, value=b"not json",
        decoded_key=dec.decode(key), decoded_value=dec.decode(b"not json"),
    )  # fmt: skip
    out_key = payload_json(record.key, record.decoded_key)
    out_value = payload_json(record.value, record.decoded_value)
    assert out_key is not None and out_key["decoded"]["value"] == {"id": 3}
    assert out_key["decoded"]["format"] == "avro" and out_key["decoded"]["subject"] == "orders-key"
    assert out_value is not None and "decoded" not in out_value
