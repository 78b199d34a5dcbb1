"""Jolokia: one bulk POST per refresh (one wildcard read per MBean group) -> MBean records.

A bulk request is a JSON array of ``{"type": "read", "mbean": "kafka.connect:type=G,*"}``;
the answer is an array of ``{"status": 200, "value": {"<mbean>": {"attr": value}}}``.
Pure: the HTTP part is in :mod:`kctui.metrics.http_sources`.
"""

from __future__ import annotations

import json
from typing import Any

from kctui.metrics import catalog
from kctui.metrics.model import MBeanRecord
from kctui.metrics.parse import JmxError, coerce_value, parse_mbean_name


class JolokiaError(JmxError):
    """The agent's answer cannot be used; the message says why."""


def bulk_request(
    groups: tuple[str, ...] = catalog.GROUPS, connector: str | None = None
) -> list[dict[str, Any]]:
    """The body of the one POST: a read per MBean pattern (the same patterns as JMX)."""
    patterns = catalog.query_patterns(groups, connector)
    return [
        {"type": "read", "mbean": pattern, "config": {"ignoreErrors": True}} for pattern in patterns
    ]


def _records_of(mbean: str, attributes: Any) -> list[MBeanRecord]:
    if not isinstance(attributes, dict):
        return []
    _, props = parse_mbean_name(mbean)
    group = props.get("type", "")
    return [
        MBeanRecord(mbean, str(name), coerce_value(group, str(name), value))
        for name, value in attributes.items()
        if not isinstance(value, dict | list)
    ]


def parse_answer(
    text: str | bytes, requests: list[dict[str, Any]]
) -> tuple[list[MBeanRecord], tuple[str, ...]]:
    """Records from the agent's answer, and notes on reads that failed (other than
    "no such MBean", which only means the worker runs no such connector or task)."""
    try:
        data = json.loads(text)
    except ValueError:
        head = text[:200].decode("utf-8", "replace") if isinstance(text, bytes) else text[:200]
        if head.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            raise JolokiaError(
                "answered HTML, not Jolokia JSON (is the URL .../jolokia/?)"
            ) from None
        raise JolokiaError(f"not JSON: {' '.join(head.split())[:80]!r}") from None
    if isinstance(data, dict):
        if data.get("status") not in (None, 200):
            raise JolokiaError(_error_text(data))
        data = [data]
    if not isinstance(data, list):
        raise JolokiaError("unexpected answer: neither a JSON object nor an array")
    records: list[MBeanRecord] = []
    failures: list[str] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            continue
        status = item.get("status")
        if status != 200:
            if status != 404 and "InstanceNotFound" not in str(item.get("error_type", "")):
                failures.append(_error_text(item))
            continue
        value = item.get("value")
        pattern = requests[index]["mbean"] if index < len(requests) else ""
        if not isinstance(value, dict):
            continue
        if "*" in pattern or "?" in pattern:
            for mbean, attributes in value.items():
                records.extend(_records_of(str(mbean), attributes))
        else:
            records.extend(_records_of(pattern, value))
    notes = (f"{len(failures)} reads failed: {failures[0]}",) if failures else ()
    if not records and failures:
        raise JolokiaError(failures[0])
    return records, notes


def _error_text(item: dict[str, Any]) -> str:
    error = str(item.get("error") or item.get("error_type") or f"status {item.get('status')}")
    return " ".join(error.split())[:200]
