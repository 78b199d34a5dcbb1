"""Schema Registry look-ups and payload decoding for the DLQ browser (no UI import).

:class:`SchemaRegistry` reads schemas by id (``GET /schemas/ids/{id}``, plus the
subjects that use it), read-only, over every configured URL in turn, each schema cached
for the life of the object. :class:`PayloadDecoder` turns a key or value in the
Confluent wire format into a :class:`Decoded`: the value as JSON, or the reason it could
not be decoded. It runs where the DLQ records are read (a thread), never in a widget.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from kctui import __version__
from kctui.dlq import wire
from kctui.dlq.wire import Decoded
from kctui.settings import SchemaRegistrySettings

#: After the registry could not be reached, how long to answer from that failure.
DOWN_SECONDS = 15.0


class RegistryError(Exception):
    """The registry could not give a schema; the text says why (shown in the detail pane)."""


@dataclass(frozen=True)
class Schema:
    schema_id: int
    schema_type: str  # AVRO, JSON, PROTOBUF
    text: str
    subjects: tuple[str, ...] = ()
    references: tuple[dict[str, Any], ...] = ()


class SchemaRegistry:
    """Read-only client of the Confluent Schema Registry API, with a per-id schema cache."""

    def __init__(
        self, settings: SchemaRegistrySettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        from kctui.connect.transport import http_auth, ssl_setting

        self.settings = settings
        headers = {"Accept": "application/vnd.schemaregistry.v1+json, application/json",
                   "User-Agent": f"kctui/{__version__}"}  # fmt: skip
        auth = http_auth(
            settings.username, settings.password() if settings.username else None, settings.token()
        )
        kwargs: dict[str, Any] = {"transport": transport} if transport else {
            "verify": ssl_setting(settings)}  # fmt: skip
        self._http = httpx.Client(
            auth=auth, headers=headers, follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 3.0)), **kwargs,
        )  # fmt: skip
        self._cache: dict[int, Schema | RegistryError] = {}
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down_reason = ""
        self.requests = 0

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str) -> Any:
        """GET ``path`` from the first URL that answers; a RegistryError says why not."""
        if time.monotonic() < self._down_until:
            raise RegistryError(self._down_reason)
        reasons = []
        for base in self.settings.urls:
            self.requests += 1
            try:
                response = self._http.get(base + path)
            except httpx.HTTPError as exc:
                from kctui.connect.transport import transport_reason

                reasons.append(f"{base}: {transport_reason(exc)}")
                continue
            if response.status_code in (401, 403):
                raise RegistryError(
                    f"schema registry {base} answered {response.status_code} "
                    "(check schema_registry username/password or token)"
                )
            if response.status_code == 404:
                raise RegistryError(_error_message(response) or f"{path}: not found")
            if response.status_code >= 500:
                reasons.append(f"{base}: HTTP {response.status_code}")
                continue
            if response.status_code != 200:
                detail = _error_message(response) or response.text[:200]
                raise RegistryError(
                    f"schema registry {base} answered {response.status_code}: {detail}"
                )
            try:
                return response.json()
            except ValueError:
                raise RegistryError(
                    f"schema registry {base} answered {response.headers.get('content-type', '?')}"
                    " that is not JSON (a proxy's page?)"
                ) from None
        self._down_reason = "schema registry unreachable: " + "; ".join(reasons)
        self._down_until = time.monotonic() + DOWN_SECONDS
        raise RegistryError(self._down_reason)

    def schema(self, schema_id: int) -> Schema:
        """The schema with this id (cached, failures too, except an unreachable registry)."""
        with self._lock:
            cached = self._cache.get(schema_id)
        if isinstance(cached, Schema):
            return cached
        if isinstance(cached, RegistryError):
            raise cached
        try:
            body = self._get(f"/schemas/ids/{schema_id}")
            if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
                raise RegistryError(f"schema id {schema_id}: the registry's answer has no schema")
            try:
                subjects_body = self._get(f"/schemas/ids/{schema_id}/subjects")
                subjects = tuple(s for s in subjects_body if isinstance(s, str)) if isinstance(
                    subjects_body, list) else ()  # fmt: skip
            except RegistryError:
                subjects = ()  # older registries: subjects are a nicety
            references = tuple(r for r in body.get("references") or () if isinstance(r, dict))
            found = Schema(schema_id, str(body.get("schemaType") or "AVRO").upper(),
                           body["schema"], subjects, references)  # fmt: skip
        except RegistryError as exc:
            if not exc.args[0].startswith("schema registry unreachable"):
                with self._lock:
                    self._cache[schema_id] = exc
            raise
        with self._lock:
            self._cache[schema_id] = found
        return found

    def referenced_schema(self, subject: str, version: int | str) -> str:
        body = self._get(f"/subjects/{subject}/versions/{version}")
        if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
            raise RegistryError(f"reference {subject} v{version}: no schema in the answer")
        return str(body["schema"])


def _error_message(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get("message")) if isinstance(body, dict) and body.get("message") else None


class PayloadDecoder:
    """Decodes wire-format payloads with a registry (or says how to get one configured)."""

    def __init__(self, registry: SchemaRegistry | None) -> None:
        self.registry = registry
        self._parsed: dict[int, Any] = {}

    def close(self) -> None:
        if self.registry is not None:
            self.registry.close()

    def decode(self, data: bytes | None) -> Decoded | None:
        """None for a payload not in the wire format; never raises."""
        frame = wire.split_wire(data)
        if frame is None:
            return None
        if self.registry is None:
            return Decoded(frame.schema_id, error="configure schema_registry to decode",
                           raw_body=frame.body)  # fmt: skip
        try:
            schema = self.registry.schema(frame.schema_id)
        except RegistryError as exc:
            return Decoded(frame.schema_id, error=str(exc), raw_body=frame.body)
        subject = schema.subjects[0] if schema.subjects else None
        base = Decoded(frame.schema_id, schema.schema_type, subject=subject, raw_body=frame.body)
        try:
            return self._decode_body(schema, frame.body, base)
        except (wire.DecodeError, RegistryError) as exc:
            return _replace(base, error=str(exc))

    def _decode_body(self, schema: Schema, body: bytes, base: Decoded) -> Decoded:
        if schema.schema_type == "AVRO":
            parsed = self._parsed.get(schema.schema_id)
            if parsed is None:
                named: dict[str, Any] = {}
                for ref in schema.references:
                    assert self.registry is not None
                    ref_text = self.registry.referenced_schema(
                        str(ref.get("subject")), ref.get("version", "latest")
                    )
                    wire.parse_avro_schema(ref_text, named)
                parsed = wire.parse_avro_schema(schema.text, named)
                self._parsed[schema.schema_id] = parsed
            return _replace(base, value=wire.decode_avro(body, parsed), decoded=True)
        if schema.schema_type == "JSON":
            return _replace(base, value=wire.decode_json_schema_body(body), decoded=True)
        if schema.schema_type == "PROTOBUF":
            indexes, message = wire.protobuf_indexes(body)
            name = wire.protobuf_message_name(schema.text, indexes)
            return _replace(
                base,
                message_name=name or "indexes " + ",".join(map(str, indexes)),
                raw_body=message,
                error="Protobuf bodies are shown as bytes",
            )
        return _replace(base, error=f"unknown schema type {schema.schema_type}")


def _replace(base: Decoded, **changes: Any) -> Decoded:
    from dataclasses import replace

    return replace(base, **changes)


def decoder_for(settings: SchemaRegistrySettings | None) -> PayloadDecoder:
    """The decoder of a cluster: with its registry when one is configured."""
    return PayloadDecoder(SchemaRegistry(settings) if settings is not None else None)
