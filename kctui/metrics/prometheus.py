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
from dataclasses import dataclass, replace

from kctui.metrics import catalog, presets
from kctui.metrics.model import MBeanRecord
from kctui.metrics.parse import JmxError, coerce_value

Sample = tuple[str, Mapping[str, str], float]
# Labels of the worker's Kafka client metrics (clientId lowercased or not, by exporter).
# The worker's app-info and metric-count MBeans: not Connect metrics kctui reads.
_NOT_CONNECT_MBEANS = ("kafka_connect_app_info", "kafka_connect_kafka_metrics_count")
_CLIENT_LABELS = frozenset({"clientid", "clientId", "client_id", "client-id", "nodeid", "nodeId"})


class ExpositionError(JmxError):
    """The page is not Prometheus text; the message says what it looks like instead."""


def _families(text: str) -> Iterator[Sample]:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            yield sample.name, sample.labels, sample.value


def _check_kind(text: str) -> None:
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


def connect_lines(text: str, connector: str | None = None) -> tuple[str, int]:
    """Only the ``kafka_connect_*`` lines (with their HELP/TYPE), and how many other samples
    were left out: JVM and Kafka client families often outnumber Connect's, and parsing
    is the costly part. With ``connector``, other connectors' samples are left out too."""
    keep: list[str] = []
    other = 0
    wanted = None
    if connector is not None:
        escaped = connector.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        wanted = f'connector="{escaped}"'
    for line in text.splitlines():
        if line.startswith("#"):
            if line[7:21] == "kafka_connect_":  # "# HELP " / "# TYPE "
                keep.append(line)
        elif line.startswith("kafka_connect_"):
            if wanted is None or 'connector="' not in line or wanted in line:
                keep.append(line)
        elif line.strip():
            other += 1
    return "\n".join(keep) + "\n", other


def parse_samples(text: str) -> tuple[list[Sample], int]:
    """Every sample of the page, and how many lines had to be skipped.

    The parser stops at the first bad line; then the page is read line by line so one
    broken line (a value a JVM printed oddly) does not cost the whole worker.
    """
    _check_kind(text)
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
    if not samples and bad:
        first = " ".join(text.split())[:80]
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
    """The preset that maps the most known Connect attributes; its signature names win.

    Judged on one sample per name (weighted by how many there are), so detection costs
    little on a page of thousands of tasks.
    """
    first: dict[str, Sample] = {}
    counts: dict[str, int] = {}
    labels_seen: set[tuple[str, str]] = set()
    for sample in samples:
        name, labels, _ = sample
        if not name.startswith("kafka_connect_"):
            continue
        first.setdefault(name, sample)
        counts[name] = counts.get(name, 0) + 1
        if labels.get("connector") == "aggregate":
            labels_seen.add(("connector", "aggregate"))
    best: tuple[tuple[bool, int], presets.Preset] | None = None
    for preset in presets.PRESETS:
        signed = bool(preset.signature_names.intersection(first)) or bool(
            preset.signature_labels & labels_seen
        )
        known = sum(_known(presets.map_sample(preset, *s)) * counts[s[0]] for s in first.values())
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
    names: dict[tuple[str, str | None, str | None], str] = {}
    for name, labels, value in samples:
        if (
            not name.startswith("kafka_connect_")
            or name.startswith(_NOT_CONNECT_MBEANS)
            or _CLIENT_LABELS.intersection(labels)
        ):
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
            key = (item.group, item.connector, item.task)
            mbean = names.get(key)
            if mbean is None:
                mbean = names[key] = mbean_name(item)
            records.append(
                MBeanRecord(mbean, item.attribute, coerce_value(item.group, item.attribute, raw))
            )
    return PageRecords(tuple(records), preset, mapped_count, unmapped, other)


def read_page(
    text: str, preset_name: str | None = None, connector: str | None = None
) -> tuple[PageRecords, tuple[str, ...]]:
    """Records and notes from one page; the preset is detected unless named."""
    _check_kind(text)
    connect_text, other_samples = connect_lines(text, connector)
    samples, bad_lines = parse_samples(connect_text) if connect_text.strip() else ([], 0)
    if not samples:  # no Connect line: is the page Prometheus text at all?
        head = [line for line in text.splitlines()[:200] if line and not line.startswith("#")]
        parse_samples("\n".join(head[:20]) + "\n")
    preset = presets.BY_NAME[preset_name] if preset_name else detect(samples)
    result = to_records(samples, preset, connector)
    result = replace(result, other=result.other + other_samples)
    notes: list[str] = []
    if bad_lines:
        notes.append(f"{bad_lines} unreadable lines skipped")
    if result.unmapped_connect:
        notes.append(
            f"{result.unmapped_connect} kafka_connect samples not mapped by preset {preset.name}"
        )
    if not result.mapped:
        raise ExpositionError(
            f"no Kafka Connect metrics on this page ({other_samples + len(samples)} samples, "
            "none named kafka_connect_*: is the exporter on a Connect worker, and do its "
            "rules keep them?)"
            if not any(s[0].startswith("kafka_connect_") for s in samples)
            else f"no sample matches a known preset ({', '.join(presets.PRESET_NAMES)}); "
            "set preset = … for this endpoint"
        )
    return result, tuple(notes)
