"""Highlighted text as Textual ``Content``: one map from span roles to theme styles.

Text is cut into ``(role, text)`` spans by the one highlighter of its language
(:mod:`kctui.spans`); :data:`ROLE_STYLES` gives each role a style made of theme variables
(``$error``, ``$accent``...), so a trace or a payload reads the same on every screen and in
every theme, including the user's own. The log view draws with the same map.
"""

from __future__ import annotations

import re

from textual.content import Content

from kctui.spans import highlight
from kctui.traces import parse_trace

# The one role -> style map: JSON roles, then the trace roles of kctui.traces.trace_spans.
ROLE_STYLES: dict[str, str] = {
    "key": "$primary",
    "string": "$success",
    "number": "$accent",
    "literal": "$warning",
    "punct": "$text-muted",
    "keyword": "$warning bold",
    "exception": "$error bold",
    "message": "bold",
    "kafka-frame": "$accent",
    "frame": "$text-muted",
    "muted": "$text-muted",
    "plain": "",
}


def spans_content(text: str, language: str) -> Content:
    """Text highlighted for ``language`` (json, stacktrace, other) as theme-styled Content."""
    return Content.assemble(
        *((part, ROLE_STYLES.get(role, "")) for role, part in highlight(text, language))
    )


def highlight_trace(trace: str) -> Content:
    """A Java stack trace with the exception, message, causes and Kafka frames styled.

    The one trace highlighter (connector screen, DLQ detail). Frames are indented by two
    spaces (tabs waste a narrow terminal). Callers pass text already masked.
    """
    trace = re.sub(r"(?m)^[ \t]+at ", "  at ", trace).expandtabs(4).rstrip("\n")
    return spans_content(trace, "stacktrace")


def chain_summary(trace: str) -> Content:
    """The exception chain as short lines (class name, message), root cause last.

    Class-less causes (``Caused by: 2: No such file``) are lines too. Callers pass text
    already masked.
    """
    lines = []
    for line in parse_trace(trace).summary():
        lines.append(
            Content.assemble(
                (f"{line.label}: ", "$text-muted"),
                (line.short_name or "", "$error bold"),
                (": " if line.short_name and line.message else "", "bold"),
                (line.message, "bold"),
            )
        )
    return Content("\n").join(lines)


def highlight_json(text: str) -> Content:
    """JSON with keys, strings, numbers and constants styled."""
    return spans_content(text.rstrip("\n"), "json")
