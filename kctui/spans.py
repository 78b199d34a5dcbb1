"""Text cut into ``(role, text)`` spans for highlighting: JSON and Java stack traces (pure).

The one highlighter of each language: every screen (connector config, dead-letter payloads
and traces, worker logs) asks here and styles the roles through one map of theme styles
(``kctui.ui.highlight.ROLE_STYLES``). JSON roles: key, string, number, literal, punct, plain;
trace roles: those of :func:`kctui.traces.trace_spans`. Pygments is imported on first use.
"""

from __future__ import annotations

from kctui.traces import trace_spans

Span = tuple[str, str]  # (role, text)


def json_spans(text: str) -> list[Span]:
    """JSON text as spans covering it exactly (adjacent spans of one role merged)."""
    from pygments.lexers.data import JsonLexer
    from pygments.token import Keyword, Name, Number, Punctuation, String

    spans: list[Span] = []
    for token, value in JsonLexer(stripnl=False, ensurenl=False).get_tokens(text):
        if token in Name.Tag:
            role = "key"
        elif token in String:
            role = "string"
        elif token in Number:
            role = "number"
        elif token in Keyword:
            role = "literal"
        elif token in Punctuation:
            role = "punct"
        else:
            role = "plain"
        if spans and spans[-1][0] == role:
            spans[-1] = (role, spans[-1][1] + value)
        else:
            spans.append((role, value))
    return spans


def highlight(text: str, language: str) -> list[Span]:
    """Spans for ``json`` or ``stacktrace`` text; otherwise (or if it fails) one plain span."""
    spans: list[Span] = []
    try:
        if language == "json":
            spans = json_spans(text)
        elif language == "stacktrace":
            spans = trace_spans(text)
    except Exception:  # noqa: BLE001 - highlighting must never break the view
        spans = []
    if spans and "".join(part for _, part in spans) == text:
        return spans  # a lexer that changed the text (newline normalising) is not trusted
    return [("plain", text)] if text else []
