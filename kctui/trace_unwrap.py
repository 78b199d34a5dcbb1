"""Bring a Java trace back to its printed form, however it was pasted (pure, no terminal).

Real traces arrive as a status or REST answer (JSON, sometimes with raw newlines inside the
``trace`` string, or JSON-escaped without the JSON around it), behind collector prefixes
(``docker compose``, ``kubectl --prefix`` / ``--timestamps``, CloudWatch tables, CI line
links, Markdown quotes), inside status tables, or collapsed onto one line with its frames
glued together. :func:`unwrap` returns the text with one throwable header, frame, cause or
``... N more`` per line, which :func:`kctui.traces.parse_trace` reads; :func:`text_of`
pulls the failure text out of a JSON answer first.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

# An exception class as it appears anywhere in a text: a package, then a capitalised class
# whose name says it is a throwable.
EXCEPTION_CLASS = re.compile(
    r"(?<![\w$.])((?:[a-z_][\w$]*\.)+[A-Z][\w$]*?(?:Exception|Error|Throwable|Failure|Fault)"
    r"(?:\$[\w$]+)?)(?=[:\s`'\"\]),;]|$)"
)
# A throwable's simple name without its package, as prose names it ("the real cause
# (`TopicAuthorizationException: [...]`)"): a capitalised word of two or more parts ending
# in Exception or Error, not part of a dotted name.
BARE_EXCEPTION_CLASS = re.compile(
    r"(?<![\w$.])([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*?(?:Exception|Error))(?![\w$])(?!\.[\w$])"
)
_FRAME_INLINE = re.compile(r"at\s+(?=(?:[\w$.-]+/)?[\w$]+(?:\.[\w$<>-]+)+\()")
_MORE_INLINE = re.compile(r"\s+(\.\.\. ?\d+ (?:more|common frames omitted)\b)")
_BARE_FRAME = re.compile(
    r"^\s*(?:[\w$.-]+/)?[\w$]+(?:\.[\w$<>-]+)+\((?:[\w$.-]+\.(?:java|scala|kt|groovy):\d+|"
    r"Unknown Source|Native Method)\)\s*$"
)
_TIMESTAMP_ONLY = re.compile(r"^[\d\s:.,TZ+/-]*$")  # what is left of a prefix before a frame
_DANGLING_AT = re.compile(r"^\s*(?:\.\.\.\s*)?at\s*$")
_CI_LINK = re.compile(r"^\s*\[\d+\]\(https?://[^)]*\)\s*$")
# Collector prefixes, tried together at a line's start (they can stack: a compose service,
# then a timestamp): docker compose (``service_1  | ``, ``app-1  | ``); CloudWatch / Logs
# Insights rows (``  | 2022-05-18T21:18:58.000Z | [Worker-…] ``); kubectl logs --prefix;
# kubectl logs --timestamps (RFC 3339); a Markdown quote.
_PREFIX = re.compile(
    r"^(?:[A-Za-z0-9][\w.-]*\s*\|\s?"
    r"|\s*\|\s*\d{4}-\d\d-\d\dT[\d:.]+Z?\s*\|\s*(?:\[[^\]]*\]\s*)?"
    r"|\[pod/[^\]]+\]\s"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)\s"
    r"|>\s?)"
)
_MIN_PREFIXED = 3  # lines that must share a prefix before it is taken for a collector's tag
_MIN_PREFIX = 3
_LOOKAHEAD = 6  # lines after a header line searched for the trace's first frame
_LOG_START = re.compile(r"^\s*(?:\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\d\d:\d\d:\d\d)")
_STATUS_KEYS = ("connector", "tasks")
_DLQ_TRACE = "__connect.errors.exception.stacktrace"
_DLQ_MESSAGE = "__connect.errors.exception.message"
_DLQ_CLASS = "__connect.errors.exception.class.name"
# The failure's field in a JSON log record: Go operators' "error", ECS "error.stack_trace".
_LOG_ERROR_KEYS = ("error.stack_trace", "stack_trace", "error")
# Text before a class that belongs to the header: a cause link, the uncaught-exception handler.
_KEEP_HEAD = re.compile(r"(?:(?:Caused by|Suppressed):|\bat)\s*$")
_UNCAUGHT = re.compile(r'Exception in thread "[^"]*"\s*$')
# What the JVM prints when an uncaught-exception handler itself throws: the class after
# "Exception: " and before the words (``Exception: java.lang.OutOfMemoryError thrown from
# the UncaughtExceptionHandler in thread "main"``), made a header with that message.
_HANDLER_THREW = re.compile(
    r"^(\s*)Exception: ((?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*) (thrown from the \w+ in thread .*)$",
    re.MULTILINE,
)
_STRING_BODY = re.compile(
    r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL
)  # a JSON string's body, raw newlines too
_JSON_STRING = re.compile(r'"?\b(trace|message)"?\s*:\s*"')


def text_of(answer: Any) -> str | None:
    """The failure text in a decoded JSON answer: a status answer's first trace (connector,
    then failed tasks), a REST error's message, or a dead letter's error headers."""
    if isinstance(answer, list):
        for item in answer:
            found = text_of(item)
            if found:
                return found
        return None
    if not isinstance(answer, dict):
        return None
    if any(key in answer for key in _STATUS_KEYS):
        connector = answer.get("connector")
        traces = [connector.get("trace") if isinstance(connector, dict) else None]
        tasks = answer.get("tasks")
        traces += [t.get("trace") for t in tasks or () if isinstance(t, dict)]
        return next((t for t in traces if isinstance(t, str) and t.strip()), None)
    if _DLQ_TRACE in answer or _DLQ_MESSAGE in answer:
        trace = answer.get(_DLQ_TRACE)
        if isinstance(trace, str) and trace.strip():
            return trace
        parts = [answer.get(_DLQ_CLASS), answer.get(_DLQ_MESSAGE)]
        return ": ".join(p for p in parts if isinstance(p, str) and p) or None
    if isinstance(answer.get("configs"), list) and "error_count" in answer:
        return _validate_errors(answer["configs"], answer.get("name"))
    if "error_code" in answer or "trace" in answer:
        for key in ("trace", "message"):
            value = answer.get(key)
            if isinstance(value, str) and value.strip():
                return value
    for key in _LOG_ERROR_KEYS:  # a structured log record (an operator's, a JSON layout's)
        value = answer.get(key)
        if isinstance(value, str) and value.strip():
            return value
    if isinstance(answer.get("error"), dict):  # an Elasticsearch or Google API error answer
        return text_of(answer["error"])
    if isinstance(answer.get("type"), str) and isinstance(answer.get("reason"), str):
        return _typed_reason(answer)
    return None


def _validate_errors(configs: list[Any], plugin: Any) -> str | None:
    """A validate answer's errors (``configs[].value.errors``), worded as Connect words the
    400 answer for the same configuration, one error per line, after the plugin's class."""
    errors = []
    for config in configs:
        value = config.get("value") if isinstance(config, dict) else None
        found = value.get("errors") if isinstance(value, dict) else None
        errors += [e for e in found or () if isinstance(e, str) and e.strip()]
    if not errors:
        return None
    head = f"Connector configuration is invalid and contains the following {len(errors)} error(s):"
    lines = [f"Validation of {plugin}:"] if isinstance(plugin, str) and plugin else []
    return "\n".join([*lines, head, *errors])


