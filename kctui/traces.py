"""One model of a Java stack trace (pure, no terminal).

:func:`parse_trace` reads the text Java's ``printStackTrace`` writes (Connect's status
``trace``, the ``__connect.errors.stacktrace`` DLQ header, a worker log record) into a
frozen :class:`Trace`: the chain of throwables (the error, its ``Caused by:`` causes and
``Suppressed:`` ones), each with its class name (``None`` for a cause printed without one,
such as JSch's ``Caused by: 2: No such file``), its message (possibly several lines), its
frames and the ``... N more`` / ``... N common frames omitted`` count.
:func:`trace_spans` cuts the same text into ``(role, text)`` spans, so every screen
highlights a trace the same way. Nothing here masks: callers mask what they print.
The text may arrive in any layout (JSON answers, collector prefixes, one collapsed line,
tables): :func:`kctui.trace_unwrap.unwrap` brings it back to the printed form first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kctui.trace_unwrap import starts_log_record, unwrap

ERROR, CAUSE, SUPPRESSED = "error", "cause", "suppressed"
CUT_TRACE = "(the trace starts mid-way, with frames)"

# ``at pkg.Class.method(File.java:12)``, with an optional module (``java.base/``) and a
# logback packaging suffix (``~[kafka.jar:?]``).
_FRAME = re.compile(r"^(?P<indent>\s*)at[ \u00a0]+(?P<call>[^(\s]+)(?:\((?P<location>[^)]*)\))?"
                    r"(?P<rest>.*)$")  # fmt: skip
_MORE = re.compile(r"^\s*\.\.\. ?(?P<count>\d+) (?:more|common frames omitted)\s*$")
_LINK = re.compile(r"^(?P<indent>\s*)(?P<kind>Caused by|Suppressed):[ \t]*(?P<rest>.*)$")
# A class name: dotted segments (or ``$`` nested), the last one capitalised.
_CLASS = re.compile(
    r"^(?:Exception in thread \"[^\"]*\" )?"  # the JVM's uncaught-exception handler
    r"(?P<cls>(?:[A-Za-z_$][\w$]*\.)+[A-Z_$][\w$]*)(?::[ \t]?(?P<msg>.*)|[ \t]*)$"
)


@dataclass(frozen=True)
class Frame:
    """One ``at ...`` line: the called method and its location (``File.java:12``)."""

    call: str
    location: str | None = None

    @property
    def is_kafka(self) -> bool:
        """True for Kafka's own code (the runtime), as opposed to a plugin's or the JDK's."""
        return self.call.rsplit("/", 1)[-1].startswith("org.apache.kafka.")

    def __str__(self) -> str:
        return (
            f"at {self.call}({self.location})" if self.location is not None else f"at {self.call}"
        )


@dataclass(frozen=True)
class ThrowableEntry:
    """One throwable of the chain as printed: the error, a cause or a suppressed one."""

    kind: str  # ERROR, CAUSE or SUPPRESSED
    class_name: str | None  # None when printed without a class (``Caused by: 2: No such file``)
    message: str  # may span lines; "" when there is none
    frames: tuple[Frame, ...] = ()
    more: int = 0  # ``... N more`` / ``... N common frames omitted``
    in_suppressed: bool = False  # inside a ``Suppressed:`` branch, not the main chain

    @property
    def short_name(self) -> str | None:
        """The class without its package (``DataException``), or None."""
        return self.class_name.rsplit(".", 1)[-1] if self.class_name else None

    @property
    def first_message_line(self) -> str:
        return self.message.strip().splitlines()[0].strip() if self.message.strip() else ""

    @property
    def headline(self) -> str:
        """``Class: message`` (first message line) as Java prints it."""
        message = self.first_message_line
        if self.class_name is None:
            return message
        return f"{self.class_name}: {message}" if message else self.class_name


@dataclass(frozen=True)
class SummaryLine:
    """One line of the short chain: ``error``, ``cause`` or ``root cause``."""

    label: str
    class_name: str | None
    message: str

    @property
    def short_name(self) -> str | None:
        return self.class_name.rsplit(".", 1)[-1] if self.class_name else None

    def __str__(self) -> str:
        body = ": ".join(part for part in (self.short_name, self.message) if part)
        return f"{self.label}: {body}"


