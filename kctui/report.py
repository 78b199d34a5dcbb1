"""Headless output: the connector table and a connector's description, as text or JSON.

Pure functions over the frozen models, small enough to be reused (triage reports,
Markdown). Colours are ANSI escapes, used only when the caller says so (a TTY).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kctui.connect.models import ClusterState, Connector, ServerInfo
from kctui.diagnose import Diagnosis, Rule, diagnosis_json, diagnosis_lines
from kctui.health import Health, rollup
from kctui.masking import mask_config, mask_text, masked_keys
from kctui.rows import ConnectorRow
from kctui.traces import parse_trace

ANSI_RESET = "\x1b[0m"
HEALTH_ANSI = {
    Health.UNHEALTHY: "\x1b[1;31m",
    Health.DEGRADED: "\x1b[33m",
    Health.RESTARTING: "\x1b[36m",
    Health.UNASSIGNED: "\x1b[35m",
    Health.PAUSED: "\x1b[2m",
    Health.STOPPED: "\x1b[2m",
    Health.HEALTHY: "\x1b[32m",
}
STATE_HEALTH = {
    "FAILED": Health.UNHEALTHY,
    "RUNNING": Health.HEALTHY,
    "PAUSED": Health.PAUSED,
    "STOPPED": Health.STOPPED,
    "RESTARTING": Health.RESTARTING,
    "UNASSIGNED": Health.UNASSIGNED,
}


def paint(text: str, health: Health | None, color: bool) -> str:
    """``text`` in the colour of ``health`` when ``color`` is on."""
    if not color or health is None:
        return text
    return f"{HEALTH_ANSI[health]}{text}{ANSI_RESET}"


# --------------------------------------------------------------------------- the table


def exit_code(rows: Iterable[ConnectorRow]) -> int:
    """1 when any connector is UNHEALTHY, DEGRADED or UNASSIGNED, else 0 (for scripts)."""
    return 1 if any(row.health.is_problem for row in rows) else 0


def health_counts(rows: Iterable[ConnectorRow]) -> dict[str, int]:
    """Connectors per health value, in health order, zero counts left out."""
    counts = Counter(row.health for row in rows)
    return {h.value: counts[h] for h in Health if counts[h]}


def task_counts(state: ClusterState) -> dict[str, int]:
    counts = Counter(t.state for c in state.connectors.values() for t in c.tasks)
    return dict(sorted(counts.items()))


def status_json(
    state: ClusterState,
    rows: Sequence[ConnectorRow],
    *,
    cluster: str,
    server: ServerInfo | None,
    worker_health: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """The ``kctui status --json`` document; ``workers`` holds each worker's own health
    (:class:`kctui.connect.worker_health.WorkerHealth`) when it was asked, else its id."""
    workers: list[Any] = list(state.workers)
    if worker_health is not None:
        workers = [{**h.to_json(), "id": h.address} for h in worker_health]
    return {
        "cluster": cluster,
        "worker_url": state.worker_url,
        "kafka_version": str(server.version) if server else None,
        "fetched_at": state.fetched_at,
        "workers": workers,
        "summary": {
            "connectors": len(rows),
            "health": health_counts(rows),
            "tasks": task_counts(state),
        },
        "connectors": [row.to_json() for row in rows],
    }


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: a CJK character or an emoji takes two, an accent none."""
    from rich.cells import cell_len  # rich is loaded only when a table is drawn

    return cell_len(text)


def pad(text: str, width: int) -> str:
    """``text`` and spaces up to ``width`` terminal cells (``str.ljust`` counts characters)."""
    return text + " " * (width - cell_width(text))


def _fit(text: str, width: int | None) -> str:
    if width is None or cell_width(text) <= width:
        return text
    from rich.cells import set_cell_size

    return set_cell_size(text, max(width - 1, 0)).rstrip() + "…"


def render_table(
    headers: Sequence[str],
    lines: Sequence[Sequence[str]],
    *,
    colors: Sequence[Health | None] = (),
    color: bool = False,
    width: int | None = None,
) -> str:
    """A plain aligned table; the last column is cut to ``width`` when one is given."""
    widths = [cell_width(h) for h in headers]
    for line in lines:
        for i, cell in enumerate(line[:-1]):
            widths[i] = max(widths[i], cell_width(cell))
    last_room = None if width is None else max(width - sum(w + 2 for w in widths[:-1]), 10)

    def join(cells: Sequence[str], health: Health | None) -> str:
        parts = [pad(cell, widths[i]) for i, cell in enumerate(cells[:-1])]
        text = "  ".join(parts + [_fit(cells[-1], last_room)]).rstrip()
        return paint(text, health, color)

    out = [join(headers, None)]
    for i, line in enumerate(lines):
        out.append(join(line, colors[i] if i < len(colors) else None))
    return "\n".join(out)


