"""The Kafka Connect MBeans kctui reads, with what each attribute means and its unit.

MBean names look like ``kafka.connect:type=<group>[,connector=<c>][,task=<n>]``. One
wildcard pattern per group is sent in a single jmxquery call per worker
(:func:`query_patterns`), so a refresh costs one JVM start whatever the cluster size.
"""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "kafka.connect"

WORKER = "connect-worker-metrics"
REBALANCE = "connect-worker-rebalance-metrics"
CONNECTOR = "connector-metrics"
TASK = "connector-task-metrics"
SOURCE_TASK = "source-task-metrics"
SINK_TASK = "sink-task-metrics"
TASK_ERRORS = "task-error-metrics"

GROUPS: tuple[str, ...] = (WORKER, REBALANCE, CONNECTOR, TASK, SOURCE_TASK, SINK_TASK, TASK_ERRORS)


@dataclass(frozen=True)
class Attribute:
    """One MBean attribute: its group, name, unit and meaning in words."""

    group: str
    name: str
    unit: str
    meaning: str
    kind: str = "number"  # number | string | boolean

    @property
    def is_number(self) -> bool:
        return self.kind == "number"


def _a(group: str, name: str, unit: str, meaning: str, kind: str = "number") -> Attribute:
    return Attribute(group, name, unit, meaning, kind)


_STARTUP = [
    (f"{what}-startup-{stat}", unit, f"{what} starts {text}")
    for what in ("connector", "task")
    for stat, unit, text in (
        ("attempts-total", "count", "attempted on this worker"),
        ("success-total", "count", "that succeeded"),
        ("success-percentage", "ratio", "that succeeded, as a fraction"),
        ("failure-total", "count", "that failed"),
        ("failure-percentage", "ratio", "that failed, as a fraction"),
    )
]

ATTRIBUTES: tuple[Attribute, ...] = (
    _a(WORKER, "connector-count", "count", "connectors run by this worker"),
    _a(WORKER, "task-count", "count", "tasks run by this worker"),
    *(_a(WORKER, name, unit, text) for name, unit, text in _STARTUP),
    *(
        _a(WORKER, f"connector-{state}-task-count", "count", f"tasks of the connector {state}")
        for state in (
            "total",
            "running",
            "paused",
            "failed",
            "unassigned",
            "destroyed",
            "restarting",
        )
    ),
    _a(REBALANCE, "connect-protocol", "", "Connect protocol in use", "string"),
    _a(REBALANCE, "leader-name", "", "URL of the group leader", "string"),
    _a(REBALANCE, "epoch", "count", "epoch (generation) of the group"),
    _a(REBALANCE, "completed-rebalances-total", "count", "rebalances completed by this worker"),
    _a(REBALANCE, "rebalancing", "", "whether the worker is rebalancing now", "boolean"),
    _a(REBALANCE, "rebalance-max-time-ms", "ms", "longest rebalance"),
    _a(REBALANCE, "rebalance-avg-time-ms", "ms", "average rebalance time"),
    _a(REBALANCE, "time-since-last-rebalance-ms", "ms", "time since the last rebalance"),
    _a(CONNECTOR, "status", "", "connector state on this worker", "string"),
    _a(CONNECTOR, "connector-type", "", "source or sink", "string"),
    _a(CONNECTOR, "connector-class", "", "connector class", "string"),
    _a(CONNECTOR, "connector-version", "", "connector plugin version", "string"),
    _a(TASK, "status", "", "task state", "string"),
    _a(TASK, "running-ratio", "ratio", "fraction of time the task spent running"),
    _a(TASK, "pause-ratio", "ratio", "fraction of time the task spent paused"),
    _a(TASK, "offset-commit-max-time-ms", "ms", "longest offset commit"),
    _a(TASK, "offset-commit-avg-time-ms", "ms", "average offset commit time"),
    _a(TASK, "batch-size-max", "records", "largest batch"),
    _a(TASK, "batch-size-avg", "records", "average batch size"),
    _a(TASK, "offset-commit-failure-percentage", "ratio", "offset commits that failed"),
    _a(TASK, "offset-commit-success-percentage", "ratio", "offset commits that succeeded"),
    _a(SOURCE_TASK, "source-record-poll-rate", "records/s", "records polled from the source"),
    _a(SOURCE_TASK, "source-record-poll-total", "records", "records polled from the source"),
    _a(SOURCE_TASK, "source-record-write-rate", "records/s", "records written to Kafka"),
    _a(SOURCE_TASK, "source-record-write-total", "records", "records written to Kafka"),
    _a(SOURCE_TASK, "poll-batch-max-time-ms", "ms", "longest poll of a batch"),
    _a(SOURCE_TASK, "poll-batch-avg-time-ms", "ms", "average poll of a batch"),
    _a(SOURCE_TASK, "source-record-active-count", "records", "records polled, not yet acked"),
    _a(SOURCE_TASK, "source-record-active-count-max", "records", "most records not yet acked"),
    _a(SOURCE_TASK, "source-record-active-count-avg", "records", "average records not yet acked"),
    _a(SINK_TASK, "sink-record-read-rate", "records/s", "records read from Kafka"),
    _a(SINK_TASK, "sink-record-read-total", "records", "records read from Kafka"),
    _a(SINK_TASK, "sink-record-send-rate", "records/s", "records put into the connector"),
    _a(SINK_TASK, "sink-record-send-total", "records", "records put into the connector"),
    _a(SINK_TASK, "sink-record-lag-max", "records", "largest lag behind the log end"),
    _a(SINK_TASK, "partition-count", "count", "topic partitions assigned"),
    _a(SINK_TASK, "offset-commit-completion-rate", "commits/s", "offset commits completed"),
    _a(SINK_TASK, "offset-commit-completion-total", "commits", "offset commits completed"),
    _a(SINK_TASK, "offset-commit-skip-rate", "commits/s", "offset commits skipped"),
    _a(SINK_TASK, "offset-commit-skip-total", "commits", "offset commits skipped"),
    _a(SINK_TASK, "put-batch-max-time-ms", "ms", "longest put of a batch"),
    _a(SINK_TASK, "put-batch-avg-time-ms", "ms", "average put of a batch"),
    _a(TASK_ERRORS, "total-record-failures", "count", "record processing attempts that failed"),
    _a(TASK_ERRORS, "total-record-errors", "count", "records that failed after retries"),
    _a(TASK_ERRORS, "total-records-skipped", "count", "records skipped because of errors"),
    _a(TASK_ERRORS, "total-retries", "count", "retried operations"),
    _a(TASK_ERRORS, "total-errors-logged", "count", "errors written to the log"),
    _a(TASK_ERRORS, "deadletterqueue-produce-requests", "count", "records sent to the DLQ"),
    _a(TASK_ERRORS, "deadletterqueue-produce-failures", "count", "failed writes to the DLQ"),
    _a(TASK_ERRORS, "last-error-timestamp", "epoch ms", "time of the last error"),
)

