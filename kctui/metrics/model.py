"""Frozen snapshots of the Connect metrics of each worker, built from parsed MBean records.

A :class:`WorkerSnapshot` holds one worker's answer (or its error); a
:class:`MetricsSnapshot` holds all workers of one refresh and answers per connector and
per task, whichever worker runs it. Values are floats, strings, booleans or None (NaN,
infinities and unreadable values become None: "not available").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

Value = float | str | bool | None


@dataclass(frozen=True)
class MBeanRecord:
    """One attribute of one MBean, as jmxquery reported it (value already coerced)."""

    mbean: str
    attribute: str
    value: Value
    attribute_key: str | None = None


@dataclass(frozen=True)
class MetricGroup:
    """The attributes of one MBean; typed accessors live on the subclasses."""

    values: Mapping[str, Value] = field(default_factory=dict)

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None


class WorkerMetrics(MetricGroup):
    @property
    def connector_count(self) -> float | None:
        return self.number("connector-count")

    @property
    def task_count(self) -> float | None:
        return self.number("task-count")

    @property
    def connector_startup_failures(self) -> float | None:
        return self.number("connector-startup-failure-total")

    @property
    def task_startup_failures(self) -> float | None:
        return self.number("task-startup-failure-total")


class RebalanceMetrics(MetricGroup):
    @property
    def rebalancing(self) -> bool | None:
        value = self.values.get("rebalancing")
        if isinstance(value, bool):
            return value
        if isinstance(value, float):
            return value != 0.0
        return None

    @property
    def epoch(self) -> float | None:
        return self.number("epoch")

    @property
    def leader(self) -> str | None:
        return self.text("leader-name")

    @property
    def time_since_last_rebalance_ms(self) -> float | None:
        return self.number("time-since-last-rebalance-ms")


@dataclass(frozen=True)
class ConnectorMetrics(MetricGroup):
    name: str = ""
    task_counts: Mapping[str, Value] = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        return self.text("status")

    @property
    def type(self) -> str | None:
        return self.text("connector-type")

    def task_count(self, state: str) -> float | None:
        value = self.task_counts.get(f"connector-{state}-task-count")
        return float(value) if isinstance(value, int | float) else None


class SourceTaskMetrics(MetricGroup):
    @property
    def write_rate(self) -> float | None:
        return self.number("source-record-write-rate")

    @property
    def write_total(self) -> float | None:
        return self.number("source-record-write-total")


class SinkTaskMetrics(MetricGroup):
    @property
    def send_rate(self) -> float | None:
        return self.number("sink-record-send-rate")

    @property
    def read_rate(self) -> float | None:
        return self.number("sink-record-read-rate")

    @property
    def lag_max(self) -> float | None:
        return self.number("sink-record-lag-max")


class TaskErrorMetrics(MetricGroup):
    @property
    def record_errors(self) -> float | None:
        return self.number("total-record-errors")

    @property
    def dlq_requests(self) -> float | None:
        return self.number("deadletterqueue-produce-requests")

    @property
    def dlq_failures(self) -> float | None:
        return self.number("deadletterqueue-produce-failures")


@dataclass(frozen=True)
class TaskMetrics(MetricGroup):
    """One task's metrics on the worker that runs it (connector-task-metrics in ``values``)."""

    connector: str = ""
    task: int = -1
    worker: str = ""
    source: SourceTaskMetrics | None = None
    sink: SinkTaskMetrics | None = None
    errors: TaskErrorMetrics | None = None

    @property
    def status(self) -> str | None:
        return self.text("status")

    @property
    def running_ratio(self) -> float | None:
        return self.number("running-ratio")

    @property
    def throughput(self) -> float | None:
        """Records per second: written to Kafka (source) or put into the connector (sink)."""
        if self.sink is not None:
            return self.sink.send_rate
        if self.source is not None:
            return self.source.write_rate
        return None

    @property
    def lag(self) -> float | None:
        return self.sink.lag_max if self.sink is not None else None

    def value(self, name: str) -> float | None:
        """A numeric attribute of any of this task's groups."""
        for group in (self, self.source, self.sink, self.errors):
            if group is not None and group.number(name) is not None:
                return group.number(name)
        return None


