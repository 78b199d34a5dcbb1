"""Parsing jmxquery's answers into records, and records into a worker's snapshot (pure).

The jar prints one JSON object per attribute, but does not escape string values: a
quote or a newline in a value breaks the JSON. :func:`parse_output` reads the whole
answer as JSON when it can and otherwise entry by entry, field by field, so one odd
value does not cost the whole worker. NaN, infinities and numbers sent as strings are
normalised by :func:`coerce_value`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kctui.errors import KctuiError
from kctui.metrics import catalog
from kctui.metrics.model import (
    ConnectorMetrics,
    MBeanRecord,
    RebalanceMetrics,
    SinkTaskMetrics,
    SourceTaskMetrics,
    TaskErrorMetrics,
    TaskMetrics,
    Value,
    WorkerMetrics,
    WorkerSnapshot,
)


class JmxError(KctuiError):
    """A worker's JMX did not answer usefully; the message says why, in words."""


_NON_FINITE = {"nan", "-nan", "infinity", "-infinity", "+infinity", "inf", "-inf", "+inf"}


def coerce_value(group: str, name: str, raw: object) -> Value:
    """A float for numeric attributes (also when sent as a string), None for NaN/inf/junk."""
    if raw is None:
        return None
    if catalog.is_string(group, name):
        return raw if isinstance(raw, str) else str(raw)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        value = float(raw)
        return value if math.isfinite(value) else None
    if isinstance(raw, str):
        text = raw.strip().strip('"').strip()
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in _NON_FINITE:
            return None
        try:
            value = float(text)
        except ValueError:
            entry = catalog.attribute(group, name)
            return None if entry is not None and entry.is_number else text
        return value if math.isfinite(value) else None
    return None


def parse_mbean_name(name: str) -> tuple[str, dict[str, str]]:
    """``domain:k=v,k2="quoted,value"`` -> (domain, {k: v}); quoted values are unquoted."""
    domain, _, rest = name.partition(":")
    props: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip()
        j = eq + 1
        if j < n and rest[j] == '"':
            chars: list[str] = []
            j += 1
            while j < n and rest[j] != '"':
                if rest[j] == "\\" and j + 1 < n:
                    j += 1
                    chars.append("\n" if rest[j] == "n" else rest[j])
                else:
                    chars.append(rest[j])
                j += 1
            value = "".join(chars)
            comma = rest.find(",", j)
        else:
            comma = rest.find(",", j)
            value = rest[j : comma if comma >= 0 else n]
        props[key] = value
        i = n if comma < 0 else comma + 1
    return domain, props


_MESSAGE = re.compile(r'"message"\s*:\s*"(.*)"\s*\}\s*$', re.DOTALL)


def jar_error(output: str) -> str:
    """Turn the jar's ``{"error": ..., "message": ...}`` answer into one clear sentence."""
    match = _MESSAGE.search(output.strip())
    message = match.group(1) if match else output.strip()
    lowered = message.lower()
    if "connection refused" in lowered:
        return "connection refused: nothing listens on the JMX port (is JMX enabled on the worker?)"
    if (
        "authentication failed" in lowered
        or "credentials" in lowered
        or "invalid username" in lowered
    ):
        return "authentication failed: check the JMX username and password"
    if "unknownhost" in lowered or "unknown host" in lowered:
        return "unknown host in the JMX URL"
    if "service url must start" in lowered:
        return "bad JMX URL: expected service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi"
    first = " ".join(message.split())
    return (first[:200] + "…") if len(first) > 200 else (first or "jmxquery failed")


# --------------------------------------------------------------------------- parsing

_SPLIT = re.compile(r"\}\s*,\s*\n\s*(?=\{\s*\"mBeanName\")")
_FIELDS = re.compile(
    r'^\{\s*"mBeanName" : "(?P<mbean>.*?)", "attribute" : "(?P<attribute>.*?)", '
    r'(?:"attributeKey" : "(?P<key>.*?)", )?"attributeType" : "(?P<type>\w*)"'
    r'(?:, "value" : (?P<value>.*))?\}$',
    re.DOTALL,
)


@dataclass(frozen=True)
class ParsedOutput:
    records: tuple[MBeanRecord, ...]
    lenient: int = 0  # records read field by field because their JSON was broken
    skipped: int = 0  # records that could not be read at all

    @property
    def notes(self) -> tuple[str, ...]:
        notes = []
        if self.lenient:
            notes.append(f"{self.lenient} values had unescaped text and were read leniently")
        if self.skipped:
            notes.append(f"{self.skipped} unreadable values skipped")
        return tuple(notes)


def _record(mbean: str, attribute: str, key: str | None, raw: Any) -> MBeanRecord:
    _, props = parse_mbean_name(mbean)
    group = props.get("type", "")
    return MBeanRecord(mbean, attribute, coerce_value(group, attribute, raw), key or None)


def _from_json(item: Any) -> MBeanRecord | None:
    if not isinstance(item, dict) or not isinstance(item.get("mBeanName"), str):
        return None
    attribute = item.get("attribute")
    if not isinstance(attribute, str):
        return None
    key = item.get("attributeKey")
    return _record(
        item["mBeanName"], attribute, key if isinstance(key, str) else None, item.get("value")
    )