def _typed_reason(error: dict[str, Any]) -> str:
    """An Elasticsearch error (``type``, ``reason``, ``caused_by``) as a chain of causes."""
    lines = [f"{error['type']}: {error['reason']}"]
    cause = error.get("caused_by")
    while isinstance(cause, dict) and isinstance(cause.get("type"), str) and len(lines) < 8:
        lines.append(f"Caused by: {cause['type']}: {cause.get('reason') or ''}")
        cause = cause.get("caused_by")
    return "\n".join(lines)


def _json_answer(text: str) -> str | None:
    """The failure text of a whole JSON document (or None when the text is not one)."""
    stripped = text.strip().strip("`").strip()
    if not stripped or stripped[0] not in "{[":
        return None
    try:
        return text_of(json.loads(stripped))
    except ValueError:
        return None


def _unescape(body: str) -> str:
    """A JSON string body (without quotes) decoded; raw newlines in it are kept."""
    try:
        decoded = json.loads('"' + body.replace("\r", "").replace("\n", "\\n") + '"')
        return str(decoded)
    except ValueError:
        return body.replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"')


def _quoted_strings(text: str) -> str | None:
    """``"trace": "…"`` (or ``message``) pasted without valid JSON around it: the string
    read up to its closing quote, raw newlines included (a status answer pasted by hand)."""
    found: dict[str, str] = {}
    for key in ("trace", "message"):
        at = text.find(key)
        while at >= 0 and key not in found:  # the word first (fast), then the regex there
            match = _JSON_STRING.match(text, max(at - 1, 0)) or _JSON_STRING.match(text, at)
            if match and match.group(1) == key:
                start = match.end()
                end = _STRING_BODY.match(text, start)
                index = end.end() if end else start
                found[key] = _unescape(text[start:index])
            at = text.find(key, at + len(key))
    body = found.get("trace") or found.get("message")
    if body and (EXCEPTION_CLASS.search(body) or "error_code" in text):
        return body
    return None


