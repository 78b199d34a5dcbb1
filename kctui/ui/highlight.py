"""Pygments highlighting turned into Textual ``Content`` styled by theme variables.

Styles name theme variables (``$error``, ``$accent``...) instead of fixed colours, so a
trace or a config reads well in every theme, including the user's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pygments.token import Keyword, Name, Number, Punctuation, String, _TokenType
from textual.content import Content

from kctui.traces import parse_trace, trace_spans

TOKEN_STYLES: dict[_TokenType, str] = {
    Name.Tag: "$primary",
    String: "$success",
    Number: "$accent",
    Keyword.Constant: "$warning",
    Punctuation: "$text-muted",
}

# Roles of ``kctui.traces.trace_spans``: one look for a trace on every screen.
TRACE_ROLE_STYLES: dict[str, str] = {
    "keyword": "$warning bold",
    "exception": "$error bold",
    "message": "bold",
    "kafka-frame": "$accent",
    "frame": "$text-muted",
    "muted": "$text-muted",
    "plain": "",
}


def _style_for(token: _TokenType) -> str:
    while token is not None:
        style = TOKEN_STYLES.get(token)
        if style is not None:
            return style
        token = token.parent
    return ""


def _assemble(tokens: Iterable[tuple[_TokenType, str]]) -> Content:
    parts: list[tuple[str, str] | str] = []
    for token, value in tokens:
        style = _style_for(token)
        parts.append((value, style) if style else value)
    content = Content.assemble(*parts)
    return content.rstrip("\n") if content.plain.endswith("\n") else content


def highlight_trace(trace: str) -> Content:
    """A Java stack trace with the exception, message, causes and Kafka frames styled.

    The one trace highlighter (connector screen, DLQ detail, log view). Frames are indented
    by two spaces (tabs waste a narrow terminal). Callers pass text already masked.
    """
    trace = re.sub(r"(?m)^[ \t]+at ", "  at ", trace).expandtabs(4).rstrip("\n")
    return Content.assemble(
        *((part, TRACE_ROLE_STYLES.get(role, "")) for role, part in trace_spans(trace))
    )


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
    from pygments.lexers.data import JsonLexer

    return _assemble(JsonLexer(stripnl=False).get_tokens(text))
