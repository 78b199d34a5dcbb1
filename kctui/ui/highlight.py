"""Pygments highlighting turned into Textual ``Content`` styled by theme variables.

Styles name theme variables (``$error``, ``$accent``...) instead of fixed colours, so a
trace or a config reads well in every theme, including the user's own.
"""

from __future__ import annotations

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
            (r"(\s+at )(org\.apache\.kafka\.[^(\n]+)(\([^\n]*\))?(\n)",
             bygroups(Comment, KafkaFrame, Comment, Text)),
            (r"(\s+at )([^(\n]+)(\([^\n]*\))?(\n)", bygroups(Comment, OtherFrame, Comment, Text)),
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
    """A Java stack trace with the exception, message, causes and Kafka frames styled."""
    if not trace.endswith("\n"):
        trace += "\n"
    return _assemble(JavaTraceLexer(stripnl=False, ensurenl=True).get_tokens(trace))


def highlight_json(text: str) -> Content:
    """JSON with keys, strings, numbers and constants styled."""
    from pygments.lexers.data import JsonLexer

    return _assemble(JsonLexer(stripnl=False).get_tokens(text))