def _strip_prefix(line: str) -> str:
    first = line[:1]
    if first == "\t" or (first == " " and "|" not in line[:12]):
        return line  # a frame or a message line: no collector prefix starts this way
    if first == "[" and _CI_LINK.match(line):
        return ""
    for _ in range(3):  # prefixes can stack (compose service, then a timestamp)
        match = _PREFIX.match(line)
        if not match:
            break
        line = line[match.end() :]
    stripped = line.strip()
    if stripped.startswith("`") or stripped.endswith("`"):
        return stripped.strip("`")
    return line


def _strip_common_prefix(lines: list[str]) -> list[str]:
    """A prefix every line shares (``stern``'s ``pod container``, any collector's tag) goes."""
    filled = [line for line in lines if line.strip()]
    if len(filled) < _MIN_PREFIXED or filled[0][:1].isspace():
        return lines
    prefix = os.path.commonprefix(filled)
    cut = max(prefix.rfind(" "), prefix.rfind("\t"))
    prefix = prefix[: cut + 1] if cut >= 0 else ""
    if len(prefix.strip()) < _MIN_PREFIX or prefix.rstrip().endswith("at"):
        return lines
    if "Exception" in prefix or "Error" in prefix:
        return lines  # the lines share a failure, not a collector's tag
    return [line[len(prefix) :] if line.startswith(prefix) else line for line in lines]


