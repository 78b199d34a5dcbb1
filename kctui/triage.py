"""The triage report: everything unhealthy in one document an operator can paste into a ticket.

Pure: :func:`build_report` takes what was gathered (cluster state, metrics, DLQ counts,
log lines) and returns a frozen :class:`TriageReport`; ``render_text``,
``render_markdown`` and ``render_json`` format it. Gathering lives in
``kctui.commands.triage``. Traces, log lines and configs are masked with
``kctui.masking`` before they enter the report.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kctui.connect.models import FAILED, ClusterState, Connector, first_line
from kctui.diagnose import Diagnosis, Rule, diagnose, diagnosis_lines
from kctui.health import Health, rollup_with_metrics
from kctui.masking import mask_config, mask_text
from kctui.metrics.model import MetricsSnapshot
from kctui.traces import parse_trace

TRACE_LINES = 6


@dataclass(frozen=True)
class TaskFailure:
    task: int
    worker: str
    exception: str  # first line of the trace
    trace_head: tuple[str, ...]  # the first TRACE_LINES lines
    summary: tuple[str, ...] = ()  # "error: ..." / "root cause: ..." (kctui.traces)
    diagnosis: Diagnosis | None = None  # what this failure usually means (kctui.diagnose)


@dataclass(frozen=True)
class DlqCount:
    """A DLQ topic's size and its newest records counted by exception class."""

    topic: str
    total: int = 0
    sampled: int = 0
    by_exception: tuple[tuple[str, int], ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class Finding:
    """One connector worth a look, with everything known about why."""

    name: str
    type: str
    state: str
    health: Health
    reason: str
    connector_trace: tuple[str, ...] = ()
    connector_summary: tuple[str, ...] = ()  # "error: ..." / "root cause: ..."
    connector_diagnosis: Diagnosis | None = None
    failed_tasks: tuple[TaskFailure, ...] = ()
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    dlq: DlqCount | None = None
    log_lines: tuple[str, ...] = ()
    config: Mapping[str, str] = field(default_factory=dict)

    @property
    def unhealthy(self) -> bool:
        return self.health.is_problem


@dataclass(frozen=True)
class TriageReport:
    cluster: str
    generated_at: float
    health_counts: Mapping[str, int]
    task_counts: Mapping[str, int]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()  # JMX workers that did not answer, unreadable DLQs...

    @property
    def unhealthy(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.unhealthy)

    @property
    def exit_code(self) -> int:
        """1 when a connector is UNHEALTHY, DEGRADED or UNASSIGNED, else 0."""
        return 1 if self.unhealthy else 0


def _trace_lines(trace: str | None) -> tuple[str, ...]:
    if not trace:
        return ()
    lines = [mask_text(line.rstrip()) for line in trace.strip().splitlines() if line.strip()]
    return tuple(lines[:TRACE_LINES])


def _trace_summary(trace: str | None) -> tuple[str, ...]:
    """The trace's error and root cause lines (class-less causes too), masked."""
    return tuple(mask_text(str(line)) for line in parse_trace(trace).summary())


def _failures(connector: Connector, rules: Sequence[Rule] | None) -> tuple[TaskFailure, ...]:
    return tuple(
        TaskFailure(
            task=t.id,
            worker=t.worker_id,
            exception=mask_text(first_line(t.trace)),
            trace_head=_trace_lines(t.trace),
            summary=_trace_summary(t.trace),
            diagnosis=diagnose(
                t.trace, connector_class=connector.info.connector_class, rules=rules
            ),
        )
        for t in connector.tasks
        if t.state == FAILED
    )


def _metrics_of(name: str, metrics: MetricsSnapshot | None) -> dict[str, float | None]:
    if metrics is None or (not metrics.tasks_of(name) and name not in metrics.sink_lag):
        return {}
    summary = metrics.summary(name)
    return {
        "throughput_per_s": summary.throughput,
        "lag": summary.lag,
        "record_errors": summary.record_errors,
        "dlq_produce_requests": summary.dlq_requests,
        "dlq_produce_failures": summary.dlq_failures,
    }


def worker_notes(metrics: MetricsSnapshot | None) -> list[str]:
    """Worker-level signs from JMX: a rebalance under way, startup failures."""
    notes: list[str] = []
    for worker in metrics.workers if metrics is not None else ():
        if worker.rebalance is not None and worker.rebalance.rebalancing:
            notes.append(f"worker {worker.worker} is rebalancing now")
        wm = worker.worker_metrics
        if wm is None:
            continue
        failures = [
            f"{int(count)} {what} startup failures"
            for what, count in (
                ("connector", wm.connector_startup_failures),
                ("task", wm.task_startup_failures),
            )
            if count
        ]
        if failures:
            notes.append(f"worker {worker.worker}: {', '.join(failures)} since it started")
    return notes


def build_report(
    cluster: str,
    state: ClusterState,
    *,
    metrics: MetricsSnapshot | None = None,
    previous: MetricsSnapshot | None = None,
    lag_threshold: int = 10_000,
    dlq_counts: Mapping[str, DlqCount] | None = None,
    log_lines: Mapping[str, Sequence[str]] | None = None,
    notes: Sequence[str] = (),
    now: float | None = None,
    rules: Sequence[Rule] | None = None,
) -> TriageReport:
    """Unhealthy connectors first (worst first), then healthy ones that dropped records.

    ``dlq_counts`` and ``log_lines`` are keyed by connector name; ``rules`` diagnose the
    traces (the command's, the shipped ones when None).
    """
    dlq_counts = dlq_counts or {}
    log_lines = log_lines or {}
    findings = []
    health_counter: Counter[Health] = Counter()
    for connector in state.connectors.values():
        verdict = rollup_with_metrics(
            connector, metrics, previous=previous, lag_threshold=lag_threshold
        )
        health_counter[verdict.health] += 1
        numbers = _metrics_of(connector.name, metrics)
        dlq = dlq_counts.get(connector.name)
        dropped = bool(numbers.get("record_errors")) or bool(dlq is not None and dlq.total)
        if not verdict.health.is_problem and not dropped:
            continue
        reason = verdict.reason
        if not verdict.health.is_problem:
            failed = numbers.get("record_errors") or (dlq.total if dlq is not None else 0)
            reason += f", but {int(failed or 0):,} records failed (errors tolerated)"
        findings.append(
            Finding(
                name=connector.name,
                type=connector.type,
                state=connector.state,
                health=verdict.health,
                reason=mask_text(reason),
                connector_trace=_trace_lines(connector.status.trace),
                connector_summary=_trace_summary(connector.status.trace),
                connector_diagnosis=diagnose(
                    connector.status.trace,
                    connector_class=connector.info.connector_class,
                    rules=rules,
                ),
                failed_tasks=_failures(connector, rules),
                metrics=numbers,
                dlq=dlq,
                log_lines=tuple(mask_text(line) for line in log_lines.get(connector.name, ())),
                config=mask_config(dict(connector.config)),
            )
        )
    findings.sort(key=lambda f: (not f.unhealthy, f.health.rank, f.name))
    tasks = Counter(t.state for c in state.connectors.values() for t in c.tasks)
    return TriageReport(
        cluster=cluster,
        generated_at=time.time() if now is None else now,
        health_counts={h.value: health_counter[h] for h in Health if health_counter[h]},
        task_counts=dict(sorted(tasks.items())),
        findings=tuple(findings),
        notes=(*notes, *worker_notes(metrics)),
    )


# --------------------------------------------------------------------------- rendering


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    text = (
        f"{value:,.1f}"
        if abs(value - round(value)) > 1e-9 and abs(value) < 1000
        else (f"{int(round(value)):,}")
    )
    return text + unit


def metrics_line(metrics: Mapping[str, float | None]) -> str:
    if not metrics:
        return "no metrics (JMX not configured or the worker did not answer)"
    return (
        f"lag {_number(metrics.get('lag'))}, throughput "
        f"{_number(metrics.get('throughput_per_s'), ' rec/s')}, record errors "
        f"{_number(metrics.get('record_errors'))}, DLQ produce requests "
        f"{_number(metrics.get('dlq_produce_requests'))} (failures "
        f"{_number(metrics.get('dlq_produce_failures'))})"
    )


def dlq_line(dlq: DlqCount) -> str:
    if dlq.error:
        return f"DLQ {dlq.topic}: {dlq.error}"
    classes = ", ".join(f"{name} x{count}" for name, count in dlq.by_exception) or "none"
    sample = "" if dlq.sampled >= dlq.total else f" (newest {dlq.sampled:,} read)"
    return f"DLQ {dlq.topic}: {dlq.total:,} records; by exception{sample}: {classes}"


def _when(report: TriageReport) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(report.generated_at))


