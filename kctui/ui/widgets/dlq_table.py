"""Tables of the DLQ browser: dead letters (newest first) and the DLQ topics of a cluster.

Cells are ``rich.text.Text`` built from the record's own strings, never markup, so a
message holding ``[brackets]`` shows as written. Colours come from the theme.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from kctui.dlq.reader import TopicInfo
from kctui.dlq.records import DeadLetter
from kctui.masking import mask_text
from kctui.ui.widgets.colors import theme_styles
from kctui.ui.widgets.themed_table import StretchTable

MANY_REMOVALS = 20  # removing rows one by one costs more than refilling the table past this
CACHED_CELLS = 5_000  # rows whose cells are kept (a page is 500; filters show and hide them)

COLUMNS = (
    ("mark", " ", 1),
    ("time", "Time (UTC)", 23),
    ("record", "Record", 10),
    ("origin", "Original record", 26),
    ("stage", "Stage", 16),
    ("exception", "Exception", 22),
    ("message", "Message", 0),
)


def row_key(dl: DeadLetter) -> str:
    return f"{dl.record.partition}:{dl.record.offset}"


class DlqTable(StretchTable):
    """Dead letters keyed by ``partition:offset``; rows are diffed when a filter narrows them."""

    DEFAULT_CSS = """
    DlqTable { height: 1fr; }
    """
    COLUMNS = COLUMNS
    START_WIDTH = 40

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, zebra_stripes=True)
        self._rows: dict[str, DeadLetter] = {}
        self._cell_cache: dict[str, dict[str, Text]] = {}  # row key -> cells but the mark
        self.marked: set[str] = set()

    def _restyle(self) -> None:
        self._cell_cache.clear()
        for key, dl in self._rows.items():
            for column, value in self._cells(dl).items():
                self.update_cell(key, column, value)

    def _cells(self, dl: DeadLetter) -> dict[str, Text]:
        """The row's cells; all but the mark are built once per dead letter and theme."""
        key = row_key(dl)
        cells = self._cell_cache.get(key)
        if cells is None:
            if len(self._cell_cache) >= CACHED_CELLS:
                self._cell_cache.clear()
            cells = self._cell_cache[key] = self._content_cells(dl)
        return {"mark": Text("✓" if key in self.marked else " "), **cells}

    def _content_cells(self, dl: DeadLetter) -> dict[str, Text]:
        muted = self._styles.get("muted", Style())
        error = self._styles.get("error", Style())
        has_headers = dl.has_connect_headers
        return {
            "time": Text(dl.record.time_text, style=muted),
            "record": Text(f"{dl.record.partition}@{dl.record.offset}"),
            "origin": Text(dl.origin_text, overflow="ellipsis", no_wrap=True),
            "stage": Text(dl.stage or "-", style=self._styles.get("accent", Style())),
            "exception": Text(dl.exception_short, style=error if has_headers else muted),
            "message": Text(
                mask_text(dl.message_line),
                overflow="ellipsis",
                no_wrap=True,
                style=Style() if has_headers else muted,
            ),
        }

    @property
    def dead_letters(self) -> list[DeadLetter]:
        """The rows in display order."""
        return [self._rows[str(row.key.value)] for row in self.ordered_rows]

    @property
    def current(self) -> DeadLetter | None:
        if not self._rows or self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - cursor outside the rows
            return None
        return self._rows.get(str(key.value))

    def show(self, dead_letters: list[DeadLetter]) -> None:
        """Show these rows in this order; removals are applied in place, the cursor is kept."""
        wanted = [row_key(dl) for dl in dead_letters]
        by_key = dict(zip(wanted, dead_letters, strict=True))
        if wanted == list(self._rows):
            return
        current = self.current
        gone = [k for k in self._rows if k not in by_key]
        if len(gone) > MANY_REMOVALS:
            self.clear()  # one by one, each removal walks every row
            self._rows = {}
        for key in gone if self._rows else ():
            self.remove_row(key)
            del self._rows[key]
        if list(self._rows) != wanted[: len(self._rows)]:
            self.clear()
            self._rows = {}
        for key in wanted[len(self._rows) :]:
            self._rows[key] = by_key[key]
            self.add_row(*self._cells(by_key[key]).values(), key=key)
        self.marked &= set(self._rows)
        if current is not None and row_key(current) in self._rows:
            self.move_cursor(row=self.get_row_index(row_key(current)))

    def toggle_mark(self) -> None:
        dl = self.current
        if dl is None:
            return
        key = row_key(dl)
        self.marked.symmetric_difference_update({key})
        self.update_cell(key, "mark", self._cells(dl)["mark"])

    @property
    def marked_dead_letters(self) -> list[DeadLetter]:
        return [dl for dl in self.dead_letters if row_key(dl) in self.marked]


class DlqTopicTable(DataTable[Text]):
    """DLQ topics of the cluster with their connector and record count; enter opens one."""

    DEFAULT_CSS = """
    DlqTopicTable { height: 1fr; }
    """

    class Chosen(Message):
        """The user chose a topic to browse."""

        def __init__(self, topic: str) -> None:
            super().__init__()
            self.topic = topic

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row")
        self._infos: dict[str, TopicInfo] = {}

    def on_mount(self) -> None:
        self.add_column("DLQ topic", key="topic", width=36)
        self.add_column("Connector", key="connector", width=30)
        self.add_column("Records", key="records", width=12)
        self.add_column("Partitions", key="partitions", width=10)
        self.add_column("Problem", key="problem", width=60)

    def show(self, infos: list[TopicInfo]) -> None:
        error = theme_styles(self.app).get("error", Style())
        for info in infos:
            failed = info.error is not None
            cells = {
                "topic": Text(info.topic),
                "connector": Text(info.connector or "-"),
                "records": Text("-" if failed else f"{info.count:,}", justify="right"),
                "partitions": Text("-" if failed else str(len(info.bounds)), justify="right"),
                "problem": Text(info.error or "", style=error, overflow="ellipsis", no_wrap=True),
            }
            if info.topic in self._infos:
                for column, cell in cells.items():
                    self.update_cell(info.topic, column, cell)
            else:
                self.add_row(*cells.values(), key=info.topic)
            self._infos[info.topic] = info

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(str(event.row_key.value)))
