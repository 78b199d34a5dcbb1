"""Compile a log4j ``PatternLayout`` conversion pattern into a regular expression (pure).

Workers write their logs with a pattern such as ``[%d] %p %X{connector.context}%m (%c:%L)%n``
(Apache Kafka) or ``%d{yyyy-MM-dd HH:mm:ss,SSS} %p %X{connector.context}%m (%c) [%t]%n``
(Strimzi). :func:`compile_pattern` turns one into a pattern that matches a header line and
names its parts: ``ts``, ``level``, ``context`` (the ``connector.context`` MDC), ``message``,
``logger``, ``line`` and ``thread``. The stack trace (``%throwable``) is written on the lines
after the header, so it matches nothing on the header line itself.
"""

from __future__ import annotations

import re

LEVEL_WORDS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


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


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A regex for the header lines a log4j ``PatternLayout`` pattern writes.

    Raises :class:`PatternError` naming an unknown directive (``%Q``) or a bad date format.
    """
    if not pattern.strip():
        raise PatternError("empty pattern")
    parts: list[str] = []
    seen: set[str] = set()
    mdc_count = 0
    pos = 0

    def group(name: str, body: str) -> str:
        if name in seen:
            return f"(?:{body})"
        seen.add(name)
        return f"(?P<{name}>{body})"

    for match in _DIRECTIVE.finditer(pattern):
        parts.append(re.escape(pattern[pos : match.start()]))
        pos = match.end()
        word, pad = match.group("word"), match.group("pad")
        options = _options(match.group("options"))
        if word == "%":
            parts.append("%")
        elif word == "n":
            parts.append("")
        elif word in ("d", "date"):
            parts.append(group("ts", date_regex(options[0] if options else "DEFAULT")))
        elif word in ("p", "level"):
            parts.append(_padded(group("level", "|".join(LEVEL_WORDS)), pad))
        elif word in ("c", "logger", "C", "class"):
            name = "logger" if word in ("c", "logger") else "cls"
            parts.append(_padded(group(name, r"[\w$.\-]+"), pad))
        elif word in ("L", "line"):
            parts.append(_padded(group("line", r"\d+|\?"), pad))
        elif word in ("F", "file"):
            parts.append(_padded(r"[\w$.\-?]*", pad))
        elif word in ("M", "method"):
            parts.append(_padded(r"[\w$<>\-?]*", pad))
        elif word in ("l", "location"):
            parts.append(_padded(r"[^\s]*", pad))
        elif word in ("t", "thread", "tn", "threadName"):
            parts.append(_padded(group("thread", r".*?"), pad))
        elif word in ("T", "tid", "threadId", "tp", "threadPriority", "pid", "processId"):
            parts.append(_padded(r"\d*", pad))
        elif word in ("r", "relative", "sn", "sequenceNumber"):
            parts.append(_padded(r"\d+", pad))
        elif word in ("X", "mdc", "MDC"):
            key = options[0] if options else ""
            if key == "connector.context":
                parts.append(group("context", r"\[[^|\]\n]+\|[^\]\n]+\] ?") + "?")
            else:
                mdc_count += 1
                parts.append(f"(?P<mdc{mdc_count}>" + (r".*?)" if key else r"\{.*?\})"))
        elif word in ("m", "msg", "message"):
            parts.append(group("message", r".*?"))
        elif word in (
            "throwable",
            "ex",
            "exception",
            "xEx",
            "xThrowable",
            "xException",
            "rEx",
            "rThrowable",
            "rException",
            "wEx",
        ):
            parts.append("")
        elif word in ("x", "NDC"):
            parts.append(r".*?")
        else:
            raise PatternError(f"unknown pattern directive %{word} in {pattern!r}")
    parts.append(re.escape(pattern[pos:].replace("\n", "")))
    text = "".join(parts).rstrip()
    if "level" not in seen:
        raise PatternError(f"the pattern has no level (%p): {pattern!r}")
    try:
        return re.compile(text + r"\s*$")
    except re.error as exc:  # pragma: no cover - every piece above is a valid regex
        raise PatternError(f"cannot compile {pattern!r}: {exc}") from exc