def _summary(report: TriageReport) -> str:
    health = ", ".join(f"{n} {h}" for h, n in report.health_counts.items()) or "no connectors"
    tasks = ", ".join(f"{n} {s}" for s, n in report.task_counts.items()) or "none"
    return f"connectors: {health}; tasks: {tasks}"


def _diagnosis_lines(found: Diagnosis | None, prefix: str) -> list[str]:
    return [prefix + line for line in diagnosis_lines(found)] if found else []


def _diagnosis_json(found: Diagnosis | None) -> dict[str, str | None] | None:
    return found.to_json() if found else None


def render_text(report: TriageReport) -> str:
    out = [f"kctui triage: cluster {report.cluster} at {_when(report)}", _summary(report)]
    out += [f"note: {note}" for note in report.notes]
    if not report.findings:
        out.append("")
        out.append("nothing unhealthy")
    for finding in report.findings:
        label = finding.health.value if finding.unhealthy else "RECORD ERRORS"
        out.append("")
        out.append(f"{label} {finding.name} ({finding.type}, {finding.state})")
        out.append(f"  reason: {finding.reason}")
        if finding.connector_trace:
            out.append("  connector trace:")
            out += _diagnosis_lines(finding.connector_diagnosis, "    ")
            out += [f"    {line}" for line in finding.connector_summary]
            out += [f"    {line}" for line in finding.connector_trace]
        for task in finding.failed_tasks:
            out.append(f"  task {task.task} FAILED on {task.worker or '?'}:")
            out += _diagnosis_lines(task.diagnosis, "    ")
            out += [f"    {line}" for line in task.summary]
            out += [f"    {line}" for line in task.trace_head]
        out.append(f"  metrics: {metrics_line(finding.metrics)}")
        if finding.dlq is not None:
            out.append(f"  {dlq_line(finding.dlq)}")
        if finding.log_lines:
            out.append(f"  recent failure lines in the logs ({len(finding.log_lines)}):")
            out += [f"    {line}" for line in finding.log_lines]
    return "\n".join(out)