def _from_fields(chunk: str) -> MBeanRecord | None:
    match = _FIELDS.match(chunk.strip())
    if match is None:
        return None
    raw_value: Any = None
    value_text = match.group("value")
    if value_text is not None:
        value_text = value_text.strip()
        if len(value_text) >= 2 and value_text[0] == value_text[-1] == '"':
            raw_value = value_text[1:-1]
        else:
            try:
                raw_value = json.loads(value_text)
            except ValueError:
                raw_value = value_text
    mbean = match.group("mbean").replace('\\"', '"')
    return _record(mbean, match.group("attribute"), match.group("key"), raw_value)


def parse_output(text: str) -> ParsedOutput:
    """Records from the jar's JSON; broken entries are read field by field, not dropped."""
    stripped = text.strip()
    if not stripped:
        raise JmxError("empty answer from jmxquery")
    if stripped.startswith("{") and '"error"' in stripped[:40]:
        raise JmxError(jar_error(stripped))
    try:
        data = json.loads(stripped)
    except ValueError:
        data = None
    if isinstance(data, list):
        found = [r for r in (_from_json(item) for item in data) if r is not None]
        return ParsedOutput(tuple(found), skipped=len(data) - len(found))
    if not stripped.startswith("["):
        raise JmxError(f"unreadable answer from jmxquery: {' '.join(stripped.split())[:120]}")
    body = stripped[1:]
    body = body[:-1] if body.endswith("]") else body
    chunks = [c.strip() for c in _SPLIT.split(body) if c.strip()]
    records: list[MBeanRecord] = []
    lenient = skipped = 0
    for index, chunk in enumerate(chunks):
        chunk = chunk if index == len(chunks) - 1 else chunk + "}"
        try:
            record = _from_json(json.loads(chunk))
        except ValueError:
            record = _from_fields(chunk)
            lenient += record is not None
        if record is None:
            skipped += 1
        else:
            records.append(record)
    return ParsedOutput(tuple(records), lenient=lenient, skipped=skipped)


def build_worker_snapshot(
    worker: str,
    url: str,
    records: Iterable[MBeanRecord],
    *,
    fetched_at: float,
    elapsed: float = 0.0,
    notes: tuple[str, ...] = (),
) -> WorkerSnapshot:
    """Group parsed records by MBean into the typed groups of one worker."""
    by_mbean: dict[str, dict[str, Value]] = {}
    for record in records:
        name = record.attribute
        if record.attribute_key:
            name = f"{name}.{record.attribute_key}"
        by_mbean.setdefault(record.mbean, {})[name] = record.value
    worker_values: dict[str, Value] = {}
    rebalance_values: dict[str, Value] = {}
    connector_values: dict[str, dict[str, Value]] = {}
    connector_counts: dict[str, dict[str, Value]] = {}
    task_groups: dict[tuple[str, int], dict[str, dict[str, Value]]] = {}
    for mbean, values in by_mbean.items():
        domain, props = parse_mbean_name(mbean)
        group = props.get("type", "")
        if domain != catalog.DOMAIN or group not in catalog.GROUPS:
            continue
        connector = props.get("connector")
        task = props.get("task")
        if group == catalog.WORKER:
            target = connector_counts.setdefault(connector, {}) if connector else worker_values
            target.update(values)
        elif group == catalog.REBALANCE:
            rebalance_values.update(values)
        elif group == catalog.CONNECTOR and connector:
            connector_values.setdefault(connector, {}).update(values)
        elif connector and task is not None and task.lstrip("-").isdigit():
            task_groups.setdefault((connector, int(task)), {})[group] = values
    tasks: dict[tuple[str, int], TaskMetrics] = {}
    for (connector, task_id), groups in task_groups.items():
        source = groups.get(catalog.SOURCE_TASK)
        sink = groups.get(catalog.SINK_TASK)
        errors = groups.get(catalog.TASK_ERRORS)
        tasks[(connector, task_id)] = TaskMetrics(
            values=groups.get(catalog.TASK, {}),
            connector=connector,
            task=task_id,
            worker=worker,
            source=SourceTaskMetrics(source) if source is not None else None,
            sink=SinkTaskMetrics(sink) if sink is not None else None,
            errors=TaskErrorMetrics(errors) if errors is not None else None,
        )
    names = set(connector_values) | set(connector_counts)
    connectors = {
        name: ConnectorMetrics(
            values=connector_values.get(name, {}),
            name=name,
            task_counts=connector_counts.get(name, {}),
        )
        for name in sorted(names)
    }
    return WorkerSnapshot(
        worker=worker,
        url=url,
        fetched_at=fetched_at,
        elapsed=elapsed,
        worker_metrics=WorkerMetrics(worker_values) if worker_values else None,
        rebalance=RebalanceMetrics(rebalance_values) if rebalance_values else None,
        connectors=connectors,
        tasks=tasks,
        notes=notes,
    )
