"""Prometheus name mappings ("presets"), as data: exporter metric names back to MBeans.

Each preset was derived from a real rules file or reporter (provenance in
tests/fixtures/metrics/PROVENANCE.md):

- ``strimzi``: Strimzi's example ``examples/metrics/kafka-connect-metrics.yaml`` for the
  JMX exporter: ``kafka_connect_<group>_<attr>`` with the group's ``-metrics`` cut
  (``kafka_connect_sink_task_sink_record_read_total``), worker metrics as
  ``kafka_connect_worker_*``, strings as labels of ``..._status`` / ``..._connector_class``.
- ``jmx-exporter``: prometheus/jmx_exporter ``example_configs/kafka-connect.yml``: the
  same task names, the task state as ``kafka_connect_connector_status{task=…}``, the
  per-connector worker counts as ``kafka_connect_connect_worker_*``.
- ``confluent``: confluentinc/jmx-monitoring-stacks ``kafka_connect.yml``: the full group
  name (``kafka_connect_sink_task_metrics_*``), worker metrics labelled
  ``connector="aggregate"``, connector strings as labels of ``kafka_connect_connector_metrics``.
- ``strimzi-reporter``: the Strimzi Metrics Reporter (a Kafka ``MetricsReporter``):
  ``kafka_connect_<group>_<attr>`` with the whole group name, ``-``/``.`` as ``_``, the
  ``_total`` suffix cut by Prometheus naming, strings as ``..._<attr>_info{<attr>=…}``.

Unknown attribute names are kept (dashes restored), so a metric kctui does not know is
still shown by its Connect name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kctui.metrics import catalog
from kctui.metrics.catalog import CONNECTOR, REBALANCE, SINK_TASK, SOURCE_TASK, TASK, TASK_ERRORS
from kctui.metrics.catalog import WORKER as WORKER_GROUP
from kctui.metrics.model import Value

TASK_GROUPS = (TASK, SOURCE_TASK, SINK_TASK, TASK_ERRORS)


@dataclass(frozen=True)
class LabelInfo:
    """A sample of value 1 whose labels carry string attributes (``status="running"``).

    ``labels`` maps label name -> attribute; ``task`` True/False limits it to samples
    with/without a ``task`` label (one name serves tasks and connectors in one preset).
    """

    name: str
    group: str
    labels: Mapping[str, str]
    task: bool | None = None


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    prefixes: tuple[tuple[str, str], ...]  # (metric name prefix, MBean group)
    infos: tuple[LabelInfo, ...] = ()
    aggregate: str | None = None  # a connector label value meaning "the worker itself"
    info_suffix: bool = False  # ``<prefix><attr>_info{<attr>="…"}`` carries strings
    signature_names: frozenset[str] = frozenset()
    signature_labels: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        # Longest prefix first, so ``..._worker_rebalance_`` wins over ``..._worker_``.
        ordered = tuple(sorted(self.prefixes, key=lambda p: -len(p[0])))
        object.__setattr__(self, "prefixes", ordered)


_CONNECTOR_STRINGS = {
    "connector_class": "connector-class",
    "connector_type": "connector-type",
    "connector_version": "connector-version",
    "status": "status",
}

STRIMZI = Preset(
    name="strimzi",
    title="Strimzi example kafka-connect-metrics.yaml (JMX exporter)",
    prefixes=(
        ("kafka_connect_worker_rebalance_", REBALANCE),
        ("kafka_connect_worker_", WORKER_GROUP),
        ("kafka_connect_connector_task_", TASK),
        ("kafka_connect_source_task_", SOURCE_TASK),
        ("kafka_connect_sink_task_", SINK_TASK),
        ("kafka_connect_task_error_", TASK_ERRORS),
    ),
    infos=(
        LabelInfo("kafka_connect_connector_task_status", TASK, {"status": "status"}),
        # Strimzi before 0.34 (and the jmx_exporter example) named the task state so.
        LabelInfo("kafka_connect_connector_status", TASK, {"status": "status"}, task=True),
        LabelInfo("kafka_connect_connector_status", CONNECTOR, {"status": "status"}, task=False),
        *(
            LabelInfo(f"kafka_connect_connector_{label}", CONNECTOR, {label: attribute})
            for label, attribute in _CONNECTOR_STRINGS.items()
            if label != "status"
        ),
    ),
    signature_names=frozenset(
        {"kafka_connect_connector_task_status", "kafka_connect_connector_connector_class"}
    ),
)

JMX_EXPORTER = Preset(
    name="jmx-exporter",
    title="prometheus/jmx_exporter example_configs/kafka-connect.yml",
    prefixes=(
        ("kafka_connect_worker_rebalance_", REBALANCE),
        ("kafka_connect_worker_", WORKER_GROUP),
        ("kafka_connect_connect_worker_", WORKER_GROUP),
        ("kafka_connect_connector_task_", TASK),
        ("kafka_connect_source_task_", SOURCE_TASK),
        ("kafka_connect_sink_task_", SINK_TASK),
        ("kafka_connect_task_error_", TASK_ERRORS),
    ),
    infos=(LabelInfo("kafka_connect_connector_status", TASK, {"status": "status"}, task=True),),
    signature_names=frozenset({"kafka_connect_connector_status"}),
)

_FULL_GROUP_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    (f"kafka_connect_{group.replace('-', '_')}_", group) for group in catalog.GROUPS
)

CONFLUENT = Preset(
    name="confluent",
    title="confluentinc/jmx-monitoring-stacks kafka_connect.yml (JMX exporter)",
    prefixes=_FULL_GROUP_PREFIXES,
    infos=(LabelInfo("kafka_connect_connector_metrics", CONNECTOR, _CONNECTOR_STRINGS),),
    aggregate="aggregate",
    signature_names=frozenset({"kafka_connect_connector_metrics"}),
    signature_labels=frozenset({("connector", "aggregate")}),
)

STRIMZI_REPORTER = Preset(
    name="strimzi-reporter",
    title="Strimzi Metrics Reporter",
    prefixes=_FULL_GROUP_PREFIXES,
    info_suffix=True,
    signature_names=frozenset(
        {
            "kafka_connect_connector_task_metrics_status_info",
            "kafka_connect_connector_metrics_status_info",
        }
    ),
)

PRESETS: tuple[Preset, ...] = (STRIMZI, JMX_EXPORTER, CONFLUENT, STRIMZI_REPORTER)
PRESET_NAMES: tuple[str, ...] = tuple(p.name for p in PRESETS)
BY_NAME: dict[str, Preset] = {p.name: p for p in PRESETS}


@dataclass(frozen=True)
class Mapped:
    """One sample mapped back onto an MBean attribute."""

    group: str
    attribute: str
    value: Value
    connector: str | None = None
    task: str | None = None


def attribute_name(group: str, text: str) -> str:
    """``sink_record_read`` -> ``sink-record-read-total`` when the catalog knows that name
    (Prometheus naming cuts ``_total``), else the text with dashes restored."""
    name = text.replace("_", "-")
    if catalog.attribute(group, name) is None and catalog.attribute(group, name + "-total"):
        return name + "-total"
    return name


def _scope(
    group: str, labels: Mapping[str, str], preset: Preset
) -> tuple[str | None, str | None] | None:
    """(connector, task) of a sample, or None when its labels do not fit the group."""
    connector = labels.get("connector")
    if connector is not None and connector == preset.aggregate:
        connector = None
    task = labels.get("task")
    if group in TASK_GROUPS:
        if connector is None or task is None or not task.lstrip("-").isdigit():
            return None
        return connector, task
    if group == CONNECTOR:
        return (connector, None) if connector else None
    if group == WORKER_GROUP:
        return connector, None  # the jmx_exporter example puts the attribute in ``task``
    return None, None


def map_sample(preset: Preset, name: str, labels: Mapping[str, str], value: float) -> list[Mapped]:
    """The MBean attributes one sample stands for (empty when the preset does not map it)."""
    for info in preset.infos:
        if info.name != name or (info.task is not None and ("task" in labels) != info.task):
            continue
        scope = _scope(info.group, labels, preset)
        if scope is None:
            return []
        return [
            Mapped(info.group, attribute, labels[label], *scope)
            for label, attribute in info.labels.items()
            if label in labels
        ]
    found = _prefixed(preset, name)
    if found is None:
        return []
    group, rest, entry_name = found
    scope = _scope(group, labels, preset)
    if scope is None:
        return []
    base = rest[:-5] if rest.endswith("_info") else rest
    if preset.info_suffix and base in labels:  # ``_info`` or not, by client version
        return [Mapped(group, base.replace("_", "-"), labels[base], *scope)]
    if entry_name is None:
        return []  # a string attribute cannot be a sample value
    return [Mapped(group, entry_name, value, *scope)]


_RESOLVED: dict[tuple[str, str], tuple[str, str, str | None] | None] = {}


def _prefixed(preset: Preset, name: str) -> tuple[str, str, str | None] | None:
    """(group, rest of the name, numeric attribute or None) by the longest prefix; cached
    per name, as a page repeats each name once per connector and task."""
    key = (preset.name, name)
    if key in _RESOLVED:
        return _RESOLVED[key]
    result: tuple[str, str, str | None] | None = None
    for prefix, group in preset.prefixes:
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = name[len(prefix) :]
            entry_name: str | None = attribute_name(group, rest)
            entry = catalog.attribute(group, entry_name or "")
            if entry is not None and not entry.is_number and entry.kind != "boolean":
                entry_name = None
            result = (group, rest, entry_name)
            break
    if len(_RESOLVED) < 50_000:  # names are few; a page of odd names must not grow it forever
        _RESOLVED[key] = result
    return result