@dataclass(frozen=True)
class Trace:
    """A parsed trace; ``entries`` in printed order, ``preamble`` the lines before it."""

    text: str
    entries: tuple[ThrowableEntry, ...]
    preamble: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def top(self) -> ThrowableEntry | None:
        return self.entries[0] if self.entries else None

    @property
    def chain(self) -> tuple[ThrowableEntry, ...]:
        """The main chain: the error and its ``Caused by:`` causes (no suppressed branch)."""
        return tuple(e for e in self.entries if not e.in_suppressed)

    @property
    def root_cause(self) -> ThrowableEntry | None:
        """The deepest cause of the main chain (the error itself when it has no cause)."""
        chain = self.chain
        return chain[-1] if chain else None

    @property
    def exception_classes(self) -> tuple[str, ...]:
        """Every class in the trace, first seen first: each entry's class (main chain and
        suppressed) and the classes its message starts with (``ConnectException:
        java.sql.SQLException: ...`` names both, as a log line without causes does)."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            if entry.class_name:
                seen.setdefault(entry.class_name, None)
            for name in leading_classes(entry.message):
                seen.setdefault(name, None)
        return tuple(seen)

    @property
    def messages(self) -> tuple[str, ...]:
        """Every message of the trace, in printed order (for matching rules)."""
        return tuple(e.message for e in self.entries if e.message)

    @property
    def frames(self) -> tuple[Frame, ...]:
        return tuple(frame for entry in self.entries for frame in entry.frames)

    def summary(self) -> tuple[SummaryLine, ...]:
        """``error``, each ``cause`` and the ``root cause`` of the main chain, class-less too."""
        chain = self.chain
        lines = []
        for position, entry in enumerate(chain):
            if position == 0:
                label = ERROR
            elif position == len(chain) - 1:
                label = "root cause"
            else:
                label = CAUSE
            message = entry.first_message_line
            if entry.class_name is None and not message:
                message = CUT_TRACE
            lines.append(SummaryLine(label, entry.class_name, message))
        return tuple(lines)

    def summary_text(self) -> str:
        """:meth:`summary` as plain lines (``error: DataException: ...``)."""
        return "\n".join(str(line) for line in self.summary())


_LEADING_CLASS = re.compile(r"^((?:[A-Za-z_$][\w$]*\.)+[A-Z_$][\w$]*): ")


def leading_classes(message: str) -> list[str]:
    """Class names a message starts with (``java.sql.SQLException: ...``), outermost first."""
    names = []
    while match := _LEADING_CLASS.match(message):
        names.append(match.group(1))
        message = message[match.end() :]
    return names


def _header(text: str) -> tuple[str | None, str]:
    """(class name or None, message) of a throwable's first line."""
    stripped = text.strip()
    match = _CLASS.match(stripped)
    if match:
        return match["cls"], (match["msg"] or "").strip()
    return None, stripped


_MESSAGE_LINES = 6  # lines a header's message may span before its first frame or cause


def _looks_like_start(lines: list[str], index: int) -> bool:
    """True when line ``index`` is an exception header followed by a frame or a cause (after
    a message of a few lines), or the last words of the text; a cut trace's first
    ``Caused by:`` starts it too."""
    line = lines[index]
    if _LINK.match(line) and _CLASS.match(_LINK.match(line)["rest"].strip()):  # type: ignore[index]
        return True
    if not _CLASS.match(line.strip()):
        return False
    for following in lines[index + 1 : index + 1 + _MESSAGE_LINES]:
        if not following.strip():
            continue
        if _FRAME.match(following) or _LINK.match(following) or _MORE.match(following):
            return True
        if starts_log_record(following) or _CLASS.match(following.strip()):
            return False
    return index + _MESSAGE_LINES >= len(lines) - 1