@dataclass(frozen=True)
class ConnectorSummary:
    """Sums and maxima over a connector's tasks (None when no task reports the metric)."""

    name: str
    task_count: int
    throughput: float | None
    lag: float | None
    record_errors: float | None
    dlq_requests: float | None
    dlq_failures: float | None


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _max(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class WorkerSnapshot:
    """One worker's metrics from one read of one source, or the reason it has none."""

    worker: str
    url: str
    fetched_at: float
    elapsed: float = 0.0
    error: str | None = None
    worker_metrics: WorkerMetrics | None = None
    rebalance: RebalanceMetrics | None = None
    connectors: Mapping[str, ConnectorMetrics] = field(default_factory=dict)
    tasks: Mapping[tuple[str, int], TaskMetrics] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    source: str = "jmx"  # jmx | prometheus | jolokia: where these values were read
    detail: str = ""  # how the source was read (the Prometheus preset), not a problem

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class MetricsSnapshot:
    """All workers of one refresh."""

    workers: tuple[WorkerSnapshot, ...]
    fetched_at: float = 0.0
    sink_lag: Mapping[str, int] = field(default_factory=dict)  # from Kafka, when configured
    lag_error: str | None = None

    def lag_of(self, connector: str) -> float | None:
        """Records behind: consumer-group lag from Kafka, else the tasks' sink-record-lag-max."""
        if connector in self.sink_lag:
            return float(self.sink_lag[connector])
        return _max(t.lag for t in self.tasks_of(connector))

    @property
    def failed_workers(self) -> tuple[WorkerSnapshot, ...]:
        return tuple(w for w in self.workers if w.error is not None)

    @property
    def available(self) -> bool:
        return any(w.ok for w in self.workers)

    def tasks_of(self, connector: str) -> tuple[TaskMetrics, ...]:
        """The connector's tasks by id; a task on two workers (rebalance) keeps the running one."""
        return self._tasks_by_connector.get(connector, ())

    @cached_property
    def _tasks_by_connector(self) -> dict[str, tuple[TaskMetrics, ...]]:
        """Every connector's tasks, indexed once (the health of every row asks for them)."""
        found: dict[str, dict[int, TaskMetrics]] = {}
        for worker in self.workers:
            for (name, task_id), task in worker.tasks.items():
                tasks = found.setdefault(name, {})
                seen = tasks.get(task_id)
                if seen is None or (seen.status != "running" and task.status == "running"):
                    tasks[task_id] = task
        return {name: tuple(tasks[k] for k in sorted(tasks)) for name, tasks in found.items()}

    def task(self, connector: str, task_id: int) -> TaskMetrics | None:
        for task in self.tasks_of(connector):
            if task.task == task_id:
                return task
        return None

    def connector(self, name: str) -> ConnectorMetrics | None:
        """The connector's MBeans merged over workers: its status lives on the worker that
        runs it, its task counts (connect-worker-metrics) may come from another one."""
        found = [w.connectors[name] for w in self.workers if name in w.connectors]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        values: dict[str, Value] = {}
        counts: dict[str, Value] = {}
        for metrics in found:
            values.update({k: v for k, v in metrics.values.items() if v is not None})
            counts.update({k: v for k, v in metrics.task_counts.items() if v is not None})
        return ConnectorMetrics(values=values, name=name, task_counts=counts)

    @property
    def connector_names(self) -> tuple[str, ...]:
        names: set[str] = set()
        for worker in self.workers:
            names.update(worker.connectors)
            names.update(name for name, _ in worker.tasks)
        return tuple(sorted(names))

    def summary(self, connector: str) -> ConnectorSummary:
        tasks = self.tasks_of(connector)
        errors = [t.errors for t in tasks if t.errors is not None]
        return ConnectorSummary(
            name=connector,
            task_count=len(tasks),
            throughput=_sum(t.throughput for t in tasks),
            lag=self.lag_of(connector),
            record_errors=_sum(e.record_errors for e in errors),
            dlq_requests=_sum(e.dlq_requests for e in errors),
            dlq_failures=_sum(e.dlq_failures for e in errors),
        )