def _split_line(line: str) -> list[str]:
    """One printed line per header, frame, cause and ``... N more`` of a collapsed line."""
    if "at " not in line and "Caused by" not in line and "Suppressed" not in line:
        if "..." not in line:
            return [line]
    stripped = line.lstrip()
    if stripped.startswith("at ") and line.count("(") <= 1 and "Caused by" not in line:
        return [line]  # one frame, nothing glued to it
    start = len(line) - len(line.lstrip()) + 1  # a link at the line's start stays there
    tail = line[start:]
    if "Caused by: " in tail or "Suppressed: " in tail:
        tail = tail.replace("Caused by: ", "\nCaused by: ").replace(
            "Suppressed: ", "\nSuppressed: "
        )
        line = line[:start] + tail
    if "..." in line:
        line = _MORE_INLINE.sub(r"\n\1", line)
    parts: list[str] = []
    for piece in line.split("\n"):
        cuts = [
            m.start()
            for m in _FRAME_INLINE.finditer(piece)
            if m.start() == 0 or piece[m.start() - 1] in " \t)"
        ]
        if not cuts:
            parts.append(piece)
            continue
        head = piece[: cuts[0]].rstrip()
        if head.strip() and not _TIMESTAMP_ONLY.match(head):
            parts.append(head)
        bounds = cuts + [len(piece)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            parts.append("\tat " + piece[start:end].strip()[3:].strip())
    return parts


def _opens_trace(following: list[str]) -> bool:
    """True when the lines after a header line continue a trace, after at most a few
    message lines (or the text ends there)."""
    for line in following:
        stripped = line.lstrip()
        if not stripped:
            continue
        if stripped.startswith(("at ", "Caused by:", "Suppressed:", "...")):
            return True
        if _BARE_FRAME.match(line):
            return True
        if _LOG_START.match(line) or EXCEPTION_CLASS.match(stripped):
            return False
    return len(following) < _LOOKAHEAD


def _split_header(line: str) -> list[str]:
    """A line whose first exception class is not at its start (behind a log header, a table
    cell, a timestamp or prose) is cut there, so the class starts the trace's header."""
    if line.lstrip().startswith("at "):
        return [line]
    match = EXCEPTION_CLASS.search(line)
    if not match or not line[: match.start()].strip():
        return [line]
    head = line[: match.start()]
    if _UNCAUGHT.search(head):  # the JVM's handler prints its words before the class
        start = _UNCAUGHT.search(head).start()  # type: ignore[union-attr]
        return [line[:start].rstrip(), line[start:]] if line[:start].strip() else [line]
    if _KEEP_HEAD.search(head):
        return [line]
    return [head.rstrip(), line[match.start() :]]


def _printed(text: str) -> bool:
    """Cheap pre-check: ``text`` is already a printed trace (a header at the first line's
    start, then only frames, causes and ``... N more``), so it needs no unwrapping."""
    if "\r" in text or "\\n" in text or '"' in text[:1] or "trace" in text or "message" in text:
        return False  # a JSON answer or an escaped trace may hide in it
    lines = text.split("\n")
    if not EXCEPTION_CLASS.match(lines[0]) or " at " in lines[0]:
        return False
    for line in lines[1:]:
        stripped = line.lstrip()
        if stripped.startswith("at ") and stripped is not line:  # an indented frame
            if line.count("(") > 1 or "Caused by" in line:
                return False
        elif stripped.startswith(("Caused by: ", "Suppressed: ")):
            rest = stripped.split(": ", 1)[1]
            if not EXCEPTION_CLASS.match(rest) or " at " in rest:
                return False
        elif stripped and not stripped.startswith("... "):
            return False
    return True


def unwrap(text: str) -> str:
    """The trace in ``text`` in its printed form: one header, frame or cause per line."""
    if _printed(text):
        return text
    body = _json_answer(text)
    if body is None and ('"trace"' in text or "trace:" in text or '"message"' in text):
        body = _quoted_strings(text)
    if body is not None:
        text = body
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "thrown from the" in text:
        text = _HANDLER_THREW.sub(r"\1\2: \3", text)
    if "\\n" in text and ("\\n\\tat " in text or "\\nCaused by" in text or "\\n\\tat\n" in text):
        text = _unescape(text.strip().strip('`"'))
    raw_lines = _strip_common_prefix([_strip_prefix(raw) for raw in text.split("\n")])
    pieces = [piece for raw in raw_lines for piece in _split_line(raw)]
    lines: list[str] = []
    for index, piece in enumerate(pieces):
        if _may_hide_header(piece) and _opens_trace(pieces[index + 1 : index + 1 + _LOOKAHEAD]):
            lines += _split_header(piece)
        else:
            lines.append(piece)
    out: list[str] = []
    for line in lines:
        if out and out[-1].endswith("at") and _DANGLING_AT.match(out[-1]) and line.strip():
            out[-1] = "\tat " + re.sub(r"^at\s+", "", line.strip())
            continue
        if line.endswith(")") and not line.lstrip().startswith("at ") and _BARE_FRAME.match(line):
            line = "\tat " + line.strip()
        out.append(line)
    return "\n".join(out)


def _may_hide_header(line: str) -> bool:
    """Cheap test before the regexes: the line names a throwable, and is not a frame."""
    named = (
        "Exception" in line or "Error" in line or "Throwable" in line
        or "Failure" in line or "Fault" in line
    )  # fmt: skip
    return named and not line.lstrip().startswith("at ")


def starts_log_record(line: str) -> bool:
    """True for a line that begins a new log record (a timestamp), not a message line."""
    return bool(_LOG_START.match(line))
