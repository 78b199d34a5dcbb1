"""Payload rendering for the DLQ browser (pure, no terminal).

:func:`render_payload` shows bytes safely (pretty JSON, Confluent wire format with its
schema id, UTF-8 text or a hex dump), truncated for display with the full size kept; its
``language`` says how :func:`kctui.spans.highlight` cuts it into spans.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from kctui.dlq.wire import Decoded

MAX_DISPLAY_CHARS = 64 * 1024
MAX_HEX_BYTES = 4 * 1024


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


# --------------------------------------------------------------------------- payloads


@dataclass(frozen=True)
class RenderedPayload:
    """A key or value made safe to display; ``text`` may be cut, ``size`` never is."""

    kind: str  # null, empty, json, text, confluent, binary
    text: str
    size: int
    truncated: bool = False
    schema_id: int | None = None
    language: str = "text"  # json, text, hex
    wire_label: str | None = None  # "Avro, schema id 42 (orders-value)" when decoded or known
    note: str | None = None  # why a wire-format payload is not decoded

    @property
    def description(self) -> str:
        if self.wire_label is not None:
            cut = ", truncated for display" if self.truncated else ""
            note = f": {self.note}" if self.note else ""
            return f"{self.wire_label}, {format_size(self.size)}{cut}{note}"
        if self.kind == "null":
            return "null"
        if self.kind == "empty":
            return "empty (0 bytes)"
        label = {
            "json": "JSON",
            "text": "UTF-8 text",
            "binary": "binary",
            "confluent": f"Confluent wire format, schema id {self.schema_id}",
        }.get(self.kind, self.kind)
        cut = ", truncated for display" if self.truncated else ""
        return f"{label}, {format_size(self.size)} ({self.size} bytes){cut}"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _as_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def _as_json(text: str) -> str | None:
    stripped = text.strip()
    if not stripped or stripped[0] not in "{[":
        return None
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return None
    return json.dumps(parsed, indent=2, ensure_ascii=False)


def _cut(text: str, max_chars: int) -> tuple[str, bool]:
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars], True


def hex_dump(data: bytes, max_bytes: int = MAX_HEX_BYTES) -> str:
    """Classic 16-bytes-a-line dump with offsets and an ASCII column."""
    lines = []
    shown = data[:max_bytes]
    for start in range(0, len(shown), 16):
        chunk = shown[start : start + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        ascii_col = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}  {hexes:<47}  |{ascii_col}|")
    return "\n".join(lines)


def render_payload(
    data: bytes | None,
    *,
    max_chars: int = MAX_DISPLAY_CHARS,
    max_hex_bytes: int = MAX_HEX_BYTES,
    decoded: Decoded | None = None,
) -> RenderedPayload:
    """Choose how to show bytes: decoded by its schema (``decoded``, from the reader), JSON,
    Confluent wire format, UTF-8 text or hex; never raises."""
    if decoded is not None and data is not None:
        return _render_decoded(decoded, len(data), max_chars, max_hex_bytes)
    if data is None:
        return RenderedPayload(kind="null", text="null", size=0)
    data = bytes(data)
    size = len(data)
    if size == 0:
        return RenderedPayload(kind="empty", text="", size=0)
    schema_id = int.from_bytes(data[1:5], "big") if data[0] == 0 and size >= 5 else 0
    if 0 < schema_id < 2**31:  # Schema Registry ids are positive int32
        text, cut, language = _wire_body(data[5:], max_chars, max_hex_bytes)
        return RenderedPayload("confluent", text, size, cut, schema_id, language)
    plain = _as_text(data)
    if plain is not None:
        pretty = _as_json(plain) if size <= 8 * 1024 * 1024 else None
        if pretty is not None:
            shown, cut = _cut(pretty, max_chars)
            return RenderedPayload("json", shown, size, cut, language="json")
        shown, cut = _cut(plain, max_chars)
        return RenderedPayload("text", shown, size, cut)
    return RenderedPayload(
        "binary", hex_dump(data, max_hex_bytes), size, size > max_hex_bytes, language="hex"
    )


def _wire_body(body: bytes, max_chars: int, max_hex_bytes: int) -> tuple[str, bool, str]:
    """The body of a wire-format payload not decoded: pretty JSON text, else a hex dump
    (shown text, whether it was cut, language)."""
    body_text = _as_text(body) if body else None
    pretty = _as_json(body_text) if body_text else None
    if pretty is not None:
        shown, cut = _cut(pretty, max_chars)
        return shown, cut, "json"
    return hex_dump(body, max_hex_bytes), len(body) > max_hex_bytes, "hex"


def _render_decoded(
    decoded: Decoded, size: int, max_chars: int, max_hex_bytes: int
) -> RenderedPayload:
    """A wire-format payload: its decoded JSON, or its body (JSON text or hex) and why not."""
    text = decoded.text
    if text is not None:
        shown, cut = _cut(text, max_chars)
        return RenderedPayload(
            "decoded", shown, size, cut, decoded.schema_id, "json", decoded.label, decoded.error
        )
    shown, cut, language = _wire_body(decoded.raw_body, max_chars, max_hex_bytes)
    return RenderedPayload(
        "confluent", shown, size, cut, decoded.schema_id, language, decoded.label, decoded.error
    )


def cut_lines(text: str, max_lines: int, max_chars: int = MAX_DISPLAY_CHARS) -> tuple[str, bool]:
    """Cut text to at most ``max_lines`` lines and ``max_chars`` characters."""
    cut = False
    if len(text) > max_chars:
        text, cut = text[:max_chars], True
    lines = text.splitlines()
    if len(lines) > max_lines:
        text, cut = "\n".join(lines[:max_lines]), True
    return text, cut
