"""A Prometheus ``/metrics`` page (JMX exporter or Strimzi Metrics Reporter) -> MBean records.

The page is parsed with ``prometheus_client``'s text parser; each sample is mapped back
onto its MBean attribute by a preset (:mod:`kctui.metrics.presets`), detected from the
names the page holds unless the endpoint names one. Samples no preset maps are counted
and reported in the worker's notes, never fatal. Pure: the HTTP part is in
:mod:`kctui.metrics.http_sources`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from kctui.metrics import catalog, presets
from kctui.metrics.model import MBeanRecord
from kctui.metrics.parse import JmxError, coerce_value

Sample = tuple[str, Mapping[str, str], float]
# Labels of the worker's Kafka client metrics (clientId lowercased or not, by exporter).
_CLIENT_LABELS = frozenset({"clientid", "clientId", "client_id", "client-id", "nodeid", "nodeId"})


class ExpositionError(JmxError):
    """The page is not Prometheus text; the message says what it looks like instead."""


def _families(text: str) -> Iterator[Sample]:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value


def parse_samples(text: str) -> tuple[list[Sample], int]:
    """Every sample of the page, and how many lines had to be skipped.

    The parser stops at the first bad line; then the page is read line by line so one
    broken line (a value a JVM printed oddly) does not cost the whole worker.
    """
    stripped = text.lstrip()
    if not stripped:
        raise ExpositionError("empty page (the exporter exports nothing: check its rules)")
    if stripped[:15].lower().startswith(("<!doctype", "<html", "<?xml", "<head")):
        raise ExpositionError(
            "answered HTML, not Prometheus text (a login page or proxy? is the URL the "
            "exporter's /metrics?)"
        )
    if stripped.startswith(("{", "[")):
        raise ExpositionError("answered JSON, not Prometheus text (a Jolokia URL? set source)")
    try:
        return list(_families(text)), 0
    except (ValueError, TypeError, IndexError):
        pass
    samples: list[Sample] = []
    bad = 0
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        try:
            samples.extend(_families(line + "\n"))
        except (ValueError, TypeError, IndexError):
            bad += 1
    if not samples:
        first = " ".join(stripped.split())[:80]
        raise ExpositionError(f"not Prometheus text: no line could be read ({first!r}…)")
    return samples, bad


@dataclass(frozen=True)
class PageRecords:
    records: tuple[MBeanRecord, ...]
    preset: presets.Preset
    mapped: int
    unmapped_connect: int  # kafka_connect_* samples the preset does not map
    other: int  # JVM, client and other samples (not Connect MBeans)


def _known(mapped: list[presets.Mapped]) -> int:
    return sum(1 for m in mapped if catalog.attribute(m.group, m.attribute) is not None)


def detect(samples: list[Sample]) -> presets.Preset:
    """The preset that maps the most known Connect attributes; its signature names win."""
    best: tuple[tuple[bool, int], presets.Preset] | None = None
    connect = [s for s in samples if s[0].startswith("kafka_connect_")]
    for preset in presets.PRESETS:
        signed = any(presets.signature_hits(preset, name, labels) for name, labels, _ in connect)
        known = sum(_known(presets.map_sample(preset, *s)) for s in connect)
        score = (signed and known > 0, known)
        if best is None or score > best[0]:
            best = (score, preset)
    assert best is not None
    return best[1]


def mbean_name(mapped: presets.Mapped) -> str:
    parts = [f"type={mapped.group}"]
    if mapped.connector is not None:
        parts.append(f"connector={catalog.quote_value(mapped.connector)}")
    if mapped.task is not None:
        parts.append(f"task={mapped.task}")
    return f"{catalog.DOMAIN}:{','.join(parts)}"


def to_records(
    samples: Iterable[Sample], preset: presets.Preset, connector: str | None = None
) -> PageRecords:
    """Map samples with ``preset``; with ``connector``, keep only that connector's MBeans
    (and the worker's own)."""
    records: list[MBeanRecord] = []
    mapped_count = unmapped = other = 0
    for name, labels, value in samples:
        if not name.startswith("kafka_connect_") or _CLIENT_LABELS.intersection(labels):
            other += 1  # JVM, Kafka client (coordinator, node, app-info) and other samples
            continue
        mapped = presets.map_sample(preset, name, labels, value)
        if not mapped:
            unmapped += 1
            continue
        mapped_count += 1
        for item in mapped:
            if connector is not None and item.connector not in (None, connector):
                continue
            raw = item.value
            if isinstance(raw, float) and not math.isfinite(raw):
                raw = None
            records.append(
                MBeanRecord(
                    mbean_name(item),
                    item.attribute,
                    coerce_value(item.group, item.attribute, raw),
                )
            )
    return PageRecords(tuple(records), preset, mapped_count, unmapped, other)


def read_page(
    text: str, preset_name: str | None = None, connector: str | None = None
) -> tuple[PageRecords, tuple[str, ...]]:
    """Records and notes from one page; the preset is detected unless named."""
    samples, bad_lines = parse_samples(text)
    preset = presets.BY_NAME[preset_name] if preset_name else detect(samples)
    result = to_records(samples, preset, connector)
    notes: list[str] = []
    if bad_lines:
        notes.append(f"{bad_lines} unreadable lines skipped")
    if result.unmapped_connect:
        notes.append(
            f"{result.unmapped_connect} kafka_connect samples not mapped by preset {preset.name}"
        )
    if not result.mapped:
        raise ExpositionError(
            f"no Kafka Connect metrics on this page ({len(samples)} samples, none named "
            "kafka_connect_*: is the exporter on a Connect worker, and do its rules keep them?)"
            if not any(s[0].startswith("kafka_connect_") for s in samples)
            else f"no sample matches a known preset ({', '.join(presets.PRESET_NAMES)}); "
            "set preset = … for this endpoint"
        )
    return result, tuple(notes)