_BY_KEY: dict[tuple[str, str], Attribute] = {(a.group, a.name): a for a in ATTRIBUTES}


def attribute(group: str, name: str) -> Attribute | None:
    """The catalog entry of ``name`` in ``group``; None for attributes kctui does not know."""
    return _BY_KEY.get((group, name))


def is_string(group: str, name: str) -> bool:
    entry = attribute(group, name)
    return entry is not None and entry.kind == "string"


_QUOTE_NEEDED = set(',=:"*?\n')


def quote_value(value: str) -> str:
    """An MBean key value as Kafka's JmxReporter writes it (quoted when it must be)."""
    if not any(ch in _QUOTE_NEEDED for ch in value):
        return value
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("*", "\\*")
        .replace("?", "\\?")
        .replace("\n", "\\n")
    )
    return f'"{escaped}"'


def query_patterns(
    groups: tuple[str, ...] = GROUPS, connector: str | None = None
) -> tuple[str, ...]:
    """MBean patterns for one batched query: ``kafka.connect:type=<group>,*`` per group.

    With ``connector``, only that connector's MBeans (plus the worker-level and
    rebalance MBeans), so a refresh of one connector's pane costs the same whatever the
    cluster size.
    """
    if connector is None or any(ch in connector for ch in "/;"):
        # jmxquery splits its query on ";" and "/": such a name cannot be asked for alone.
        return tuple(f"{DOMAIN}:type={group},*" for group in groups)
    name = quote_value(connector)
    patterns = []
    for group in groups:
        if group == WORKER:
            patterns += [f"{DOMAIN}:type={WORKER}", f"{DOMAIN}:type={WORKER},connector={name}"]
        elif group == REBALANCE:
            patterns.append(f"{DOMAIN}:type={REBALANCE},*")
        elif group == CONNECTOR:
            patterns.append(f"{DOMAIN}:type={CONNECTOR},connector={name}")
        else:
            patterns.append(f"{DOMAIN}:type={group},connector={name},*")
    return tuple(patterns)
