"""Actions of the DLQ browser that ask something first or open a modal: go to an offset or a
time, export to JSON Lines, open the original record. Mixed into ``DlqScreen``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kctui.ui.screens.dlq_modals import DlqPrompt
from kctui.ui.screens.dlq_read import DlqDone, DlqOriginalLoaded, Job, PageRead, SourceRead
from kctui.ui.widgets.dlq_summary import DlqStatus
from kctui.ui.widgets.dlq_table import DlqTable

if TYPE_CHECKING:
    from textual.app import App


class DlqPromptActions:
    """Needs ``topic``, ``page_size``, ``export_dir``, the read worker's ``_start``,
    ``_read`` and ``_read_page``, and Textual's DOM methods."""

    topic: str | None
    page_size: int
    export_dir: Path
    app: App[Any]
    _start: Callable[[str, Job], None]
    _read: Callable[[str, SourceRead], None]
    _read_page: Callable[[str, PageRead], None]
    query_one: Callable[..., Any]
    notify: Callable[..., None]

    def action_original(self) -> None:
        dl = self.query_one(DlqTable).current
        if dl is None:
            return
        topic, partition, offset = dl.original_topic, dl.original_partition, dl.original_offset
        if topic is None or partition is None or offset is None:
            self.notify("this dead letter has no original topic/partition/offset headers")
            return
        self._read(
            f"reading the original record {dl.origin_text}",
            lambda source, _c, _p: DlqOriginalLoaded(dl, source.record(topic, partition, offset)),
        )

    def action_goto_offset(self) -> None:
        topic, size = self.topic, self.page_size

        def answered(value: str | None) -> None:
            if value is None or topic is None:
                return
            partition_text, _, offset_text = value.rpartition(":")
            try:
                offset = int(offset_text)
                partition = int(partition_text) if partition_text else None
            except ValueError:
                self.query_one(DlqStatus).error(f"not an offset: {value!r} (use 42 or 0:42)")
                return
            self._read_page(
                f"reading {topic} from offset {value}",
                lambda source, c, p: source.from_offset(
                    topic, offset, partition, size, cancel=c, progress=p
                ),
            )

        self.app.push_screen(
            DlqPrompt(
                "Go to offset",
                placeholder="offset, or partition:offset",
                help="Shows dead letters from that offset on.",
            ),
            answered,
        )

    def action_goto_time(self) -> None:
        from kctui.dlq.records import parse_time_spec

        topic, size = self.topic, self.page_size

        def answered(value: str | None) -> None:
            if value is None or topic is None:
                return
            try:
                when = parse_time_spec(value)
            except ValueError as exc:
                self.query_one(DlqStatus).error(str(exc))
                return
            self._read_page(
                f"reading {topic} from {value}",
                lambda source, c, p: source.from_time(topic, when, size, cancel=c, progress=p),
            )

        self.app.push_screen(
            DlqPrompt(
                "Go to time",
                placeholder="2026-11-24T10:00, 1700000000000 or 30m",
                help="ISO times without a zone are UTC; 30m / 2h / 1d mean that long ago.",
            ),
            answered,
        )

    def action_export(self) -> None:
        from kctui.dlq.export import default_export_name, export_jsonl

        table = self.query_one(DlqTable)
        chosen = table.marked_dead_letters or table.dead_letters
        if not chosen or self.topic is None:
            self.notify("nothing to export", severity="warning")
            return
        what = "marked" if table.marked_dead_letters else "shown"
        default = self.export_dir / default_export_name(self.topic, int(time.time() * 1000))

        def answered(value: str | None) -> None:
            if value is None:
                return
            path = Path(value).expanduser()
            self._start(
                f"exporting {len(chosen)} dead letters",
                lambda _c, _p: DlqDone(
                    f"exported {export_jsonl(chosen, path)} {what} dead letters to {path}"
                ),
            )

        self.app.push_screen(
            DlqPrompt(
                f"Export {len(chosen)} {what} dead letters (JSON Lines) to",
                value=str(default),
                help="Headers decoded; key, value and header values as base64 and text.",
            ),
            answered,
        )
