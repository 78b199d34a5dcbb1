"""Offsets of one connector (KIP-875): source maps or sink positions with consumer lag.

Altering and resetting need a STOPPED connector: the pane offers to stop it first (with
confirmation), then shows Connect's answer and the new offsets. Lag per sink partition
comes from the brokers' log end offsets (kafka-python in a thread, no group, no commit)
when the cluster has Kafka settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Label, Static
from textual.worker import Worker

from kctui.connect.models import STOPPED, ConnectorOffset
from kctui.connect.protocol import ConnectApi
from kctui.errors import KctuiError
from kctui.operate.lifecycle import change_offsets, wait_for_state
from kctui.operate.offsets import (
    OffsetInputError,
    compact_json,
    is_sink_offsets,
    read_end_offsets,
    sink_entry,
    sink_rows,
    source_entry,
)
from kctui.settings import ClusterConfig
from kctui.ui.screens.base import KctuiModalScreen, KctuiScreen

ALTER_ACTIONS = frozenset({"edit_offset", "reset_partition", "reset_all", "stop", "resume"})


@dataclass(frozen=True)
class OffsetRow:
    """One row of the pane: what is shown and the partition it stands for."""

    key: str
    cells: tuple[str, ...]
    partition: Mapping[str, Any]
    offset: Mapping[str, Any] | None


def build_rows(
    offsets: Sequence[ConnectorOffset], end_offsets: Mapping[tuple[str, int], int] | None
) -> tuple[bool, list[OffsetRow]]:
    """Sink rows (topic, partition, offset, end, lag) or source rows (partition -> offset)."""
    if is_sink_offsets(offsets):
        rows = []
        for row in sink_rows(offsets, end_offsets):
            end = "-" if row.end_offset is None else str(row.end_offset)
            lag = "-" if row.lag is None else str(row.lag)
            offset = "-" if row.offset is None else str(row.offset)
            partition = {"kafka_topic": row.topic, "kafka_partition": row.partition}
            rows.append(
                OffsetRow(
                    f"{row.topic}/{row.partition}",
                    (row.topic, str(row.partition), offset, end, lag),
                    partition,
                    None if row.offset is None else {"kafka_offset": row.offset},
                )
            )
        return True, rows
    rows = [
        OffsetRow(
            compact_json(dict(o.partition)),
            (compact_json(dict(o.partition)), compact_json(o.offset)),
            dict(o.partition),
            None if o.offset is None else dict(o.offset),
        )
        for o in sorted(offsets, key=lambda o: compact_json(dict(o.partition)))
    ]
    return False, rows


class ValueInput(KctuiModalScreen[str | None]):
    """Ask for one value (an offset number or an offset map); ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.close")]

    def __init__(self, title: str, initial: str) -> None:
        super().__init__()
        self.title_text = title
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Input(self.initial, id="value")
            yield Static("", id="value-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OffsetsScreen(KctuiScreen[None]):
    """Offsets of ``connector``; keys to edit/reset one partition, reset all, stop, resume."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="app.back", key_display="esc"),
        Binding("e", "edit_offset", "Edit offset", id="offsets.edit"),
        Binding("d", "reset_partition", "Reset partition", id="offsets.reset-one"),
        Binding("ctrl+d", "reset_all", "Reset all", id="offsets.reset-all"),
        Binding("s", "stop", "Stop", id="offsets.stop"),
        Binding("r", "resume", "Resume", id="offsets.resume"),
        Binding("ctrl+r", "reload", "Reload", id="offsets.reload", show=False),
    ]

    class Loaded(Message):
        def __init__(self, state: str, offsets: list[ConnectorOffset]) -> None:
            super().__init__()
            self.state = state
            self.offsets = offsets

    class EndOffsets(Message):
        def __init__(self, ends: dict[tuple[str, int], int], error: str | None) -> None:
            super().__init__()
            self.ends = ends
            self.error = error

    def __init__(self, cluster: ClusterConfig, *, connector: str | None = None) -> None:
        super().__init__(id="offsets")
        self.cluster = cluster
        self.connector_name = connector or ""
        self.state = ""
        self.offsets: list[ConnectorOffset] = []
        self.ends: dict[tuple[str, int], int] | None = None
        self.lag_note = ""
        self.is_sink = False
        self.rows: list[OffsetRow] = []

    def compose(self) -> ComposeResult:
        yield Static(f"{self.connector_name}: loading offsets...", id="offsets-header")
        yield DataTable(id="offsets-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="offsets-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @property
    def client(self) -> ConnectApi:
        return self.session.api

    # ------------------------------------------------------------------ loading

    @work(exclusive=True, group="offsets-load", exit_on_error=False)
    async def load(self) -> None:
        status = await self.client.connector_status(self.connector_name)
        offsets = await self.client.offsets(self.connector_name)
        self.post_message(self.Loaded(status.state, list(offsets)))

    @work(exclusive=True, group="offsets-lag", thread=True, exit_on_error=False)
    def load_end_offsets(self, partitions: list[tuple[str, int]]) -> None:
        kafka = self.cluster.kafka
        if kafka is None:
            return
        try:
            ends = read_end_offsets(kafka.client_kwargs(), partitions)
        except Exception as exc:  # noqa: BLE001 - lag is optional: say why it is missing
            self.post_message(self.EndOffsets({}, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.EndOffsets(ends, None))

    def on_offsets_screen_loaded(self, message: Loaded) -> None:
        self.state = message.state
        self.offsets = message.offsets
        self.ends = None
        self.render_offsets()
        if is_sink_offsets(self.offsets):
            if self.cluster.kafka is None:
                self.lag_note = "lag: add [kafka] settings to the cluster to see it"
            else:
                self.lag_note = "lag: reading log end offsets..."
                parts = [(str(o.partition["kafka_topic"]), int(o.partition["kafka_partition"]))
                         for o in self.offsets]  # fmt: skip
                self.load_end_offsets(parts)
            self.render_header()

    def on_offsets_screen_end_offsets(self, message: EndOffsets) -> None:
        if message.error:
            self.lag_note = f"lag unavailable: {message.error}"
        else:
            self.ends = message.ends
            self.lag_note = "lag = log end offset - connector offset"
        self.render_offsets()

    # ------------------------------------------------------------------ rendering

    def render_header(self) -> None:
        kind = "sink" if self.is_sink else "source"
        state_style = "$success" if self.state == "RUNNING" else "$text-muted"
        parts: list[Any] = [
            (self.connector_name, "bold"), f"  {kind}  state ", (self.state or "?", state_style),
            f"  {len(self.rows)} partitions",
        ]  # fmt: skip
        if self.state != STOPPED:
            parts.append("\nstop the connector (s) to edit or reset offsets")
        if self.lag_note and self.is_sink:
            parts.append(f"\n{self.lag_note}")
        self.query_one("#offsets-header", Static).update(Content.assemble(*parts))

    def render_offsets(self) -> None:
        self.is_sink, self.rows = build_rows(self.offsets, self.ends)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        if self.is_sink:
            table.add_columns("TOPIC", "PARTITION", "OFFSET", "END", "LAG")
        else:
            table.add_columns("PARTITION", "OFFSET")
        for row in self.rows:
            table.add_row(*row.cells, key=row.key)
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        self.render_header()
        self.refresh_bindings()

    def selected_row(self) -> OffsetRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALTER_ACTIONS and self.session.read_only:
            return False
        if action in ("edit_offset", "reset_partition"):
            return True if self.selected_row() is not None else None
        if action == "stop":
            return self.state not in ("", STOPPED)
        if action == "resume":
            return self.state in ("PAUSED", STOPPED)
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Old cluster, unknown connector...: shown here too (the notice is KctuiScreen's)."""
        self.show_result(f"{worker.name or 'request'} failed: {worker.error}", error=True)

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def show_result(self, text: str, *, error: bool = False) -> None:
        style = "$error" if error else "$success"
        self.query_one("#offsets-result", Static).update(Content.styled(text, style))

    def action_edit_offset(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.run_worker(self._edit(row), group="offsets-change", exclusive=True,
                            exit_on_error=False, name="edit offset")  # fmt: skip

    def action_reset_partition(self) -> None:
        row = self.selected_row()
        if row is not None:
            entry = {"partition": dict(row.partition), "offset": None}
            work = self._change([entry], f"reset {row.key}")
            self.run_worker(work, group="offsets-change", exclusive=True,
                            exit_on_error=False, name="reset partition")  # fmt: skip

    def action_reset_all(self) -> None:
        self.run_worker(self._change(None, "reset all offsets"), group="offsets-change",
                        exclusive=True, exit_on_error=False, name="reset offsets")  # fmt: skip

    def action_stop(self) -> None:
        self.run_worker(self._stop(), group="offsets-change", exclusive=True,
                        exit_on_error=False, name="stop")  # fmt: skip

    def action_resume(self) -> None:
        async def resume() -> None:
            await self.client.resume(self.connector_name)
            self.show_result(f"resume of {self.connector_name} accepted")
            self.load()

        self.run_worker(resume(), group="offsets-change", exit_on_error=False, name="resume")

    async def _edit(self, row: OffsetRow) -> None:
        if self.is_sink:
            current = "" if row.offset is None else str(row.offset.get("kafka_offset", ""))
            title = f"Next offset for {row.key} (the sink consumes from it)"
        else:
            current = compact_json(row.offset) if row.offset is not None else "{}"
            title = f"Offset map for {compact_json(dict(row.partition))} (JSON, null resets)"
        value = await self.app.push_screen_wait(ValueInput(title, current))
        if value is None:
            return
        try:
            if self.is_sink:
                entry = sink_entry(
                    str(row.partition["kafka_topic"]), row.partition["kafka_partition"], value
                )
            else:
                entry = source_entry(dict(row.partition), value)
        except OffsetInputError as exc:
            self.show_result(str(exc), error=True)
            self.app.notify(str(exc), severity="error")
            return
        await self._change([entry], f"set {row.key}")

    async def _confirm_stop(self, why: str) -> bool:
        from kctui.ui.screens.modals import ConfirmScreen

        question = (
            f"{self.connector_name} is {self.state}. {why} only works on a STOPPED connector.\n"
            f"Stop {self.connector_name} now? Resume it with r when done."
        )
        dialog: Any = ConfirmScreen("Stop connector first", question)
        return bool(await self.app.push_screen_wait(dialog))

    async def _change(self, entries: list[dict[str, Any]] | None, label: str) -> None:
        from kctui.ui.screens.modals import ConfirmScreen

        stop_first = False
        if self.state != STOPPED:
            if not await self._confirm_stop(label.capitalize()):
                self.show_result(f"{label}: not done ({self.connector_name} is {self.state})")
                return
            stop_first = True
        elif entries is None:
            question = f"Reset every offset of {self.connector_name}? It starts over when resumed."
            if not await self.app.push_screen_wait(ConfirmScreen("Reset all offsets", question)):
                return
        try:
            message = await change_offsets(
                self.client, self.connector_name, entries, stop_first=stop_first
            )
        except KctuiError as exc:
            self.show_result(f"{label} failed: {exc}", error=True)
            self.app.notify(str(exc), title=f"{label} failed", severity="error")
            return
        self.show_result(f"{label}: {message}")
        self.app.notify(message, title=label)
        self.load()

    async def _stop(self) -> None:
        from kctui.ui.screens.modals import ConfirmScreen

        question = f"Stop {self.connector_name}? Its tasks shut down until you resume it (r)."
        if not await self.app.push_screen_wait(ConfirmScreen("Stop connector", question)):
            return
        await self.client.stop(self.connector_name)
        await wait_for_state(self.client, self.connector_name, (STOPPED,))
        self.show_result(f"{self.connector_name} stopped")
        self.load()
