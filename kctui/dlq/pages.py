"""What the DLQ reader returns: a page of dead letters, a topic with its offsets; and
which topics are DLQs (from connector configs). Pure data, no Kafka client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kctui.dlq.records import DeadLetter

DLQ_TOPIC_KEY = "errors.deadletterqueue.topic.name"


def dlq_topics_from_configs(configs: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """DLQ topic -> connector name(s), from ``errors.deadletterqueue.topic.name`` in configs."""
    topics: dict[str, list[str]] = {}
    for connector, config in sorted(configs.items()):
        topic = str(config.get(DLQ_TOPIC_KEY) or "").strip()
        if topic:
            topics.setdefault(topic, []).append(connector)
    return {topic: ", ".join(names) for topic, names in sorted(topics.items())}


@dataclass(frozen=True)
class TopicInfo:
    """A DLQ topic and its offsets; ``error`` is set when it could not be described."""

    topic: str
    connector: str = ""
    bounds: tuple[tuple[int, int, int], ...] = ()  # (partition, beginning, end)
    error: str | None = None

    @property
    def count(self) -> int:
        """Records in the topic: end minus beginning offset, summed over partitions."""
        return sum(max(0, end - begin) for _, begin, end in self.bounds)


@dataclass(frozen=True)
class Page:
    """Dead letters of one read, newest first, with the offsets it covers per partition."""

    topic: str
    dead_letters: tuple[DeadLetter, ...]
    ranges: tuple[tuple[int, int, int], ...]  # (partition, low, high): read [low, high)
    bounds: tuple[tuple[int, int, int], ...]  # (partition, beginning, end) when read

    @property
    def total(self) -> int:
        return sum(max(0, end - begin) for _, begin, end in self.bounds)

    @property
    def has_older(self) -> bool:
        begins = {p: b for p, b, _ in self.bounds}
        return any(low > begins.get(p, 0) for p, low, _ in self.ranges)

    @property
    def has_newer(self) -> bool:
        ends = {p: e for p, _, e in self.bounds}
        return any(high < ends.get(p, 0) for p, _, high in self.ranges)
