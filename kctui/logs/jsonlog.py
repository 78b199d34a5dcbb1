"""log4j2 JSON events, one per line: the ECS template (JsonTemplateLayout) and ``JsonLayout``.

ECS: ``@timestamp``, ``log.level``, ``message``, ``log.logger``, ``process.thread.name``,
``error.type``/``error.message``/``error.stack_trace`` and the MDC (flattened, or under
``labels``). ``JsonLayout``: ``instant``/``timeMillis``, ``level``, ``loggerName``,
``message``, ``thread``, ``thrown{name,message,extendedStackTrace,cause}``, ``contextMap``.
A record is shown as one text line; the stack trace inside it is its continuation.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from kctui.logs.patterns import LogLine, build_line, normalise_level, normalise_timestamp

_CONTEXT_KEY = "connector.context"


_STRING_FIELD = re.compile(r'"([\w.@$-]+)":"((?:[^"\\]|\\.)*)"')
_EPOCH = re.compile(r'"epochSecond":(\d+),"nanoOfSecond":(\d+)|"timeMillis":(\d+)')


def _event(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return _partial_event(text)
    return value if isinstance(value, dict) else None


def _partial_event(text: str) -> dict[str, Any] | None:
    """The string fields of an event cut short (a command's line kept to 8 KiB): enough for
    its time, level, message, logger and context; the first of a name wins (the top level)."""
    event: dict[str, Any] = {}
    for key, raw in _STRING_FIELD.findall(text):
        if key not in event:
            try:
                event[key] = json.loads(f'"{raw}"')
            except ValueError:
                event[key] = raw
    epoch = _EPOCH.search(text)
    if epoch is not None:
        if epoch.group(3) is not None:
            event["timeMillis"] = int(epoch.group(3))
        else:
            event["instant"] = {"epochSecond": int(epoch[1]), "nanoOfSecond": int(epoch[2])}
    has_level = "log.level" in event or "level" in event
    return event if has_level else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


_INSTANT = re.compile(rb'"epochSecond":(\d+),"nanoOfSecond":(\d+)|"timeMillis":(\d+)')


def instant_key(raw: bytes) -> str:
    """The sort key of a ``JsonLayout`` event from its first bytes ("" when none is there)."""
    match = _INSTANT.search(raw)
    if match is None:
        return ""
    if match.group(3) is not None:
        event: dict[str, Any] = {"timeMillis": int(match.group(3))}
    else:
        event = {"instant": {"epochSecond": int(match[1]), "nanoOfSecond": int(match[2])}}
    return _timestamp(event) or ""


def _timestamp(event: dict[str, Any]) -> str | None:
    stamp = event.get("@timestamp") or event.get("timestamp")
    if isinstance(stamp, str) and stamp[:4].isdigit():
        return normalise_timestamp(stamp[:23] if len(stamp) > 23 else stamp)
    instant = event.get("instant")
    seconds: float | None = None
    if isinstance(instant, dict) and isinstance(instant.get("epochSecond"), int | float):
        seconds = instant["epochSecond"] + (instant.get("nanoOfSecond") or 0) / 1e9
    elif isinstance(event.get("timeMillis"), int | float):
        seconds = event["timeMillis"] / 1000
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S,") + f"{moment.microsecond // 1000:03d}"


def _mdc(event: dict[str, Any]) -> dict[str, Any]:
    for key in ("contextMap", "labels", "mdc"):
        value = event.get(key)
        if isinstance(value, dict):
            return value
    return event


def parse_json_line(text: str) -> LogLine:
    """One JSON event as a header line (``text`` becomes its readable rendering)."""
    event = _event(text)
    if event is None:
        return LogLine(text=text, is_header=bool(text.strip()), message=text.strip())
    raw_level = event.get("log.level") or event.get("level")
    level = normalise_level(_text(raw_level)) if raw_level else None
    message = _text(event.get("message")).strip()
    logger = _text(event.get("log.logger") or event.get("loggerName")) or None
    thread = _text(event.get("process.thread.name") or event.get("thread")) or None
    context_text = _text(_mdc(event).get(_CONTEXT_KEY) or event.get(_CONTEXT_KEY))
    timestamp = _timestamp(event)
    shown = " ".join(
        part
        for part in (
            timestamp or "",
            level or _text(raw_level),
            (context_text.strip() + " " if context_text.strip() else "") + message,
            f"({logger})" if logger else "",
            f"[{thread}]" if thread else "",
        )
        if part
    )
    return build_line(
        shown,
        timestamp=timestamp,
        level=level,
        context=context_text,
        message=message,
        logger=logger,
        thread=thread,
    )


def _frames(thrown: dict[str, Any], caused: bool) -> list[str]:
    head = _text(thrown.get("name")) or "java.lang.Throwable"
    message = _text(thrown.get("message") or thrown.get("localizedMessage"))
    lines = [("Caused by: " if caused else "") + head + (f": {message}" if message else "")]
    trace = thrown.get("extendedStackTrace") or thrown.get("stackTrace")
    if isinstance(trace, str):
        lines = trace.splitlines() or lines
    elif isinstance(trace, list):
        for frame in trace:
            if isinstance(frame, dict):
                where = _text(frame.get("file")) or "Unknown Source"
                if isinstance(frame.get("line"), int) and frame["line"] >= 0:
                    where += f":{frame['line']}"
                method = f"{_text(frame.get('class'))}.{_text(frame.get('method'))}"
                module = _text(frame.get("module"))
                lines.append(f"\tat {module + '/' if module else ''}{method}({where})")
        common = thrown.get("commonElementCount")
        if caused and isinstance(common, int) and common > 0:
            lines.append(f"\t... {common} more")
    cause = thrown.get("cause")
    if isinstance(cause, dict) and not isinstance(trace, str):
        lines.extend(_frames(cause, True))
    return lines


def trace_lines(text: str) -> list[str]:
    """The stack trace inside a JSON event, as the lines a Java trace prints."""
    event = _event(text)
    if event is None:
        return []
    stack = event.get("error.stack_trace")
    if isinstance(stack, dict):  # a nested "error": {"stack_trace": ...} template
        stack = None
    error = event.get("error")
    if stack is None and isinstance(error, dict):
        stack = error.get("stack_trace")
    if isinstance(stack, str) and stack.strip():
        return stack.rstrip("\n").splitlines()
    if isinstance(stack, list):
        return [_text(item) for item in stack]
    kind = _text(event.get("error.type"))
    if kind:
        message = _text(event.get("error.message"))
        return [kind + (f": {message}" if message else "")]
    thrown = event.get("thrown")
    if isinstance(thrown, dict):
        return _frames(thrown, False)
    return []