def status_text(
    state: ClusterState,
    rows: Sequence[ConnectorRow],
    *,
    cluster: str,
    server: ServerInfo | None,
    color: bool = False,
    width: int | None = None,
) -> str:
    """The ``kctui status`` output: a one-line summary and the connector table."""
    version = f"Kafka {server.version}, " if server else ""
    counts = ", ".join(f"{n} {h}" for h, n in health_counts(rows).items()) or "none"
    tasks = ", ".join(f"{n} {s}" for s, n in task_counts(state).items()) or "none"
    header = (
        f"cluster {cluster} ({version}{len(state.workers)} workers, via {state.worker_url}): "
        f"{len(rows)} connectors ({counts}); tasks: {tasks}"
    )
    if not rows:
        return header + "\nno connectors"
    lines: list[tuple[str, ...]] = [
        (
            row.name,
            row.type,
            row.state,
            f"{row.tasks_running}/{row.tasks_total}",
            str(row.tasks_failed),
            ",".join(row.workers) or "-",
            row.health.value,
            row.reason,
        )
        for row in rows
    ]
    headers: tuple[str, ...] = (
        "NAME", "TYPE", "STATE", "TASKS", "FAILED", "WORKERS", "HEALTH", "REASON"
    )  # fmt: skip
    if width is not None and _reason_room(headers, lines, width) < MIN_REASON_WIDTH:
        workers = headers.index("WORKERS")  # the first to go on a narrow terminal
        headers = headers[:workers] + headers[workers + 1 :]
        lines = [line[:workers] + line[workers + 1 :] for line in lines]
    table = render_table(headers, lines, colors=[r.health for r in rows], color=color, width=width)
    return header + "\n" + table


MIN_REASON_WIDTH = 40


def _reason_room(headers: Sequence[str], lines: Sequence[Sequence[str]], width: int) -> int:
    """Characters left for the last column of a table of these cells."""
    used = 0
    for i in range(len(headers) - 1):
        used += max(cell_width(headers[i]), *(cell_width(line[i]) for line in lines)) + 2
    return width - used


# --------------------------------------------------------------------------- describe


@dataclass(frozen=True)
class TransformStep:
    """One SMT of the ``transforms`` chain, in chain order."""

    alias: str
    type: str
    settings: Mapping[str, str]
    predicate: str | None = None
    negate: bool = False


def transform_chain(config: Mapping[str, str]) -> list[TransformStep]:
    """The ``transforms`` list as ordered steps with their type and own settings."""
    aliases = [a.strip() for a in config.get("transforms", "").split(",") if a.strip()]
    steps = []
    for alias in aliases:
        prefix = f"transforms.{alias}."
        own = {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}
        steps.append(
            TransformStep(
                alias=alias,
                type=own.pop("type", "(type not set)"),
                predicate=own.pop("predicate", None),
                negate=own.pop("negate", "false").strip().lower() == "true",
                settings=dict(sorted(own.items())),
            )
        )
    return steps


def converters(config: Mapping[str, str]) -> dict[str, str]:
    """Key, value and header converters (``worker default`` when the connector sets none)."""
    result = {}
    for part in ("key", "value", "header"):
        result[part] = config.get(f"{part}.converter", "worker default")
    return result


def error_handling(config: Mapping[str, str]) -> dict[str, str]:
    """Every ``errors.*`` key, with the defaults Connect applies when unset."""
    defaults = {"errors.tolerance": "none", "errors.log.enable": "false"}
    found = {k: v for k, v in config.items() if k.startswith("errors.")}
    return dict(sorted({**defaults, **found}.items()))