def render_markdown(report: TriageReport) -> str:
    out = [f"# Triage of `{report.cluster}`", "", f"_{_when(report)}_ — {_summary(report)}", ""]
    out += [f"> {note}" for note in report.notes]
    if not report.findings:
        out.append("Nothing unhealthy.")
    for finding in report.findings:
        label = finding.health.value if finding.unhealthy else "RECORD ERRORS"
        out += ["", f"## {label}: `{finding.name}`", ""]
        out.append(f"- **type / state:** {finding.type} / {finding.state}")
        out.append(f"- **reason:** {finding.reason}")
        out.append(f"- **metrics:** {metrics_line(finding.metrics)}")
        if finding.dlq is not None:
            out.append(f"- **{dlq_line(finding.dlq)}**")
        if finding.connector_trace:
            out += ["", "Connector trace:", ""]
            out += _diagnosis_lines(finding.connector_diagnosis, "> ")
            out += [f"- {line}" for line in finding.connector_summary]
            out += ["", "```", *finding.connector_trace, "```"]
        for task in finding.failed_tasks:
            out += ["", f"Task {task.task} FAILED on `{task.worker or '?'}`:", ""]
            out += _diagnosis_lines(task.diagnosis, "> ")
            out += [f"- {line}" for line in task.summary]
            out += ["", "```", *task.trace_head, "```"]
        if finding.log_lines:
            out += ["", "Recent failure lines in the logs:", "", "```", *finding.log_lines, "```"]
    return "\n".join(out) + "\n"


def render_json(report: TriageReport) -> dict[str, Any]:
    return {
        "cluster": report.cluster,
        "generated_at": report.generated_at,
        "summary": {"health": dict(report.health_counts), "tasks": dict(report.task_counts)},
        "notes": list(report.notes),
        "unhealthy": len(report.unhealthy),
        "findings": [
            {
                "name": f.name,
                "type": f.type,
                "state": f.state,
                "health": f.health.value,
                "unhealthy": f.unhealthy,
                "reason": f.reason,
                "connector_trace": list(f.connector_trace),
                "connector_trace_summary": list(f.connector_summary),
                "connector_diagnosis": _diagnosis_json(f.connector_diagnosis),
                "failed_tasks": [
                    {
                        "task": t.task,
                        "worker": t.worker,
                        "exception": t.exception,
                        "trace": list(t.trace_head),
                        "trace_summary": list(t.summary),
                        "diagnosis": _diagnosis_json(t.diagnosis),
                    }
                    for t in f.failed_tasks
                ],
                "metrics": dict(f.metrics),
                "dlq": None
                if f.dlq is None
                else {
                    "topic": f.dlq.topic,
                    "total": f.dlq.total,
                    "sampled": f.dlq.sampled,
                    "by_exception": dict(f.dlq.by_exception),
                    "error": f.dlq.error,
                },
                "log_lines": list(f.log_lines),
                "config": dict(f.config),
            }
            for f in report.findings
        ],
    }
