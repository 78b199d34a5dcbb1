"""Log layouts: how one source writes its lines, detected from its first lines (pure).

A :class:`Layout` is chosen once per source (:func:`detect`, or the ``layout``/``pattern``
of its config) and then parses every line of it: header or continuation, timestamp,
level, connector and task, logger, thread. It also gives the fast paths their bytes
patterns (record starts, failure candidates), so a big file is never parsed line by line.

Built in: ``kafka`` (Apache Kafka's default), ``confluent``, ``strimzi``, ``debezium``, the
log4j2 JSON layouts ``ecs`` and ``log4j2-json`` (:mod:`kctui.logs.jsonlog`), and any of them
behind a collector prefix (``kubectl logs --timestamps``/``--prefix``, ``docker compose
logs``, journald ``short``/``short-iso``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from kctui.logs.fastpath import CONTINUED, has_failure_wording
from kctui.logs.log4j import Grammar, PatternError, compile_grammar
from kctui.logs.patterns import LogLine, LogRecord, normalise_timestamp

PATTERNS: dict[str, str] = {
    "kafka": "[%d] %p %X{connector.context}%m (%c:%L)%n",
    "confluent": "[%d] %p %X{connector.context}%m (%c)%n",
    "strimzi": "%d{yyyy-MM-dd HH:mm:ss,SSS} %p %X{connector.context}%m (%c) [%t]%n",
    "debezium": (
        "%d{ISO8601} %-5p  %X{dbz.connectorType}|%X{dbz.connectorName}"
        "|%X{dbz.connectorContext}  %m   [%c]%n"
    ),
}

# Collector prefixes, str and bytes (ASCII only, so the two agree).
PREFIXES: dict[str, str] = {
    "kubectl --prefix": r"\[pod/[^\]\s]+\] ",
    "kubectl --timestamps": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) ",
    "docker compose": r"[\w.\-]+ +\| ",
    "journald": (
        r"(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d{4}|Z)?)"
        r" [\w.\-]+ [^\s:\[]+(?:\[\d+\])?: "
    ),
}
# kubectl --prefix and --timestamps together write the pod first.
_PREFIX_ORDER = ("kubectl --prefix", "kubectl --timestamps", "docker compose", "journald")

# A first byte no continuation line starts with (patterns.CONTINUATION: blanks, "Caused by:",
# "Suppressed:", "... N more", exception class names, an empty line; \w may be any byte >= 0x80).
_NOT_CONTINUED = re.compile(rb"[^\t\r\n \w$.\x80-\xff]")
_ANY_TS = re.compile(rb"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d{1,9})?)")


class LayoutError(ValueError):
    """An unknown layout name or a pattern kctui cannot compile."""


@dataclass(frozen=True, eq=False)
class Layout:
    """How one source's lines are written; ``parse`` is the one truth, the rest are fast paths."""

    name: str
    body: Callable[[str], LogLine]  # parses a line once the prefix is removed
    prefix_names: tuple[str, ...] = ()
    level_tokens: tuple[bytes, ...] = (b"ERROR", b"FATAL")
    warn_token: bytes = b"WARN"
    embedded_trace: bool = False  # JSON: the trace is inside the header line
    trace_of: Callable[[str], list[str]] | None = None
    # Bytes that a header beginning like a trace line must hold (None: there is none).
    maybe_header: re.Pattern[bytes] | None = None
    blank_headers: bool = False  # headers may begin with blanks: the index checks them
    message_after_level: bool = True  # a failure wording comes after the level word
    # A grammar reading levels in any case: one pattern in every failure line (instead of
    # level_tokens), and lines surely failures without parsing them.
    candidates: re.Pattern[bytes] | None = None
    sure_failure: re.Pattern[bytes] | None = None
    _prefix: re.Pattern[str] | None = field(default=None, repr=False)
    _record_start: re.Pattern[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.prefix_names:
            source = "".join(f"(?:{PREFIXES[n]})" for n in self.prefix_names)
            object.__setattr__(self, "_prefix", re.compile(source))
        continued = CONTINUED + (rb"|#011" if "journald" in self.prefix_names else b"")
        if self.embedded_trace:
            start = rb"\n(?![\r\n]|$)"
        elif self.prefix_names:
            p = "".join(f"(?:{PREFIXES[n]})" for n in self.prefix_names).encode()
            start = rb"\n(?:%s(?!%s)|(?!%s)(?!%s))" % (p, continued, p, continued)
        else:
            start = rb"\n(?!%s)" % continued
        object.__setattr__(self, "_record_start", re.compile(start))

    @property
    def label(self) -> str:
        """``strimzi`` or ``strimzi (kubectl --timestamps)`` for the status line."""
        if not self.prefix_names:
            return self.name
        return f"{self.name} ({' + '.join(self.prefix_names)})"

    @property
    def record_start(self) -> re.Pattern[bytes]:
        """A newline before a line that starts a record (bytes; may over-accept odd lines)."""
        assert self._record_start is not None
        return self._record_start

    def strip(self, text: str) -> str:
        """The line without its collector prefix (journald's ``#011`` back to a tab)."""
        if self._prefix is not None:
            match = self._prefix.match(text)
            if match:
                text = text[match.end() :]
                if "journald" in self.prefix_names and text.startswith("#011"):
                    text = "\t" + text[4:]
        return text

    def parse(self, text: str) -> LogLine:
        """The line parsed; behind a collector prefix its ``text`` is shown without it."""
        text = text.rstrip("\r\n")
        if self._prefix is None:
            return self.body(text)
        return self.body(self.strip(text))

    def starts_record(self, raw: bytes) -> bool:
        """Whether a raw line starts a record (``parse(...).is_header``), parsing only the lines
        that begin like a continuation (a header begins with ``[`` or ``{``, a trace does not)."""
        if self._prefix is None and _NOT_CONTINUED.match(raw) is not None:
            return True
        return self.parse(raw.decode("utf-8", "replace").rstrip("\r")).is_header

    def continuation(self, header: str, lines: list[str]) -> list[str]:
        """The lines shown folded under a header: its trace lines (JSON: from inside it)."""
        if self.embedded_trace and self.trace_of is not None:
            return self.trace_of(self.strip(header.rstrip("\r\n")))
        if self._prefix is None:
            return lines
        return [self.strip(line) for line in lines]

    def timestamp(self, raw: bytes) -> str:
        """Sort key of the record starting ``raw`` (the first ISO-like time on its line)."""
        newline = raw.find(b"\n")
        end = newline if newline >= 0 else len(raw)
        if self.name == "log4j2-json":  # JsonLayout writes epoch seconds or milliseconds
            from kctui.logs.jsonlog import instant_key

            return instant_key(raw[:end])
        match = _ANY_TS.search(raw, 0, min(end, 240))
        if match is not None:
            return normalise_timestamp(match.group(1).decode("ascii"))
        return self.parse(raw[:end].decode("utf-8", "replace")).sort_key

    def is_warn_failure(self, data: bytes, start: int, end: int) -> bool:
        """A quick bytes check that a WARN line holds a failure or offset wording."""
        return has_failure_wording(data, start, end)


# ----------------------------------------------------------------------------- text layouts


def grammar_layout(grammar: Grammar, name: str) -> Layout:
    """A layout reading the lines of a compiled PatternLayout, with the grammar's fast paths."""
    return Layout(
        name=name,
        body=grammar.parse,
        maybe_header=grammar.maybe_header,
        blank_headers=grammar.blank_headers,
        message_after_level=grammar.message_after_level,
        candidates=grammar.candidates,
        sure_failure=grammar.sure_failure,
    )


def pattern_layout(pattern: str, name: str = "pattern", *, tolerant: bool = False) -> Layout:
    """A layout for a log4j PatternLayout string; :class:`LayoutError` names a bad directive."""
    try:
        return grammar_layout(compile_grammar(pattern, tolerant=tolerant), name)
    except PatternError as exc:
        raise LayoutError(str(exc)) from exc


def _builtin() -> dict[str, Layout]:
    from kctui.logs import jsonlog

    layouts = {
        # Apache Kafka's default, read tolerantly as kctui always has (see log4j.Grammar).
        "kafka": pattern_layout(PATTERNS["kafka"], "kafka", tolerant=True),
        "confluent": pattern_layout(PATTERNS["confluent"], "confluent"),
        "strimzi": pattern_layout(PATTERNS["strimzi"], "strimzi"),
        "debezium": pattern_layout(PATTERNS["debezium"], "debezium"),
    }
    for name in ("ecs", "log4j2-json"):
        layouts[name] = Layout(
            name,
            jsonlog.parse_json_line,
            level_tokens=(b'"ERROR"', b'"FATAL"'),
            warn_token=b'"WARN"',
            embedded_trace=True,
            trace_of=jsonlog.trace_lines,
        )
    return layouts


LAYOUTS: dict[str, Layout] = _builtin()
DEFAULT = LAYOUTS["kafka"]
LAYOUT_NAMES: tuple[str, ...] = tuple(LAYOUTS)


def with_prefixes(layout: Layout, prefixes: Sequence[str]) -> Layout:
    return replace(layout, prefix_names=tuple(prefixes)) if prefixes else layout


def named(name: str) -> Layout:
    """A built-in layout by name; :class:`LayoutError` lists the known ones."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise LayoutError(
            f"unknown log layout {name!r} (one of: {', '.join(LAYOUT_NAMES)})"
        ) from None


# ----------------------------------------------------------------------------- detection

_PREFIX_RES = {name: re.compile(rx) for name, rx in PREFIXES.items()}


def _detect_prefixes(lines: Sequence[str]) -> list[str]:
    found: list[str] = []
    rest = list(lines)
    for name in _PREFIX_ORDER:
        regex = _PREFIX_RES[name]
        hits = [regex.match(text) for text in rest]
        if rest and sum(1 for hit in hits if hit) * 10 >= len(rest) * 8:
            found.append(name)
            pairs = zip(rest, hits, strict=True)
            rest = [text[hit.end() :] if hit else text for text, hit in pairs]
    return found


def detect(lines: Sequence[str], body: Layout | None = None) -> Layout:
    """The layout of a source from its first lines (the Kafka default when nothing fits).

    ``body``: the layout the config asks for; only the collector prefixes are detected.
    """
    sample = [text.rstrip("\r\n") for text in lines if text.strip()][:200]
    prefixes = _detect_prefixes(sample) if sample else []
    if body is not None:
        return with_prefixes(body, prefixes)
    if not sample:
        return DEFAULT
    probe = with_prefixes(DEFAULT, prefixes)
    bodies = [probe.strip(text) for text in sample] if prefixes else sample
    json_lines = [b for b in bodies if b.startswith("{")]
    if len(json_lines) * 2 >= len(bodies):
        ecs = sum(1 for b in json_lines if '"@timestamp"' in b or '"log.level"' in b)
        name = "ecs" if ecs * 2 >= len(json_lines) else "log4j2-json"
        return with_prefixes(LAYOUTS[name], prefixes)
    best, best_hits = DEFAULT, 0
    for name in ("kafka", "confluent", "strimzi", "debezium"):
        layout = LAYOUTS[name]
        if layout is DEFAULT:  # its tolerant grammar also reads Confluent's lines: tell apart
            hits = sum(1 for b in bodies if b.startswith("[") and layout.body(b).level is not None)
            hits -= sum(1 for b in bodies if re.search(r"\((?:[\w$.\-]+)\)\s*$", b))
        else:
            hits = sum(1 for b in bodies if layout.body(b).level is not None)
        if hits > best_hits:
            best, best_hits = layout, hits
    return with_prefixes(best, prefixes)


def for_source(layout: str | None, pattern: str | None) -> Layout | None:
    """The layout a source's config asks for (None: detect it)."""
    if pattern:
        return pattern_layout(pattern)
    if layout:
        return named(layout)
    return None


# ----------------------------------------------------------------------------- the default


def parse_line(text: str) -> LogLine:
    """One line in Apache Kafka's default layout (:data:`DEFAULT`)."""
    return DEFAULT.parse(text)


def is_continuation(text: str) -> bool:
    """True for stack frames, ``Caused by:``, ``... N more``, exception lines, indented or
    empty lines: what the default layout folds under the header before them."""
    return not DEFAULT.body(text).is_header


def group_records(lines: Iterable[str], worker: str | None = None) -> Iterator[LogRecord]:
    """Group lines of the default layout into records: continuation lines join the header
    line before them."""
    current: LogLine | None = None
    continuation: list[str] = []
    for raw in lines:
        line = parse_line(raw)
        if not line.is_header and current is not None:
            continuation.append(line.text)
            continue
        if current is not None:
            yield LogRecord(current, tuple(continuation), worker)
        current, continuation = line, []
    if current is not None:
        yield LogRecord(current, tuple(continuation), worker)
