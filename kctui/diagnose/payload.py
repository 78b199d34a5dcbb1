"""Cross-signal diagnoses: what the failing record's own bytes say (pure, no I/O).

A JsonConverter that fails on a dead letter whose key or value starts with magic byte 0
and a schema id is not reading "bad JSON": the record is Avro, Protobuf or JSON Schema in
the Schema Registry wire format, and the connector needs the matching converter.
:func:`wire_format_diagnosis` says so, with the schema id (and the format, when the DLQ
reader could ask the registry).
"""

from __future__ import annotations

from dataclasses import dataclass

from kctui.diagnose.model import Diagnosis
from kctui.dlq.records import DeadLetter
from kctui.dlq.wire import FORMAT_LABELS, split_wire

RULE = "converter-schema-registry-wire-format"
# Rules and words that say a JsonConverter (or its deserializer) failed on the bytes.
_JSON_RULES = frozenset(
    {"converter-not-json", "converter-json-schemas-enable", "generic:serialization"}
)
_JSON_WORDS = ("JsonConverter", "JsonDeserializer", "JsonParseException",
               "Converting byte[] to Kafka Connect data failed")  # fmt: skip
_CONVERTERS = {
    "Avro": "io.confluent.connect.avro.AvroConverter",
    "Protobuf": "io.confluent.connect.protobuf.ProtobufConverter",
    "JSON Schema": "io.confluent.connect.json.JsonSchemaConverter",
}


@dataclass(frozen=True)
class WireFacts:
    """The failing part of a dead letter in the wire format: which part, schema id, format."""

    part: str  # "key" or "value"
    schema_id: int
    format: str | None  # "Avro", "Protobuf", "JSON Schema", or None when the registry was not asked


def wire_facts(dead_letter: DeadLetter) -> WireFacts | None:
    """The wire-format frame of the part a converter stage failed on, if it has one."""
    stage = (dead_letter.stage or "").upper()
    record = dead_letter.record
    if stage == "KEY_CONVERTER":
        part, data, decoded = "key", record.key, record.decoded_key
    elif stage == "VALUE_CONVERTER":
        part, data, decoded = "value", record.value, record.decoded_value
    else:
        return None
    frame = split_wire(data)
    if frame is None:
        return None
    kind = FORMAT_LABELS.get(decoded.schema_type or "") if decoded is not None else None
    return WireFacts(part, frame.schema_id, kind)


def _json_converter_failed(found: Diagnosis | None, failure: str | None) -> bool:
    if found is not None and found.rule in _JSON_RULES:
        return True
    return bool(failure) and any(word in (failure or "") for word in _JSON_WORDS)


def wire_format_diagnosis(
    facts: WireFacts | None, found: Diagnosis | None, failure: str | None
) -> Diagnosis | None:
    """The cross-signal diagnosis when a JSON converter failed on wire-format bytes."""
    if facts is None or not _json_converter_failed(found, failure):
        return None
    kind = facts.format or "Avro/Protobuf/JSON Schema"
    converter = _CONVERTERS.get(facts.format or "")
    choice = (
        f"{facts.part}.converter={converter}"
        if converter
        else f"{facts.part}.converter=" + " / ".join(_CONVERTERS.values())
    )
    return Diagnosis(
        rule=RULE,
        summary=(
            f"These records are {kind} in the Schema Registry wire format (schema id "
            f"{facts.schema_id}): the JSON converter cannot read them."
        ),
        action=(
            f"Use the matching converter for the {facts.part}: {choice}, with "
            f"{facts.part}.converter.schema.registry.url pointing at the registry that holds "
            f"schema id {facts.schema_id} (GET /schemas/ids/{facts.schema_id}). The records "
            "already in the DLQ can be redriven once the converter matches."
        ),
        link="https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format",
        restart_helps=False,
        category="serialization",
        system="Schema Registry",
        headline=f"Schema Registry wire format (schema id {facts.schema_id}) read as JSON",
    )