def describe_json(
    connector: Connector, *, cluster: str, rules: Sequence[Rule] | None = None
) -> dict[str, Any]:
    """``kctui describe --json``: status, tasks with full traces, masked config, SMT chain;
    ``rules`` diagnose the traces (the command's, the shipped ones when None)."""
    verdict = rollup(connector)
    config = dict(connector.config)
    cls = connector.info.connector_class
    return {
        "cluster": cluster,
        "name": connector.name,
        "type": connector.type,
        "class": connector.info.connector_class,
        "state": connector.state,
        "worker_id": connector.status.worker_id,
        "trace": _masked_trace(connector.status.trace),
        "trace_summary": trace_summary(connector.status.trace),
        "diagnosis": diagnosis_json(connector.status.trace, connector_class=cls, rules=rules),
        "health": verdict.health.value,
        "reason": mask_text(verdict.reason),
        "tasks": [
            {
                "id": t.id,
                "state": t.state,
                "worker_id": t.worker_id,
                "trace": _masked_trace(t.trace),
                "trace_summary": trace_summary(t.trace),
                "diagnosis": diagnosis_json(t.trace, connector_class=cls, rules=rules),
            }
            for t in connector.tasks
        ],
        "config": mask_config(config),
        "masked_keys": list(masked_keys(config)),
        "transforms": [
            {
                "alias": s.alias,
                "type": s.type,
                "predicate": s.predicate,
                "negate": s.negate,
                "settings": mask_config(s.settings),
            }
            for s in transform_chain(config)
        ],
        "converters": converters(config),
        "errors": error_handling(config),
        "dlq_topic": connector.dlq_topic,
    }


def _masked_trace(trace: str | None) -> str | None:
    """A trace with every credential masked (drivers print connection URLs)."""
    return mask_text(trace) if trace else trace


def trace_summary(trace: str | None) -> list[str]:
    """The ``error`` / ``root cause`` lines of a trace (class-less causes too), masked."""
    return [mask_text(str(line)) for line in parse_trace(trace).summary()]


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _indent_all(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line for line in lines]


def _diagnosis_text(diagnosis: Mapping[str, Any] | None, prefix: str) -> list[str]:
    """A diagnosis (the ``--json`` object) as text above the trace it explains."""
    if not diagnosis:
        return []
    return [*_indent_all(diagnosis_lines(Diagnosis(**diagnosis)), prefix), ""]


def describe_text(
    connector: Connector,
    *,
    cluster: str,
    color: bool = False,
    rules: Sequence[Rule] | None = None,
) -> str:
    """``kctui describe NAME``: what an operator reads to understand a connector."""
    data = describe_json(connector, cluster=cluster, rules=rules)
    health = Health(data["health"])
    out = [
        f"Connector {connector.name}  ({data['type']}, {data['class'] or 'class unknown'})",
        f"Cluster   {cluster}",
        "State     "
        + paint(connector.state, STATE_HEALTH.get(connector.state), color)
        + (f" on {connector.status.worker_id}" if connector.status.worker_id else ""),
        f"Health    {paint(health.value, health, color)}: {data['reason']}",
    ]
    if data["trace"]:
        out += ["", "Connector trace", *_diagnosis_text(data["diagnosis"], "    ")]
        out += [*_indent_all(data["trace_summary"], "    "), ""]
        out.append(_indent(data["trace"], "    "))
    out += ["", f"Tasks ({len(connector.tasks)})"]
    if not connector.tasks:
        out.append("  no tasks")
    for task, task_data in zip(connector.tasks, data["tasks"], strict=True):
        state = paint(task.state.ljust(10), STATE_HEALTH.get(task.state), color)
        out.append(f"  {task.id:>3}  {state}  {task.worker_id or '-'}")
        if task_data["trace"]:
            out += _diagnosis_text(task_data["diagnosis"], "       ")
            out += [*_indent_all(task_data["trace_summary"], "       "), ""]
            out.append(_indent(task_data["trace"], "       "))
    out += _config_section(data)
    return "\n".join(out)


def _config_section(data: Mapping[str, Any]) -> list[str]:
    config: Mapping[str, str] = data["config"]
    hidden = data["masked_keys"]
    note = f"; secrets masked: {', '.join(hidden)}" if hidden else ""
    shown = {k: v for k, v in config.items() if not k.startswith("transforms.")}
    out = ["", f"Config ({len(config)} keys{note})"]
    out += [f"  {key} = {value}" for key, value in sorted(shown.items())]
    out += ["", "Transforms (in chain order)"]
    if not data["transforms"]:
        out.append("  none")
    for number, step in enumerate(data["transforms"], start=1):
        condition = ""
        if step["predicate"]:
            condition = f"  if {'not ' if step['negate'] else ''}{step['predicate']}"
        out.append(f"  {number}. {step['alias']}  {step['type']}{condition}")
        out += [f"       {k} = {v}" for k, v in step["settings"].items()]
    out += ["", "Converters"]
    out += [f"  {part:<6} {name}" for part, name in data["converters"].items()]
    out += ["", "Error handling"]
    out += [f"  {key} = {value}" for key, value in data["errors"].items()]
    if data["dlq_topic"]:
        out.append(f"  dead letter queue: topic {data['dlq_topic']}")
    return out
