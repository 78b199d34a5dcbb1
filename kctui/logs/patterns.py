"""Understanding Kafka Connect worker log lines (pure: no I/O, never raises).

The worker layout is ``[%d] %p %X{connector.context}%m (%c:%L)%n``, for example::

    [2026-11-24 00:19:20,123] ERROR [demo-sink|task-0] WorkerSinkTask{id=demo-sink-0} Task threw
    an uncaught and unrecoverable exception. (org.apache.kafka.connect.runtime.WorkerTask:234)

A *record* is a header line plus its continuation lines (stack trace, ``Caused by:``,
``... N more``, indented config dumps). Every line is classified into a :class:`Kind`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

LEVELS: tuple[str, ...] = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
_LEVEL_ALIASES = {"WARNING": "WARN", "ERR": "ERROR", "CRITICAL": "FATAL", "SEVERE": "ERROR"}


class Kind(StrEnum):
    """What a line means for someone troubleshooting Connect."""

    FAILURE = "failure"  # a task or connector failed (or an ERROR line)
    OFFSET = "offset"  # offset commit problems
    REBALANCE = "rebalance"
    WORKER = "worker"  # worker start / stop
    LIFECYCLE = "lifecycle"  # connector and task startup, stop
    OTHER = "other"


# ----------------------------------------------------------------------------- layout

# An optional short prefix (journalctl, kubectl --prefix) before the bracketed time.
_HEADER = re.compile(
    r"(?P<prefix>[^\n]{0,120}?)\[(?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d{1,9})?)"
    r"(?:Z|[+-]\d\d:?\d\d)?\]\s+(?P<level>[A-Za-z]+)\s+(?P<rest>.*)",
    re.DOTALL,
)
_CONTEXT = re.compile(
    r"\[(?P<connector>[^|\]\n]+)\|(?P<scope>worker|task-(?P<task>\d+))(?:\|(?P<sub>[^\]\n]*))?\]\s?"
)
_WORKER_PREFIX = re.compile(
    r"\[Worker clientId=(?P<client>[^,\]]*), groupId=(?P<group>[^\]]*)\]\s?"
)
_LOGGER = re.compile(r"\s\((?P<logger>[\w$.]+)(?::(?P<line>\d+|\?))?\)\s*$")
_TASK_ID = re.compile(
    r"\b(?:WorkerSinkTask|WorkerSourceTask|ExactlyOnceWorkerSourceTask|AbstractWorkerSourceTask"
    r"|WorkerTask|WorkerConnector)\{id=(?P<id>[^}]+)\}"
)
_NAMED = re.compile(
    r"\b(?:[Cc]onnector|[Tt]ask)s? '?(?P<id>[A-Za-z0-9][\w.\-]*[\w])'?(?=[\s.,:;)']|$)"
)
_CONTINUATION = re.compile(
    r"(?:[\t ]|Caused by:|Suppressed:|\.\.\. \d+ (?:more|common frames omitted)"
    r"|[\w$]+(?:\.[\w$]+)+(?:Exception|Error|Throwable)\b|$)"
)

# ----------------------------------------------------------------------------- wordings

_FAILURE_WORDS = (
    r"Task threw an uncaught and unrecoverable exception",
    r"Task is being killed and will not recover",
    r"Exiting WorkerSinkTask due to unrecoverable exception",
    r"Tolerance exceeded in error handler",
    r"Error encountered in task",
    r"Error in task",
    r"Failed to start task",
    r"Failed to start connector",
    r"Connector has failed",
    r"Failed to (?:create|initialize|reconfigure|stop) (?:connector|task)",
    r"Could not initialize dead letter queue",
    r"Unrecoverable exception",
)
_OFFSET_WORDS = (
    r"Commit of offsets timed out",
    r"Offset commit failed",
    r"rewinding to last committed offsets",
    r"Failed to (?:commit|flush)",
    r"Failed to write offsets",
    r"Commit of offsets threw an unexpected exception",
    r"Unable to (?:commit|flush) offsets",
    r"offset commit (?:failed|timed out)",
)
_REBALANCE_WORDS = (
    r"[Rr]ebalanc",
    r"Joined group at generation",
    r"[Jj]oining group",
    r"Successfully (?:joined|synced) group",
    r"Revoking previous assignment",
    r"assignment:",
    r"Starting connectors and tasks using config offset",
)
_WORKER_WORDS = (
    r"Kafka Connect worker initiali[sz]",
    r"Kafka Connect distributed worker initiali[sz]ation",
    r"REST server listening at",
    r"Herder (?:started|starting|stopped|stopping)",
    r"Kafka Connect (?:started|stopping|stopped)",
    r"Worker (?:started|starting|stopping|stopped)",
    r"Stopping REST server",
    r"REST server stopped",
)
_LIFECYCLE_WORDS = (
    r"Creating connector",
    r"Instantiated connector",
    r"Finished creating connector",
    r"Creating task",
    r"Instantiated task",
    r"Starting connector",
    r"Starting task",
    r"Source task finished initialization and start",
    r"Executing sink task",
    r"Finished starting connectors and tasks",
    r"Stopping (?:connector|task)",
    r"Stopped connector",
    r"Completed shutdown for",
    r"Connector .{1,200} target state",
    r"(?:Pausing|Resuming|Restarting) (?:connector|task)",
)


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{w})" for w in words))


_FAILURE = _words(_FAILURE_WORDS)
_OFFSET = _words(_OFFSET_WORDS)
_REBALANCE = _words(_REBALANCE_WORDS)
_WORKER = _words(_WORKER_WORDS)
_LIFECYCLE = _words(_LIFECYCLE_WORDS)

# Bytes that a str ``\s`` can be made of (non-ASCII whitespace is all bytes >= 0x80); no newline.
_WS_BYTES = rb"[\t\x0b-\r\x1c-\x20\x80-\xff]"
_RARE_FIRST = "zqjxkvbywgpfm"  # rarest letters first: where to anchor a lowercase wording


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


def _anchored(word: str) -> tuple[str, str]:
    """(stop character, pattern) for a wording, matched from a rarely seen character.

    A wording starting with a capital is anchored on it; a lowercase one on its rarest letter
    (before any regex syntax), the text before it checked by a fixed-width lookbehind.
    """
    if word[0].isascii() and word[0].isupper():
        return word[0], word
    head = re.match(r"[A-Za-z ]+", word)
    assert head is not None, word
    best = min(
        range(1, len(head.group())),
        key=lambda i: _RARE_FIRST.find(word[i]) if word[i] in _RARE_FIRST else 99,
    )
    return word[best], f"(?<={word[:best]}){word[best:]}"


#: Possessive quantifiers match correctly from Python 3.11.5 on (wrongly in 3.11.0-3.11.4).
POSSESSIVE_WORKS = sys.version_info >= (3, 11, 5)


def _failure_candidates(possessive: bool = POSSESSIVE_WORKS) -> re.Pattern[bytes]:
    """One bytes pattern found in every line that :func:`parse_line` calls a failure.

    It is a superset (each line it hits is confirmed by the full classifier): a ``]`` then
    whitespace and an ERROR-like level, or a WARN-like level followed later on the line by
    one of the failure or offset wordings. Never crosses a newline.
    """
    anchored = [_anchored(w) for w in _FAILURE_WORDS + _OFFSET_WORDS]
    stops = "".join(sorted({stop for stop, _ in anchored})).encode()
    words = "|".join(f"(?:{pattern})" for _, pattern in anchored).encode()
    errors = "|".join(_any_case(w) for w in ("ERROR", "ERR", "SEVERE", "FATAL", "CRITICAL"))
    warn = _any_case("WARN") + f"(?:{_any_case('ING')})?"
    # After the WARN level, skip what cannot start a wording, then a wording. The skip must
    # not give characters back (a failing WARN line would be retried at every position).
    # Python 3.11.0-3.11.4 match possessive quantifiers wrongly: there, a lookahead (atomic)
    # takes the longest skip once and for all, "(?=(?P<skip>...))(?P=skip)": the same
    # matches, about half as fast.
    if possessive:
        skip = rb"(?:[^\n%s]++|(?!%s)[%s])*+" % (stops, words, stops)
    else:
        skip = rb"(?=(?P<skip>(?:[^\n%s]|(?!%s)[%s])*))(?P=skip)" % (stops, words, stops)
    error_level = rb"(?:%s)%s" % (errors.encode(), _WS_BYTES)
    warn_level = rb"%s%s%s(?:%s)" % (warn.encode(), _WS_BYTES, skip, words)
    return re.compile(rb"\]%s+(?:%s|%s)" % (_WS_BYTES, error_level, warn_level))


#: Candidate failure lines in raw file data (confirm each with :func:`parse_line`).
FAILURE_CANDIDATES = _failure_candidates()


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class LogLine:
    """One parsed line; ``is_header`` is False for lines that continue the previous record."""

    text: str
    is_header: bool = False
    timestamp: str | None = None
    level: str | None = None
    connector: str | None = None
    task: int | None = None
    scope: str | None = None  # "worker", "task" or None
    subscope: str | None = None  # e.g. "offsets"
    worker_client: str | None = None
    group: str | None = None
    message: str = ""
    logger: str | None = None
    logger_line: int | None = None
    kind: Kind = Kind.OTHER
    thread: str | None = None

    @property
    def is_failure(self) -> bool:
        """A line worth jumping to: any ERROR, or a WARN about a failure or an offset commit."""
        if self.level in ("ERROR", "FATAL"):
            return True
        return self.level == "WARN" and self.kind in (Kind.FAILURE, Kind.OFFSET)

    @property
    def sort_key(self) -> str:
        """Timestamps of the Connect layout sort as text once normalised."""
        return self.timestamp or ""


@dataclass(frozen=True, slots=True)
class LogRecord:
    """A header line with the continuation lines it owns, tagged with its worker."""

    line: LogLine
    continuation: tuple[str, ...] = ()
    worker: str | None = None

    @property
    def text(self) -> str:
        return "\n".join((self.line.text, *self.continuation))


def normalise_timestamp(ts: str) -> str:
    """``2026-11-24T00:19:20.5`` -> ``2026-11-24 00:19:20,500`` so that text order is time order."""
    ts = ts.replace("T", " ", 1).replace(".", ",", 1)
    if "," not in ts:
        return ts + ",000"
    head, frac = ts.split(",", 1)
    return f"{head},{(frac + '000')[:3]}"


def normalise_level(level: str) -> str | None:
    upper = level.upper()
    upper = _LEVEL_ALIASES.get(upper, upper)
    return upper if upper in LEVELS else None


def is_continuation(text: str) -> bool:
    """True for stack frames, ``Caused by:``, ``... N more``, exception lines, indented or empty."""
    return _CONTINUATION.match(text) is not None and _HEADER.match(text) is None


def classify(message: str, level: str | None = None) -> Kind:
    """The kind of a message; failures win over everything else."""
    if _FAILURE.search(message):
        return Kind.FAILURE
    if _OFFSET.search(message):
        return Kind.OFFSET
    if _REBALANCE.search(message):
        return Kind.REBALANCE
    if _WORKER.search(message):
        return Kind.WORKER
    if _LIFECYCLE.search(message):
        return Kind.LIFECYCLE
    if level in ("ERROR", "FATAL"):
        return Kind.FAILURE
    return Kind.OTHER


def split_task_id(task_id: str) -> tuple[str, int | None]:
    """``demo-sink-0`` -> (``demo-sink``, 0); a name without a numeric suffix -> (name, None)."""
    task_id = task_id.strip().rstrip(".,:;")
    name, sep, number = task_id.rpartition("-")
    if sep and name and number.isdigit():
        return name, int(number)
    return task_id, None


_NOT_NAMES = frozenset(
    "has is of with the and to for in config configuration class plugin type state status name"
    " was will could failed threw instance".split()
)


def extract_ids(message: str, *, named: bool = True) -> tuple[str | None, int | None]:
    """Connector and task named in a message (``WorkerSinkTask{id=x-0}``, ``Starting task x-0``).

    ``named`` also accepts the ``connector X`` / ``task X-0`` wordings of lifecycle messages.
    """
    match = _TASK_ID.search(message)
    if match:
        ident = match.group("id")
        if match.group(0).startswith("WorkerConnector"):
            return ident, None
        return split_task_id(ident)
    match = _NAMED.search(message) if named else None
    if match:
        word = match.group(0).lower()
        ident = match.group("id")
        if word.startswith("task"):
            name, task = split_task_id(ident)
            return (name, task) if task is not None else (None, None)
        if ident.lower() not in _NOT_NAMES:
            return ident, None
    return None, None


def read_context(text: str) -> tuple[str | None, int | None, str | None, str | None, int]:
    """The ``[name|task-0|sub] `` connector context at the start of ``text``: connector,
    task, scope, subscope and where it ends (all None and 0 when there is none)."""
    context = _CONTEXT.match(text)
    if not context:
        return None, None, None, None, 0
    task = context.group("task")
    return (
        context.group("connector").strip() or None,
        int(task) if task is not None else None,
        "worker" if context.group("scope") == "worker" else "task",
        context.group("sub") or None,
        context.end(),
    )


def read_worker_prefix(message: str) -> tuple[str | None, str | None, str]:
    """``[Worker clientId=…, groupId=…] `` at the start of a message: client, group and the
    rest of the message (None, None and the message when there is none)."""
    prefix = _WORKER_PREFIX.match(message)
    if not prefix:
        return None, None, message
    return prefix.group("client"), prefix.group("group"), message[prefix.end() :]


def attribute(
    message: str, level: str | None, connector: str | None, task: int | None
) -> tuple[Kind, str | None, int | None]:
    """What a header means, and its connector and task: from the context when it named
    them, else from ids in the message (``WorkerSinkTask{id=name-0}``, "connector name")."""
    kind = classify(message, level)
    named = kind in (Kind.FAILURE, Kind.OFFSET, Kind.LIFECYCLE)
    if connector is None:
        connector, found_task = extract_ids(message, named=named)
        return kind, connector, found_task if task is None else task
    if task is None:
        found_name, found_task = extract_ids(message, named=named)
        if found_name == connector:
            task = found_task
    return kind, connector, task


def parse_line(text: str) -> LogLine:
    """Parse one line of the Connect layout; anything else becomes a non-header line."""
    text = text.rstrip("\r\n")
    match = _HEADER.match(text)
    if match is None:
        return LogLine(text=text, is_header=not is_continuation(text), message=text.strip())
    level = normalise_level(match.group("level"))
    if level is None:
        return LogLine(text=text, is_header=True, message=text.strip())
    rest = match.group("rest")
    connector, task, scope, subscope, end = read_context(rest)
    client, group, rest = read_worker_prefix(rest[end:])
    logger = None
    logger_line = None
    paren = rest.rfind(" (")
    tail = _LOGGER.match(rest, paren) if paren >= 0 else None
    if tail:
        logger = tail.group("logger")
        line_no = tail.group("line")
        logger_line = int(line_no) if line_no and line_no.isdigit() else None
        rest = rest[: tail.start()]
    message = rest.strip()
    kind, connector, task = attribute(message, level, connector, task)
    return LogLine(
        text=text,
        is_header=True,
        timestamp=normalise_timestamp(match.group("ts")),
        level=level,
        connector=connector,
        task=task,
        scope=scope,
        subscope=subscope,
        worker_client=client,
        group=group,
        message=message,
        logger=logger,
        logger_line=logger_line,
        kind=kind,
    )


def group_records(lines: Iterable[str], worker: str | None = None) -> Iterator[LogRecord]:
    """Group lines into records: continuation lines join the header line before them."""
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
