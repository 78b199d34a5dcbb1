"""What Kafka Connect worker log lines mean (pure: no I/O, never raises).

A worker writes, in Apache Kafka's default layout ``[%d] %p %X{connector.context}%m (%c:%L)%n``::

    [2026-11-24 00:19:20,123] ERROR [demo-sink|task-0] WorkerSinkTask{id=demo-sink-0} Task threw
    an uncaught and unrecoverable exception. (org.apache.kafka.connect.runtime.WorkerTask:234)

A *record* is a header line plus its continuation lines (stack trace, ``Caused by:``,
``... N more``, indented config dumps). The layouts (:mod:`kctui.logs.layouts`) cut a header
into its parts; :func:`build_line` turns those into a :class:`LogLine` classified into a
:class:`Kind`, with its connector and task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

LEVELS: tuple[str, ...] = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
LEVEL_ALIASES = {"WARNING": "WARN", "ERR": "ERROR", "CRITICAL": "FATAL", "SEVERE": "ERROR"}


class Kind(StrEnum):
    """What a line means for someone troubleshooting Connect."""

    FAILURE = "failure"  # a task or connector failed (or an ERROR line)
    OFFSET = "offset"  # offset commit problems
    REBALANCE = "rebalance"
    WORKER = "worker"  # worker start / stop
    LIFECYCLE = "lifecycle"  # connector and task startup, stop
    OTHER = "other"


# ----------------------------------------------------------------------------- layout

_CONTEXT = re.compile(
    r"\[(?P<connector>[^|\]\n]+)\|(?P<scope>worker|task-(?P<task>\d+))(?:\|(?P<sub>[^\]\n]*))?\]\s?"
)
#: The same shape without its names, for a grammar to embed (``%X{connector.context}``).
CONTEXT_SHAPE = re.sub(r"\(\?P<\w+>", "(?:", _CONTEXT.pattern)
_WORKER_PREFIX = re.compile(
    r"\[Worker clientId=(?P<client>[^,\]]*), groupId=(?P<group>[^\]]*)\]\s?"
)
_TASK_ID = re.compile(
    r"\b(?:WorkerSinkTask|WorkerSourceTask|ExactlyOnceWorkerSourceTask|AbstractWorkerSourceTask"
    r"|WorkerTask|WorkerConnector)\{id=(?P<id>[^}]+)\}"
)
_NAMED = re.compile(
    r"\b(?:[Cc]onnector|[Tt]ask)s? '?(?P<id>[A-Za-z0-9][\w.\-]*[\w])'?(?=[\s.,:;)']|$)"
)
CONTINUATION = re.compile(
    r"(?:[\t ]|Caused by:|Suppressed:|\.\.\. \d+ (?:more|common frames omitted)"
    r"|[\w$]+(?:\.[\w$]+)+(?:Exception|Error|Throwable)\b|$)"
)

# ----------------------------------------------------------------------------- wordings

FAILURE_WORDS = (
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
OFFSET_WORDS = (
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


_FAILURE = _words(FAILURE_WORDS)
_OFFSET = _words(OFFSET_WORDS)
_REBALANCE = _words(_REBALANCE_WORDS)
_WORKER = _words(_WORKER_WORDS)
_LIFECYCLE = _words(_LIFECYCLE_WORDS)

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
    upper = LEVEL_ALIASES.get(upper, upper)
    return upper if upper in LEVELS else None


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


def build_line(
    text: str,
    *,
    timestamp: str | None,
    level: str | None,
    context: str | None,
    message: str,
    logger: str | None = None,
    logger_line: int | None = None,
    thread: str | None = None,
) -> LogLine:
    """The one way a header becomes a :class:`LogLine`, whatever its layout: the connector
    context and the worker prefix read, the message classified, its connector and task found.

    ``text`` is what is shown; ``timestamp`` and ``level`` are normalised; ``context`` is the
    ``connector.context`` MDC (``[name|task-0] ``) when the layout writes it.
    """
    connector, task, scope, subscope, _ = read_context(context or "")
    message = message.strip()
    client, group, rest = read_worker_prefix(message)
    if client is not None or group is not None:
        message = rest.strip()
    kind, connector, task = attribute(message, level, connector, task)
    return LogLine(
        text=text,
        is_header=True,
        timestamp=timestamp,
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
        thread=thread,
    )
