"""Export dead letters as JSON Lines: one object per record, headers decoded, payloads kept exactly.

Every key, value and header value is written as base64 (lossless) and, when it is valid
UTF-8 text, also as ``text``; the decoded ``__connect.errors.*`` headers get their own
object so a script can ``jq '.connect.exception_class'`` without knowing the header names.
The error headers (message, stack trace) are masked with ``kctui.masking.mask_text``;
keys, values and other headers (the user's data) are exported exactly.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from kctui.dlq.records import DeadLetter, KafkaRecord, format_timestamp
from kctui.dlq.wire import Decoded
from kctui.errors import KctuiError
from kctui.masking import mask_text


class ExportError(KctuiError):
    """The export file could not be written."""


def payload_json(data: bytes | None, decoded: Decoded | None = None) -> dict[str, Any] | None:
    """``{"size", "base64", "text"?, "decoded"?}`` for bytes; None for a null key or value.
    ``decoded`` is a wire-format payload decoded by its schema (or why it was not)."""
    if data is None:
        return None
    out: dict[str, Any] = {"size": len(data), "base64": base64.b64encode(data).decode("ascii")}
    try:
        out["text"] = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if decoded is not None:
        out["decoded"] = decoded.as_json()
    return out


def record_json(record: KafkaRecord) -> dict[str, Any]:
    """A plain Kafka record (an original record, say) as a JSON-ready dict."""
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp_ms,
        "time": format_timestamp(record.timestamp_ms) if record.timestamp_ms is not None else None,
        "headers": [{"key": k, "value": payload_json(v)} for k, v in record.headers],
        "key": payload_json(record.key, record.decoded_key),
        "value": payload_json(record.value, record.decoded_value),
    }


def dead_letter_json(dl: DeadLetter) -> dict[str, Any]:
    """One dead letter as a JSON-ready dict: the record plus its decoded Connect headers."""
    out = record_json(dl.record)
    out["connect"] = {
        "original_topic": dl.original_topic,
        "original_partition": dl.original_partition,
        "original_offset": dl.original_offset,
        "connector": dl.connector,
        "task_id": dl.task_id,
        "stage": dl.stage,
        "class_name": dl.class_name,
        "exception_class": dl.exception_class,
        "exception_message": _masked(dl.exception_message),
        "stacktrace": _masked(dl.stacktrace),
    }
    out["error_headers"] = {name: _masked(value) for name, value in dl.error_headers}
    out["headers"] = [{"key": k, "value": payload_json(v)} for k, v in dl.other_headers]
    return out


def _masked(text: str | None) -> str | None:
    """Error headers leave kctui masked (a driver prints its connection URL); payloads don't."""
    return None if text is None else mask_text(text)


def dumps_line(dl: DeadLetter) -> str:
    """One JSON Lines line (no trailing newline); non-ASCII text is kept readable."""
    return json.dumps(dead_letter_json(dl), ensure_ascii=False, separators=(",", ":"))


def write_lines(dead_letters: Iterable[DeadLetter], stream: IO[str]) -> int:
    count = 0
    for dl in dead_letters:
        stream.write(dumps_line(dl))
        stream.write("\n")
        count += 1
    return count


def export_jsonl(dead_letters: Iterable[DeadLetter], path: str | os.PathLike[str]) -> int:
    """Write dead letters to ``path`` atomically (a temp file renamed); returns how many."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"cannot export to {target}: it is a directory")
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8", newline="\n") as stream:
            count = write_lines(dead_letters, stream)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise ExportError(f"cannot export to {target}: {exc.strerror or exc}") from exc
    return count


def default_export_name(topic: str, when_ms: int) -> str:
    """``<topic>-<UTC time>.jsonl``, safe as a file name."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in topic) or "dlq"
    stamp = format_timestamp(when_ms).replace(" ", "T").replace(":", "").split(".")[0]
    return f"{safe}-{stamp}Z.jsonl"
