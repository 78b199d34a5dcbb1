"""The typed seam between the DLQ browser and a DLQ topic (like ``ConnectApi`` for Connect).

:class:`kctui.dlq.reader.DlqReader` is the real implementation; the UI tests' in-memory
reader is checked against this Protocol by mypy where the tests hand it to the screen.
Every method blocks: call them from a thread worker. A long read stops when ``cancel()``
turns true (``ReadCancelled``) and reports ``progress(done, total)`` as it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypedDict, Unpack

from kctui.dlq.pages import Page, TopicInfo
from kctui.dlq.records import KafkaRecord

__all__ = ["CancelCheck", "DlqSource", "Progress", "ReadOptions"]

CancelCheck = Callable[[], bool]
Progress = Callable[[int, int], None]


class ReadOptions(TypedDict, total=False):
    """How a page read is watched: ``cancel()`` stops it, ``progress(done, total)`` hears it."""

    cancel: CancelCheck | None
    progress: Progress | None


class DlqSource(Protocol):
    """Pages of dead letters of a DLQ topic, its offsets, and one original record."""

    def topic_infos(self, dlq_topics: dict[str, str], /) -> list[TopicInfo]: ...

    def newest(self, topic: str, limit: int, /, **options: Unpack[ReadOptions]) -> Page: ...

    def older(self, page: Page, limit: int, /, **options: Unpack[ReadOptions]) -> Page: ...

    def newer(self, page: Page, limit: int, /, **options: Unpack[ReadOptions]) -> Page: ...

    def from_offset(
        self,
        topic: str,
        offset: int,
        partition: int | None,
        limit: int,
        /,
        **options: Unpack[ReadOptions],
    ) -> Page: ...

    def from_time(
        self, topic: str, timestamp_ms: int, limit: int, /, **options: Unpack[ReadOptions]
    ) -> Page: ...

    def record(self, topic: str, partition: int, offset: int, /) -> KafkaRecord | None: ...

    def close(self) -> None: ...
