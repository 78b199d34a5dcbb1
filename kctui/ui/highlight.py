"""Pygments highlighting turned into Textual ``Content`` styled by theme variables.

Styles name theme variables (``$error``, ``$accent``...) instead of fixed colours, so a
trace or a config reads well in every theme, including the user's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pygments.lexer import RegexLexer, bygroups
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    _TokenType,
)
from textual.content import Content

# A frame of Kafka's own code ("our frames") versus the connector's or the JDK's.
KafkaFrame = Name.Namespace
OtherFrame = Name.Other
ExceptionMessage = String.Other

TOKEN_STYLES: dict[_TokenType, str] = {
    Keyword: "$warning bold",
    Name.Exception: "$error bold",
    ExceptionMessage: "bold",
    KafkaFrame: "$accent",
    OtherFrame: "$text-muted",
    Comment: "$text-muted italic",
    Name.Tag: "$primary",
    String: "$success",
    Number: "$accent",
    Keyword.Constant: "$warning",
    Punctuation: "$text-muted",
}


class JavaTraceLexer(RegexLexer):
    """A Java stack trace: exception class and message, ``Caused by:`` chain, frames."""

    name = "Java stack trace"
    aliases = ["javatrace"]

    tokens = {
        "root": [
            (r"(\s+at[ \u00a0])(org\.apache\.kafka\.[^(\n]+)(\([^\n]*\))?(\n)",
             bygroups(Comment, KafkaFrame, Comment, Text)),
            (r"(\s+at[ \u00a0])([^(\n]+)(\([^\n]*\))?(\n)",
             bygroups(Comment, OtherFrame, Comment, Text)),
            (r"\s+\.\.\. \d+ more\n", Comment),
            (r"(\s*)(Caused by: |Suppressed: )([\w$]+(?:\.[\w$]+)+)(:?)([^\n]*\n)",
             bygroups(Text, Keyword, Name.Exception, Operator, ExceptionMessage)),
            (r"([\w$]+(?:\.[\w$]+)+)(:)([^\n]*\n)",
             bygroups(Name.Exception, Operator, ExceptionMessage)),
            (r"([\w$]+(?:\.[\w$]+)+)(\n)", bygroups(Name.Exception, Text)),
            (r"[^\n]*\n", Text),
        ]
    }  # fmt: skip


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

    Frames are indented by two spaces (tabs waste a narrow terminal).
    """
    trace = re.sub(r"(?m)^[ \t]+at ", "  at ", trace).expandtabs(4)
    if not trace.endswith("\n"):
        trace += "\n"
    return _assemble(JavaTraceLexer(stripnl=False, ensurenl=True).get_tokens(trace))


_CHAIN_LINE = re.compile(r"^(?:\s*(?:Caused by|Suppressed): )?([\w$]+(?:\.[\w$]+)+)(?::\s?(.*))?$")


def exception_chain(trace: str) -> list[tuple[str, str]]:
    """(exception class, message) of the trace's first line and each ``Caused by:``."""
    chain = []
    for index, line in enumerate(trace.splitlines()):
        stripped = line.strip()
        if index and not stripped.startswith("Caused by:"):
            continue
        match = _CHAIN_LINE.match(stripped)
        if match:
            chain.append((match.group(1), (match.group(2) or "").strip()))
    return chain


def chain_summary(trace: str) -> Content:
    """The exception chain as short lines (class name, message), root cause last."""
    lines = []
    chain = exception_chain(trace)
    for position, (cls, message) in enumerate(chain):
        label = (
            "error" if position == 0 else ("root cause" if position == len(chain) - 1 else "cause")
        )
        lines.append(
            Content.assemble(
                (f"{label}: ", "$text-muted"),
                (cls.rsplit(".", 1)[-1], "$error bold"),
                (f": {message}" if message else "", "bold"),
            )
        )
    return Content("\n").join(lines)


def highlight_json(text: str) -> Content:
    """JSON with keys, strings, numbers and constants styled."""
    from pygments.lexers.data import JsonLexer

    return _assemble(JsonLexer(stripnl=False).get_tokens(text))
