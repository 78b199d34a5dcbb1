"""How one log record is drawn: styles by kind and level, fold markers, trace lines.

Pure functions over a parsed :class:`~kctui.logs.patterns.LogLine`; the styles come from the
log view's component classes (theme variables), passed in as ``style(name)``.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text

from kctui.logs.patterns import Kind, LogLine
from kctui.masking import mask_text
from kctui.traces import parse_trace, trace_spans

KIND_CLASS = {
    Kind.FAILURE: "log-view--failure",
    Kind.OFFSET: "log-view--offset",
    Kind.REBALANCE: "log-view--rebalance",
    Kind.WORKER: "log-view--worker",
    Kind.LIFECYCLE: "log-view--lifecycle",
}
LEVEL_CLASS = {
    "WARN": "log-view--warn",
    "ERROR": "log-view--error",
    "FATAL": "log-view--error",
    "DEBUG": "log-view--debug",
    "TRACE": "log-view--debug",
}


def header_text(
    line: LogLine,
    *,
    trace_lines: int,
    expanded: bool,
    worker: str | None,
    style: Callable[[str], Style],
    cause: str = "",
) -> Text:
    """A record's first line: fold marker, worker tag, muted time, level and kind colours;
    a folded failure ends with its trace's root cause (``cause``, see :func:`fold_cause`)."""
    marker = ("▾ " if expanded else "▸ ") if trace_lines else "  "
    text = Text(marker, style=style("log-view--muted"))
    if worker is not None:
        text.append(f"{worker} ", style("log-view--tag"))
    shown = mask_text(line.text)  # credentials never reach the screen
    body = Text(shown)
    kind_class = KIND_CLASS.get(line.kind)
    time_end = shown.find("] ") + 1 if line.timestamp else 0
    if time_end > 0:
        body.stylize(style("log-view--muted"), 0, time_end)
        if kind_class:
            body.stylize(style(kind_class), time_end, len(shown))
        level_class = LEVEL_CLASS.get(line.level or "")
        if level_class and line.level and line.kind is not Kind.FAILURE:
            start = shown.find(line.level, time_end)
            if start >= 0:
                body.stylize(style(level_class), start, start + len(line.level))
    elif kind_class:
        body.stylize(style(kind_class))
    text.append_text(body)
    if trace_lines and not expanded:
        plural = "s" if trace_lines != 1 else ""
        text.append(f"  [+{trace_lines} line{plural}]", style("log-view--muted"))
        if cause:
            text.append(f" {cause}", style("log-view--trace"))
    return text


FOLD_CAUSE_CHARS = 100


def fold_cause(continuation: list[str]) -> str:
    """What a folded failure's trace comes down to: its root cause (class-less too), or
    its error when it has no cause; masked and cut for one line."""
    summary = parse_trace("\n".join(continuation)).summary()
    if not summary:
        return ""
    line = mask_text(str(summary[-1]))
    return line if len(line) <= FOLD_CAUSE_CHARS else line[: FOLD_CAUSE_CHARS - 1] + "…"


def trace_text(
    content: str,
    *,
    failure: bool,
    style: Callable[[str], Style],
    role_style: Callable[[str], Style],
) -> Text:
    """One continuation line, indented under its record and masked; a failure's trace is
    highlighted by the one trace model's roles and styled by the one role map
    (``role_style``, see :data:`kctui.ui.highlight.ROLE_STYLES`), other lines are muted."""
    shown = "    " + mask_text(content).replace("\t", "    ")
    if not failure:
        return Text(shown, style("log-view--muted"))
    text = Text()
    for role, part in trace_spans(shown):
        text.append(part, role_style(role))
    return text
