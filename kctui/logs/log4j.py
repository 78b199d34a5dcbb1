"""Compile a log4j ``PatternLayout`` conversion pattern into a line grammar (pure).

Workers write their logs with a pattern such as ``[%d] %p %X{connector.context}%m (%c:%L)%n``
(Apache Kafka) or ``%d{yyyy-MM-dd HH:mm:ss,SSS} %p %X{connector.context}%m (%c) [%t]%n``
(Strimzi). :func:`compile_grammar` turns one into a :class:`Grammar`: a regex that matches a
header line and names its parts (``ts``, ``level``, ``context``, ``message``, ``logger``,
``line``, ``thread``), the line parser built on it, and the bytes patterns that let a big
file be scanned without parsing every line, all generated from the one pattern. The stack
trace (``%throwable``) is written on the lines after the header, so it matches nothing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kctui.logs.fastpath import failure_candidates
from kctui.logs.patterns import (
    CONTEXT_SHAPE,
    CONTINUATION,
    LEVEL_ALIASES,
    LEVELS,
    LogLine,
    build_line,
    normalise_level,
    normalise_timestamp,
)


class PatternError(ValueError):
    """The pattern uses a directive kctui does not know, or is malformed."""


# %[-][min][.max]word{option}{option}
_DIRECTIVE = re.compile(
    r"%(?P<pad>-?\d*(?:\.-?\d+)?)(?P<word>[A-Za-z]+|%)(?P<options>(?:\{[^}]*\})*)"
)

_NAMED_DATES = {
    "ISO8601": "yyyy-MM-dd'T'HH:mm:ss,SSS",
    "ISO8601_BASIC": "yyyyMMdd'T'HHmmss,SSS",
    "ISO8601_OFFSET_DATE_TIME_HHMM": "yyyy-MM-dd'T'HH:mm:ss,SSSXX",
    "ISO8601_OFFSET_DATE_TIME_HHCMM": "yyyy-MM-dd'T'HH:mm:ss,SSSXXX",
    "DEFAULT": "yyyy-MM-dd HH:mm:ss,SSS",
    "ABSOLUTE": "HH:mm:ss,SSS",
    "DATE": "dd MMM yyyy HH:mm:ss,SSS",
    "COMPACT": "yyyyMMddHHmmssSSS",
    "UNIX": "U",
    "UNIX_MILLIS": "U",
}

_DATE_LETTERS = {
    "y": lambda n: r"\d{4}" if n != 2 else r"\d\d",
    "M": lambda n: r"\d{1,2}" if n == 1 else r"\d\d" if n == 2 else r"[A-Za-z]{3,9}",
    "d": lambda n: r"\d{1,2}" if n == 1 else r"\d\d",
    "H": lambda n: r"\d{1,2}" if n == 1 else r"\d\d",
    "h": lambda n: r"\d{1,2}" if n == 1 else r"\d\d",
    "k": lambda n: r"\d{1,2}",
    "K": lambda n: r"\d{1,2}",
    "m": lambda n: r"\d{1,2}" if n == 1 else r"\d\d",
    "s": lambda n: r"\d{1,2}" if n == 1 else r"\d\d",
    "S": lambda n: rf"\d{{{n}}}",
    "n": lambda n: rf"\d{{{n}}}",
    "E": lambda n: r"[A-Za-z]{3,9}",
    "a": lambda n: r"[AaPp][Mm]",
    "z": lambda n: r"[A-Za-z][\w/+\-]*",
    "Z": lambda n: r"[+-]\d{4}",
    "X": lambda n: r"(?:Z|[+-]\d\d(?::?\d\d)?)",
    "x": lambda n: r"[+-]\d\d(?::?\d\d)?",
    "U": lambda n: r"\d+(?:\.\d+)?",
}

# The tolerant grammar: any ISO-like time for a default %d (``T`` or a blank, any fraction)
# and the zone some appenders add after it, a short collector prefix before the line.
_ISO_TIME = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d{1,9})?"
_ZONE = r"(?:Z|[+-]\d\d:?\d\d)?"
_PREFIX = r"[^\n]{0,120}?"
_THROWABLES = frozenset(
    "throwable ex exception xEx xThrowable xException rEx rThrowable rException wEx".split()
)
_DIGIT_BYTES = rb"[0-9\x80-\xff]"  # a str \d may be any non-ASCII digit: any byte >= 0x80


def date_regex(fmt: str) -> str:
    """A regex for timestamps written with a ``SimpleDateFormat``-style format (or a named one)."""
    fmt = _NAMED_DATES.get(fmt.strip(), fmt)
    if fmt == _NAMED_DATES["ISO8601"]:  # log4j 1 writes a blank where log4j 2 writes 'T'
        return r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d[,.]\d{3}"
    out: list[str] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "'":
            end = fmt.find("'", i + 1)
            if end < 0:
                raise PatternError(f"unterminated quote in date format {fmt!r}")
            out.append(re.escape(fmt[i + 1 : end]) if end > i + 1 else "'")
            i = end + 1
            continue
        run = 1
        while i + run < len(fmt) and fmt[i + run] == char:
            run += 1
        if char in _DATE_LETTERS:
            out.append(_DATE_LETTERS[char](run))
        elif char.isalpha():
            raise PatternError(f"unknown date format letter {char!r} in {fmt!r}")
        else:
            out.append(re.escape(char * run))
        i += run
    return "".join(out)


def _padded(body: str, pad: str) -> str:
    """Log4j pads a field to a minimum width with blanks: left (``%5p``) or right (``%-5p``)."""
    width = pad.split(".")[0]
    if not width or width in ("-", "0"):
        return body
    return f"{body} *" if width.startswith("-") else f" *{body}"


def _options(raw: str) -> list[str]:
    return re.findall(r"\{([^}]*)\}", raw)


@dataclass(frozen=True, eq=False)
class Grammar:
    """The lines one PatternLayout writes: a header regex, its parser and its fast paths.

    ``tolerant`` (the Kafka default's grammar) also reads what the pattern's lines become on
    the way: any-case levels and their aliases, ISO times with a zone, a short prefix before
    the line, a message without its ``(logger:line)`` location (or its line number).
    """

    pattern: str
    regex: re.Pattern[str]
    tolerant: bool
    message_after_level: bool  # a failure wording comes after the level word
    # Bytes that a header beginning like a trace line must hold (None: there is none).
    maybe_header: re.Pattern[bytes] | None
    # Tolerant only: one pattern found in every failure line, and lines surely failures.
    candidates: re.Pattern[bytes] | None
    sure_failure: re.Pattern[bytes] | None

    @property
    def blank_headers(self) -> bool:
        """Headers may begin with blanks (``%5p …``): lines holding a level word are checked."""
        return self.maybe_header is not None and not self.tolerant

    def parse(self, text: str) -> LogLine:
        """A line as a :class:`LogLine`; a line the grammar does not match is a continuation
        when it starts like one (trace, ``Caused by:``, indented), else a header of its own."""
        match = self.regex.match(text)
        if match is None:
            return LogLine(
                text=text, is_header=CONTINUATION.match(text) is None, message=text.strip()
            )
        groups = match.groupdict()
        level = normalise_level(groups["level"])
        if level is None:  # the tolerant grammar read a word that is no level
            return LogLine(text=text, is_header=True, message=text.strip())
        line_no, ts = groups.get("line"), groups.get("ts")
        return build_line(
            text,
            timestamp=normalise_timestamp(ts) if ts and ts[:4].isdigit() else ts,
            level=level,
            context=groups.get("context"),
            message=groups.get("message") or groups.get("bare") or "",
            logger=groups.get("logger") or groups.get("cls"),
            logger_line=int(line_no) if line_no and line_no.isdigit() else None,
            thread=groups.get("thread"),
        )


class _Compiler:
    """Turns the directives of one pattern into regex source, noting what the fast paths need."""

    def __init__(self, pattern: str, tolerant: bool) -> None:
        self.pattern, self.tolerant = pattern, tolerant
        self.seen: set[str] = set()
        self.mdc_count = 0
        self.level_lead = ""  # the literal text written just before the level
        self.date_lead = ""  # the literal text written just before the time
        self.message_end: int | None = None  # where the parts after %m start

    def group(self, name: str, body: str) -> str:
        if name in self.seen:
            return f"(?:{body})"
        self.seen.add(name)
        return f"(?P<{name}>{body})"

    def literal(self, text: str, *, before_level: bool, after_level: bool) -> str:
        """Literal text; in the tolerant grammar, blanks next to the level are any whitespace."""
        if not self.tolerant:
            return re.escape(text)
        head = r"\s+" if after_level and text[:1] == " " else ""
        tail = r"\s+" if before_level and text[-1:] == " " else ""
        core = text.lstrip(" ") if head else text
        core = core.rstrip(" ") if tail else core
        if head and tail and not core:
            return r"\s+"
        return head + re.escape(core) + tail

    def directive(self, word: str, pad: str, options: list[str]) -> str:
        """The regex of one directive (``%d``, ``%p``, ``%m``…)."""
        if word == "%":
            return "%"
        if word == "n" or word in _THROWABLES:
            return ""
        if word in ("d", "date"):
            fmt = options[0] if options else "DEFAULT"
            if self.tolerant and fmt.strip() in ("DEFAULT", "ISO8601"):
                return self.group("ts", _ISO_TIME) + _ZONE
            return self.group("ts", date_regex(fmt))
        if word in ("p", "level"):
            words = r"[A-Za-z]+" if self.tolerant else "|".join(LEVELS)
            return _padded(self.group("level", words), pad)
        if word in ("c", "logger", "C", "class"):
            name = "logger" if word in ("c", "logger") else "cls"
            return _padded(self.group(name, r"[\w$.\-]+"), pad)
        if word in ("L", "line"):
            return _padded(self.group("line", r"\d+|\?"), pad)
        if word in ("F", "file"):
            return _padded(r"[\w$.\-?]*", pad)
        if word in ("M", "method"):
            return _padded(r"[\w$<>\-?]*", pad)
        if word in ("l", "location"):
            return _padded(r"[^\s]*", pad)
        if word in ("t", "thread", "tn", "threadName"):
            return _padded(self.group("thread", r".*?"), pad)
        if word in ("T", "tid", "threadId", "tp", "threadPriority", "pid", "processId"):
            return _padded(r"\d*", pad)
        if word in ("r", "relative", "sn", "sequenceNumber"):
            return _padded(r"\d+", pad)
        if word in ("X", "mdc", "MDC"):
            key = options[0] if options else ""
            if key == "connector.context":
                return self.group("context", CONTEXT_SHAPE) + "?"
            self.mdc_count += 1
            return f"(?P<mdc{self.mdc_count}>" + (r".*?)" if key else r"\{.*?\})")
        if word in ("m", "msg", "message"):
            # Tolerant: "(?:<message> <location>|<bare message>)", the location found from
            # the end of the line (one regex as fast as a search for it from the end).
            return (
                "(?:" + self.group("message", ".*")
                if self.tolerant
                else self.group("message", ".*?")
            )
        if word in ("x", "NDC"):
            return r".*?"
        raise PatternError(f"unknown pattern directive %{word} in {self.pattern!r}")

    def source(self) -> str:
        """The header regex source (without its end anchor)."""
        found = list(_DIRECTIVE.finditer(self.pattern))
        words = [m.group("word") for m in found]
        parts: list[str] = [_PREFIX] if self.tolerant else []
        pos = 0
        for index, match in enumerate(found):
            word = match.group("word")
            text = self.pattern[pos : match.start()]
            pos = match.end()
            after = index > 0 and words[index - 1] in ("p", "level")
            if word in ("p", "level"):
                self.level_lead = text
            elif word in ("d", "date"):
                self.date_lead = text
            body = self.directive(word, match.group("pad"), _options(match.group("options")))
            if self.tolerant and word in ("L", "line") and text:
                # The tolerant grammar reads a location without its line number.
                lead = self.literal(text[:-1], before_level=False, after_level=after)
                parts.append(f"{lead}(?:{re.escape(text[-1])}{body})?")
            else:
                before = word in ("p", "level")
                parts.append(self.literal(text, before_level=before, after_level=after) + body)
            if word in ("m", "msg", "message"):
                self.message_end = len(parts)
        after_last = bool(words) and words[-1] in ("p", "level")
        rest = self.pattern[pos:].replace("\n", "")
        parts.append(self.literal(rest, before_level=False, after_level=after_last))
        if self.tolerant and self.message_end is not None:  # the location may be missing
            parts[self.message_end :] = ["".join(parts[self.message_end :]) + "|(?P<bare>.*?))"]
        return "".join(parts).rstrip()

    def sure_failure(self) -> re.Pattern[bytes] | None:
        """Lines that start with the pattern's time and an ERROR/FATAL level (tolerant only)."""
        words = [m.group("word") for m in _DIRECTIVE.finditer(self.pattern)][:2]
        if not self.tolerant or words not in (["d", "p"], ["date", "level"]):
            return None
        between = re.escape(self.level_lead.strip(" ").encode())
        return re.compile(
            re.escape(self.date_lead.encode())
            + (_ISO_TIME + _ZONE).encode()
            + between
            + rb"[ \t]+(?:ERROR|FATAL)[ \t]"
        )


def compile_grammar(pattern: str, *, tolerant: bool = False) -> Grammar:
    """The grammar of a log4j ``PatternLayout`` pattern.

    Raises :class:`PatternError` naming an unknown directive (``%Q``) or a bad date format.
    """
    if not pattern.strip():
        raise PatternError("empty pattern")
    compiler = _Compiler(pattern, tolerant)
    source = compiler.source()
    if "level" not in compiler.seen:
        raise PatternError(f"the pattern has no level (%p): {pattern!r}")
    try:
        regex = re.compile(source + r"\s*$", re.DOTALL if tolerant else 0)
    except re.error as exc:  # pragma: no cover - every piece above is a valid regex
        raise PatternError(f"cannot compile {pattern!r}: {exc}") from exc
    groups = regex.groupindex
    after = groups.get("message", len(groups) + 1) > groups["level"]
    maybe: re.Pattern[bytes] | None
    candidates: re.Pattern[bytes] | None
    if tolerant:
        # A short prefix may stand before a header: it holds the time's lead and a digit.
        maybe = re.compile(re.escape(compiler.date_lead[-1:].encode()) + _DIGIT_BYTES)
        candidates = failure_candidates(compiler.level_lead.encode(), tolerant_levels())
    else:
        # A pattern whose lines may begin with blanks ("%5p …", " %d …") writes headers that
        # look indented like trace lines: every line holding a level word is then checked.
        blank = re.match(r"\s|%\d", pattern) is not None
        maybe = re.compile(b"|".join(w.encode() for w in LEVELS)) if blank else None
        candidates = None
    return Grammar(pattern, regex, tolerant, after, maybe, candidates, compiler.sure_failure())


def tolerant_levels() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The level words the tolerant grammar reads as ERROR/FATAL, and as WARN."""
    words = (*LEVELS, *LEVEL_ALIASES)
    errors = tuple(w for w in words if normalise_level(w) in ("ERROR", "FATAL"))
    warns = tuple(w for w in words if normalise_level(w) == "WARN")
    return errors, warns


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The header regex of a log4j ``PatternLayout`` pattern (see :func:`compile_grammar`)."""
    return compile_grammar(pattern).regex
