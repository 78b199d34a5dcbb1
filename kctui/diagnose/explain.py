"""``kctui explain``'s work, without I/O: check pasted bytes, explain the failure in them.

:func:`decode_input` turns what was read into text or refuses it with a one-line reason
(binary data, too large, empty); :func:`explain` parses the trace however it arrived and
diagnoses it; :func:`explanation_lines` and :func:`explanation_json` render the result,
masked (no credential of the pasted text is ever printed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kctui.diagnose import Diagnosis, diagnose, diagnosis_lines, system_of
from kctui.diagnose.model import STAGES, Rule
from kctui.masking import mask_text
from kctui.traces import Trace, parse_trace

MAX_INPUT_BYTES = 8 * 1024 * 1024  # a trace, a log excerpt or an answer; not a whole log
_BINARY_SHARE = 0.10  # control bytes (other than tab, CR, LF, ESC) that make input binary
_STAGE = re.compile(r"__connect\.errors\.stage[\"']?\s*[=:]\s*[\"']?([A-Z_]+)")


class InputError(ValueError):
    """Input ``kctui explain`` cannot read as text; the message says why, in one line."""


def decode_input(
    data: bytes, *, truncated: bool = False, where: str = "input"
) -> tuple[str, str | None]:
    """(text, a note on undecodable bytes or None) of ``data`` (read up to
    MAX_INPUT_BYTES + 1); raises :class:`InputError` for input that is not text."""
    if truncated or len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{where} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB: give kctui explain "
            "the trace or the part of the log around the failure, not the whole log"
        )
    if not data.strip():
        raise InputError(
            f"{where} is empty: give a file, or pipe a trace, log excerpt, REST or status "
            "answer into 'kctui explain -'"
        )
    if b"\x00" in data[:65536]:
        raise InputError(f"{where} is binary (it holds NUL bytes), not a trace or a log")
    sample = data[:65536]
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13, 27))
    if control > _BINARY_SHARE * len(sample):
        raise InputError(f"{where} is binary ({control} control bytes), not a trace or a log")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        where_byte = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        if text.count("\ufffd") > _BINARY_SHARE * len(text):
            raise InputError(f"{where} is not UTF-8 text ({where_byte}, and many more)") from None
        note = f"{where} is not valid UTF-8 ({where_byte}): such bytes are shown as \ufffd"
        return text, note


@dataclass(frozen=True)
class Explanation:
    """A pasted failure, explained: its parsed trace, system and diagnosis (or None)."""

    trace: Trace
    system: str
    diagnosis: Diagnosis | None
    stage: str | None = None


def explain(text: str, rules: Sequence[Rule] | None = None) -> Explanation:
    """Parse ``text`` however it arrived and diagnose it with ``rules`` (the shipped ones
    when None; a DLQ dump's stage is used)."""
    stage_match = _STAGE.search(text)
    stage = stage_match.group(1) if stage_match and stage_match.group(1) in STAGES else None
    trace = parse_trace(text)
    found = diagnose(trace, stage=stage, rules=rules)
    system = found.system if found and found.system else None
    if system is None:
        from kctui.diagnose.model import evidence

        system = system_of(trace, evidence(trace, stage=stage, connector_class=None).text).name
    return Explanation(trace, system, found, stage)


def _root(trace: Trace) -> dict[str, str | None] | None:
    root = trace.root_cause
    if root is None:
        return None
    return {"class": root.class_name, "message": mask_text(root.first_message_line)}


def explanation_json(found: Explanation) -> dict[str, Any]:
    """``{"root_cause", "chain", "category", "system", "diagnosis"}``, masked."""
    diagnosis = found.diagnosis
    return {
        "root_cause": _root(found.trace),
        "chain": [
            {"label": line.label, "class": line.class_name, "message": mask_text(line.message)}
            for line in found.trace.summary()
        ],
        "category": diagnosis.category if diagnosis else None,
        "system": found.system,
        "stage": found.stage,
        "diagnosis": (
            {
                key: mask_text(value) if value else value
                for key, value in diagnosis.to_json().items()
            }
            if diagnosis
            else None
        ),
    }


def explanation_lines(found: Explanation) -> list[str]:
    """The explanation as text lines, masked."""
    lines: list[str] = []
    root = found.trace.root_cause
    if root is not None:
        lines.append(f"Root cause: {mask_text(root.headline) or '(no message)'}")
    summary = found.trace.summary()
    if len(summary) > 1:
        lines.append("Chain:")
        lines += [f"  {mask_text(str(line))}" for line in summary]
    diagnosis = found.diagnosis
    if diagnosis is None:
        if found.trace.exception_classes:
            lines.append(f"System: {found.system}")
        lines.append(
            "No diagnosis: nothing in this text is clear evidence of a known cause "
            "(kctui claims a category only on clear evidence)."
        )
        return lines
    lines.append(f"Category: {diagnosis.category or '-'}")
    lines.append(f"System: {found.system}")
    lines += [mask_text(line) for line in diagnosis_lines(diagnosis)]
    return lines