def _split_preamble(lines: list[str]) -> int:
    """Index of the trace's first line (lines before it are a log header or prose)."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if first == len(lines) or _CLASS.match(lines[first].strip()) or _FRAME.match(lines[first]):
        return first
    for index in range(first + 1, len(lines)):
        if _looks_like_start(lines, index):
            return index
    return first


class _Builder:
    def __init__(self) -> None:
        self.entries: list[ThrowableEntry] = []
        self.kind, self.in_suppressed = ERROR, False
        self.class_name: str | None = None
        self.message: list[str] = []
        self.frames: list[Frame] = []
        self.more = 0
        self.open = False

    def start(self, kind: str, header: str, in_suppressed: bool) -> None:
        self.close()
        self.kind, self.in_suppressed = kind, in_suppressed
        self.class_name, first = _header(header)
        self.message, self.frames, self.more, self.open = [first], [], 0, True

    def close(self) -> None:
        if self.open:
            message = "\n".join(self.message).strip()
            entry = ThrowableEntry(self.kind, self.class_name, message, tuple(self.frames),
                                   self.more, self.in_suppressed)  # fmt: skip
            self.entries.append(entry)
        self.open = False


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


@lru_cache(maxsize=256)
def parse_trace(text: str | None) -> Trace:
    """Parse a Java stack trace; never raises (unknown lines join the current message)."""
    if not text or not text.strip():
        return Trace(text or "", ())
    lines = unwrap(text).expandtabs(1).split("\n")
    start = _split_preamble(lines)
    builder = _Builder()
    base_indent = _indent(lines[start]) if start < len(lines) else 0
    suppressed_indent: int | None = None
    for line in lines[start:]:
        if not builder.open:
            if not line.strip():
                continue
            if _FRAME.match(line) or _LINK.match(line):  # no header (a cut trace)
                builder.start(ERROR, "", False)
                builder.message = []
            else:
                builder.start(ERROR, line, False)
                continue
        if frame := _FRAME.match(line):
            builder.frames.append(Frame(frame["call"], frame["location"]))
        elif more := _MORE.match(line):
            builder.more = int(more["count"])
        elif link := _LINK.match(line):
            indent = _indent(line)
            if link["kind"] == "Suppressed":
                suppressed_indent = (
                    indent if suppressed_indent is None else min(suppressed_indent, indent)
                )
                builder.start(SUPPRESSED, link["rest"], True)
            else:
                inside = (
                    suppressed_indent is not None
                    and indent > base_indent
                    and indent >= suppressed_indent
                )
                if not inside:
                    suppressed_indent = None
                builder.start(CAUSE, link["rest"], inside)
        elif not builder.frames and not builder.more:
            builder.message.append(line.strip())  # a message spanning lines
        elif line.strip():
            builder.message.append(line.strip())  # prose after frames: keep it, never drop
    builder.close()
    return Trace(text, tuple(builder.entries), tuple(lines[:start]))


def trace_spans(text: str) -> list[tuple[str, str]]:
    """``(role, text)`` spans covering ``text`` exactly, for the one trace highlighter; the
    roles are plain, keyword, exception, message, kafka-frame, frame and muted (the UI maps
    each to a theme style)."""
    lines = text.splitlines(keepends=True)
    start = _split_preamble([line.rstrip("\r\n") for line in lines])
    spans: list[tuple[str, str]] = []
    in_message = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        if index < start:
            spans.append(("plain", body))
        elif frame := _FRAME.match(body):
            role = "kafka-frame" if Frame(frame["call"]).is_kafka else "frame"
            call_at, call_end = frame.start("call"), frame.end("call")
            spans += [("muted", body[:call_at]), (role, body[call_at:call_end]),
                      ("muted", body[call_end:])]  # fmt: skip
            in_message = False
        elif _MORE.match(body):
            spans.append(("muted", body))
            in_message = False
        elif link := _LINK.match(body):
            rest_at = link.start("rest")
            spans.append(("keyword", body[:rest_at]))
            spans += _header_spans(body[rest_at:])
            in_message = True
        elif index == start:
            spans += _header_spans(body)
            in_message = True
        else:
            spans.append(("message" if in_message else "plain", body))
        if end:
            spans.append(("plain", end))
    return [span for span in spans if span[1]]


def _header_spans(body: str) -> list[tuple[str, str]]:
    stripped = body.lstrip()
    lead = body[: len(body) - len(stripped)]
    match = _CLASS.match(stripped)
    if not match:
        return [("plain", lead), ("message", stripped)]
    cls_end = match.end("cls")
    return [("plain", lead), ("exception", stripped[:cls_end]), ("message", stripped[cls_end:])]
