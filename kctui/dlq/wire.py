"""Payloads in the Confluent wire format, decoded (pure: no I/O; schemas are handed in).

The Confluent serializers write a magic byte 0, the schema id as a big-endian int32 and
then the body: Avro binary (no schema), JSON text (JSON Schema), or, for Protobuf, the
message indexes (zigzag varints: a count then the indexes, ``[0]`` written as one 0 byte)
before the Protobuf bytes. :func:`split_wire` recognises the frame; the ``decode_*``
functions turn a body into a JSON-ready value, raising :class:`DecodeError` with a reason.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

MAX_SCHEMA_ID = 2**31 - 1
FORMAT_LABELS = {"AVRO": "Avro", "JSON": "JSON Schema", "PROTOBUF": "Protobuf"}


class DecodeError(Exception):
    """A wire-format body that could not be decoded with its schema (the reason is the text)."""


@dataclass(frozen=True)
class WireFrame:
    """A payload in the Confluent wire format: schema id and body bytes."""

    schema_id: int
    body: bytes


def split_wire(data: bytes | None) -> WireFrame | None:
    """The frame of a wire-format payload, or None (too short, magic byte not 0, id not > 0)."""
    if data is None or len(data) < 5 or data[0] != 0:
        return None
    schema_id = int.from_bytes(data[1:5], "big")
    if not 0 < schema_id <= MAX_SCHEMA_ID:
        return None
    return WireFrame(schema_id, bytes(data[5:]))


@dataclass(frozen=True)
class Decoded:
    """What a wire-format key or value holds: ``value`` (JSON-ready) or ``error``."""

    schema_id: int
    schema_type: str | None = None  # None when the registry could not say
    value: Any = None
    decoded: bool = False
    error: str | None = None
    subject: str | None = None
    message_name: str | None = None  # Protobuf: the message the indexes point at
    raw_body: bytes = field(default=b"", repr=False)

    @property
    def label(self) -> str:
        """``Avro, schema id 42 (orders-value)``."""
        kind = FORMAT_LABELS.get(self.schema_type or "", "Confluent wire format")
        subject = f" ({self.subject})" if self.subject else ""
        name = f", message {self.message_name}" if self.message_name else ""
        return f"{kind}, schema id {self.schema_id}{subject}{name}"

    @property
    def text(self) -> str | None:
        """The decoded value as indented JSON, or None when not decoded."""
        if not self.decoded:
            return None
        return json.dumps(self.value, indent=2, ensure_ascii=False)

    def as_json(self) -> dict[str, Any]:
        """For ``kctui dlq --json`` and exports, beside the raw bytes."""
        out: dict[str, Any] = {"format": (self.schema_type or "unknown").lower(),
                               "schema_id": self.schema_id}  # fmt: skip
        if self.subject:
            out["subject"] = self.subject
        if self.message_name:
            out["message"] = self.message_name
        if self.decoded:
            out["value"] = self.value
        if self.error:
            out["error"] = self.error
        return out


# --------------------------------------------------------------------------- JSON-ready values


def json_ready(value: Any) -> Any:
    """Avro's Python values made JSON-ready and readable: decimals as exact strings, times
    as ISO 8601, UUIDs as text, bytes as ``base64:...``."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        finite = value == value and value not in (float("inf"), float("-inf"))
        return value if finite else str(value)
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "base64:" + base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


# --------------------------------------------------------------------------- Avro


def parse_avro_schema(text: str, named: dict[str, Any] | None = None) -> Any:
    """A fastavro parsed schema from its JSON text; ``named`` collects referenced types."""
    import fastavro

    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise DecodeError(f"the Avro schema is not JSON: {exc}") from None
    try:
        return fastavro.parse_schema(raw, named_schemas=named if named is not None else {})
    except Exception as exc:  # noqa: BLE001 - fastavro raises many kinds for a bad schema
        raise DecodeError(f"the Avro schema does not parse: {exc}") from None


def decode_avro(body: bytes, parsed_schema: Any) -> Any:
    """One Avro binary datum (as the Confluent serializer writes it) as a JSON-ready value."""
    from fastavro import schemaless_reader

    stream = io.BytesIO(body)
    try:
        value = schemaless_reader(stream, parsed_schema, None)
    except Exception as exc:  # noqa: BLE001 - truncated or foreign bytes raise anything
        raise DecodeError(f"the body does not match its Avro schema: {type(exc).__name__}: "
                          f"{exc}") from None  # fmt: skip
    left = len(body) - stream.tell()
    if left:
        raise DecodeError(f"{left} bytes left after the Avro datum: not written with this schema")
    return json_ready(value)


# --------------------------------------------------------------------------- JSON Schema


def decode_json_schema_body(body: bytes) -> Any:
    """The body of a JSON Schema payload: plain JSON text."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DecodeError(f"the body is not JSON: {exc}") from None


# --------------------------------------------------------------------------- Protobuf


def _zigzag_varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise DecodeError("the Protobuf message indexes are cut short")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return (result >> 1) ^ -(result & 1), pos


def protobuf_indexes(body: bytes) -> tuple[tuple[int, ...], bytes]:
    """The message indexes in front of a Protobuf body, and the message bytes after them."""
    count, pos = _zigzag_varint(body, 0)
    if count == 0:
        return (0,), body[pos:]
    if count < 0 or count > 100:
        raise DecodeError(f"implausible count of Protobuf message indexes: {count}")
    indexes = []
    for _ in range(count):
        index, pos = _zigzag_varint(body, pos)
        if index < 0:
            raise DecodeError(f"negative Protobuf message index {index}")
        indexes.append(index)
    return tuple(indexes), body[pos:]


_PROTO_TOKEN = re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|[{}]"
                          r"|\b(message|enum|service|oneof|extend)\s+([A-Za-z_]\w*)|\bpackage\s+"
                          r"([\w.]+)\s*;", re.DOTALL)  # fmt: skip


def protobuf_message_name(schema: str, indexes: tuple[int, ...]) -> str | None:
    """The full name of the message that ``indexes`` points at in a ``.proto`` schema text."""
    package = ""
    tree: dict[tuple[str, ...], list[str]] = {(): []}
    path: list[str] = []
    pending: str | None = None
    for match in _PROTO_TOKEN.finditer(schema):
        token = match.group(0)
        if match.group(3):
            package = match.group(3)
        elif match.group(1):
            pending = match.group(2) if match.group(1) == "message" else "\0"
        elif token == "{":
            name = pending or "\0"
            if name != "\0":
                tree[tuple(path)].append(name)
            path.append(name)
            tree.setdefault(tuple(path), [])
            pending = None
        elif token == "}" and path:
            path.pop()
    names: list[str] = []
    where: tuple[str, ...] = ()
    for index in indexes:
        children = tree.get(where, [])
        if index >= len(children):
            return None
        where = (*where, children[index])
        names.append(children[index])
    return ".".join(([package] if package else []) + names) if names else None
