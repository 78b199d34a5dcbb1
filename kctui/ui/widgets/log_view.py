"""The log lines widget: Line API rendering of records, folded stack traces, follow mode.

Rows are packed record keys pushed down by the log screen. Their text is read lazily, only
for the rows that scroll into view, and never while drawing: the view asks a
:class:`~kctui.ui.widgets.log_loader.RecordLoader` (a queue its screen's thread reads),
draws a placeholder, and draws the record when it arrives (kept in small LRU caches). So a
1 GiB file costs the same as a small one to draw, and a slow mount never freezes the console.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kctui.ui.highlight import ROLE_STYLES
from kctui.ui.widgets.log_loader import LoadedRecord, RecordLoader, RecordStore
from kctui.ui.widgets.log_render import header_text, trace_text

PLACEHOLDER = "  …"  # a row whose record is not read yet


class LogView(ScrollView, can_focus=True):
    """Records of one or more workers; stack traces fold under their line (enter expands)."""

    COMPONENT_CLASSES = {
        "log-view--failure",
        "log-view--offset",
        "log-view--rebalance",
        "log-view--worker",
        "log-view--lifecycle",
        "log-view--warn",
        "log-view--error",
        "log-view--debug",
        "log-view--muted",
        "log-view--trace",
        "log-view--tag",
        "log-view--cursor",
    }
    DEFAULT_CSS = """
    LogView { background: $surface; scrollbar-gutter: stable; }
    LogView > .log-view--failure { color: $error; text-style: bold; }
    LogView > .log-view--offset { color: $warning; }
    LogView > .log-view--rebalance { color: $accent; }
    LogView > .log-view--worker { color: $primary; text-style: bold; }
    LogView > .log-view--lifecycle { color: $success; }
    LogView > .log-view--warn { color: $warning; }
    LogView > .log-view--error { color: $error; }
    LogView > .log-view--debug { color: $foreground 50%; }
    LogView > .log-view--muted { color: $foreground 50%; }
    LogView > .log-view--trace { color: $error 75%; }
    LogView > .log-view--tag { color: $secondary; }
    LogView > .log-view--cursor { background: $primary-muted; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="log-view.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="log-view.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="log-view.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="log-view.page-down"),
        Binding("home,g", "edge(0)", "Top", show=False, id="log-view.top"),
        Binding("end,G", "edge(1)", "Bottom", show=False, id="log-view.bottom"),
        Binding("enter,space", "toggle_fold", "Trace", id="log-view.fold"),
    ]

    follow: reactive[bool] = reactive(True)
    new_lines: reactive[int] = reactive(0)
    cursor: reactive[int] = reactive(-1)

    class StateChanged(Message):
        """Follow mode, pending new lines or the cursor changed (for the status line)."""

        def __init__(self, view: LogView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> LogView:
            return self.view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.StateChanged) and message.view is self.view

    class RecordsLoaded(Message):
        """Records read off the UI thread by the loader (posted from its thread)."""

        def __init__(self, records: list[LoadedRecord]) -> None:
            super().__init__()
            self.records = records

    def __init__(self, loader: RecordLoader, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loader = loader
        self.rows: array[int] = array("Q")
        self.failure_rows: array[int] = array("Q")
        self.show_worker = False
        self._expanded: dict[int, int] = {}  # packed key -> continuation lines shown
        self._exp_rows: list[tuple[int, int]] = []  # (row, extra lines), sorted by row
        self._to_expand: set[int] = set()  # asked to unfold before its trace was read
        self._store = RecordStore(loader)
        self._styles: dict[str, Style] = {}
        self._max_width = 0
        self._scrolling = False

    # ------------------------------------------------------------------ geometry

    @property
    def extra_lines(self) -> int:
        return sum(extra for _, extra in self._exp_rows)

    def _line_of_row(self, row: int) -> int:
        return row + sum(extra for r, extra in self._exp_rows if r < row)

    def _row_at(self, y: int) -> tuple[int, int]:
        before = 0
        for row, extra in self._exp_rows:
            start = row + before
            if y < start:
                break
            if y <= start + extra:
                return row, y - start
            before += extra
        return y - before, 0

    def _update_size(self) -> None:
        height = len(self.rows) + self.extra_lines
        width = max(self._max_width, self.scrollable_content_region.width)
        self.virtual_size = Size(width, height)

    def _reindex_expanded(self) -> None:
        positions: list[tuple[int, int]] = []
        for key, extra in list(self._expanded.items()):
            try:
                positions.append((self.rows.index(key), extra))
            except ValueError:
                del self._expanded[key]
        self._exp_rows = sorted(positions)

    # ------------------------------------------------------------------ rows

    def reset_rows(
        self, rows: array[int], failure_rows: array[int], *, growing: Sequence[int] | None = None
    ) -> None:
        """New rows (filter changed, more of the file indexed); the cursor's record stays put.

        ``growing``: the records that may have changed (read again, drawn as they were
        meanwhile); None: any may have.
        """
        anchor = self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None
        offset = self._line_of_row(self.cursor) - round(self.scroll_y) if anchor is not None else 0
        self.rows, self.failure_rows = rows, failure_rows
        if growing is None:
            self._store.invalidate()
        for key in growing or ():
            self._store.invalidate(key)
        self._reindex_expanded()
        self._update_size()
        if self.follow or not rows:
            self.new_lines = 0
            self._go_end()
        else:
            index = -1
            if anchor is not None:
                try:
                    index = rows.index(anchor)
                except ValueError:
                    index = -1
            if index < 0:
                index = min(max(self.cursor, 0), len(rows) - 1)
            self.cursor = index
            self._scroll_to_line(self._line_of_row(index) - offset)
        self._changed()

    def append_rows(self, rows: array[int], failure_rows: array[int]) -> None:
        """Records that arrived while following (or while paused: counted as new lines)."""
        if not rows:
            return
        if self.rows:  # the last record may have grown: read it again
            self._store.invalidate(self.rows[-1])
        base = len(self.rows)
        self.rows.extend(rows)
        self.failure_rows.extend(base + i for i in failure_rows)
        self._update_size()
        if self.follow:
            self._go_end()
        else:
            self.new_lines += len(rows)
        self._changed()

    # ------------------------------------------------------------------ reading (off the UI thread)

    def record(self, packed: int, *, trace: bool = False) -> LoadedRecord | None:
        """The record as last read (None: not read yet); a missing or stale one is asked for
        (``trace``: with its continuation lines). Never reads a file."""
        return self._store.get(packed, trace=trace or packed in self._expanded)

    def trace(self, packed: int) -> tuple[str, ...] | None:
        """A record's continuation lines as last read (None: not read yet)."""
        return self._store.trace(packed)

    def deliver(self, records: list[LoadedRecord]) -> None:
        """Hand records read by the loader to the view (thread-safe: posts a message)."""
        self.post_message(self.RecordsLoaded(records))

    def on_log_view_records_loaded(self, message: LogView.RecordsLoaded) -> None:
        cursor_key = self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None
        geometry = cursor_changed = False
        for loaded in message.records:
            key = loaded.key
            if not self._store.store(loaded):
                continue
            if loaded.trace is not None:
                geometry = self._fit_fold(key, len(loaded.trace)) or geometry
            elif not loaded.count and (key in self._expanded or key in self._to_expand):
                geometry = self._fit_fold(key, 0) or geometry
            cursor_changed = cursor_changed or key == cursor_key
        if geometry:
            self._reindex_expanded()
            self._update_size()
        if cursor_changed:
            self._changed()
        else:
            self.refresh()

    def _fit_fold(self, key: int, lines: int) -> bool:
        """An unfolded (or asked to unfold) record shows its trace's lines; True if it moved."""
        wanted = key in self._to_expand
        self._to_expand.discard(key)
        if key not in self._expanded and not wanted:
            return False
        if not lines:
            return self._expanded.pop(key, None) is not None
        if self._expanded.get(key) == lines:
            return False
        self._expanded[key] = lines
        return True

    # ------------------------------------------------------------------ moving

    def _scroll_to_line(self, y: int) -> None:
        self._scrolling = True
        try:
            self.scroll_to(y=max(0, y), animate=False, immediate=True)
        finally:
            self._scrolling = False

    def _go_end(self) -> None:
        if self.rows:
            self.cursor = len(self.rows) - 1
        self._scroll_to_line(self.max_scroll_y)
        self.call_after_refresh(self._settle_end)

    def _settle_end(self) -> None:
        """After layout the viewport may differ: stay at the end while following."""
        if self.follow and round(self.scroll_y) != self.max_scroll_y:
            self._scroll_to_line(self.max_scroll_y)

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        """A horizontal scrollbar that appears takes a line: stay at the end while following."""
        if self.follow:
            self.call_after_refresh(self._settle_end)

    def _changed(self) -> None:
        self.post_message(self.StateChanged(self))
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._scrolling or not self.rows:
            return
        at_end = round(new_value) >= round(self.max_scroll_y)
        if new_value < old_value and not at_end and self.follow:
            self.follow = False
        elif at_end and not self.follow and new_value > old_value:
            self.resume_follow()

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_lines = 0
        self._changed()

    def resume_follow(self) -> None:
        self.follow = True
        self.new_lines = 0
        self._go_end()
        self._changed()

    def move_to(self, row: int, *, expand: bool = False, center: bool = True) -> None:
        """Put the cursor on ``row`` (pausing follow unless it is the last row)."""
        if not self.rows:
            return
        row = max(0, min(row, len(self.rows) - 1))
        if row < len(self.rows) - 1 and self.follow:
            self.follow = False
        self.cursor = row
        if expand and self.rows[row] not in self._expanded:
            self.toggle_fold()
        line = self._line_of_row(row)
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_y)
        if center:
            self._scroll_to_line(line - height // 3)
        elif line < top:
            self._scroll_to_line(line)
        elif line >= top + height:
            self._scroll_to_line(line - height + 1)
        self._changed()

    def action_cursor(self, delta: int) -> None:
        start = self.cursor if self.cursor >= 0 else len(self.rows) - 1
        self.move_to(start + delta, center=False)
        if delta > 0 and self.cursor == len(self.rows) - 1:
            self.resume_follow()

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.action_cursor(direction * height)

    def action_edge(self, end: int) -> None:
        if end:
            self.resume_follow()
        else:
            self.move_to(0, center=False)

    def next_failure(self, direction: int = 1) -> bool:
        """Move to the next (1) or previous (-1) failure; False when there is none."""
        failures = self.failure_rows
        if direction > 0:
            index = bisect_right(failures, self.cursor)
        else:
            index = bisect_left(failures, self.cursor) - 1
        if not 0 <= index < len(failures):
            return False
        self.move_to(failures[index])
        return True

    def toggle_fold(self) -> None:
        if not 0 <= self.cursor < len(self.rows):
            return
        key = self.rows[self.cursor]
        if key in self._expanded or key in self._to_expand:
            self._expanded.pop(key, None)
            self._to_expand.discard(key)
        else:
            loaded, lines = self._store.get(key), self._store.trace(key)
            if loaded is not None and not loaded.count:
                return
            if lines is None:  # unfolded when its lines are read
                self._to_expand.add(key)
                self._store.ask(key, True)
                return
            self._expanded[key] = len(lines)
        self._reindex_expanded()
        self._update_size()
        self.refresh()

    def action_toggle_fold(self) -> None:
        self.toggle_fold()

    def is_expanded(self, packed: int) -> bool:
        return packed in self._expanded

    def on_click(self, event: object) -> None:
        y = getattr(event, "y", None)
        if y is None or not self.rows:
            return
        row, _ = self._row_at(round(self.scroll_y) + int(y))
        if 0 <= row < len(self.rows):
            if row == self.cursor:
                self.toggle_fold()
            self.move_to(row, center=False)

    # ------------------------------------------------------------------ drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            color = self.get_component_styles(name).color
            if color.a < 1:  # "$foreground 50%": blend into the background ourselves
                background = self.styles.background
                blended = background.blend(color.with_alpha(1), color.a)
                style += Style(color=blended.rich_color)
            self._styles[name] = style
        return style

    def _trace_style(self, role: str) -> Style:
        """A trace role's style from the one role map (kctui.ui.highlight.ROLE_STYLES), its
        theme variables resolved like the component classes (plain: the trace colour)."""
        name = "role:" + role
        style = self._styles.get(name)
        if style is None:
            spec = ROLE_STYLES.get(role, "")
            if not spec:
                return self._style("log-view--trace")
            parsed = self.app.stylesheet.parse_style(spec)
            background = self.styles.background
            color = parsed.foreground
            if color is not None and color.auto:  # "$text-muted": a contrast colour
                color = background.get_contrast_text(color.a)
            if color is not None and color.a < 1:
                color = background.blend(color.with_alpha(1), color.a)
            style = Style(
                color=color.rich_color if color is not None else None,
                bold=parsed.bold,
                italic=parsed.italic,
            )
            self._styles[name] = style
        return style

    def _placeholder(self) -> Text:
        return Text(PLACEHOLDER, self._style("log-view--muted"))

    def _header_text(self, packed: int) -> Text:
        loaded = self.record(packed)
        if loaded is None:
            return self._placeholder()
        expanded = packed in self._expanded
        return header_text(
            loaded.header,
            trace_lines=loaded.count,
            expanded=expanded,
            worker=loaded.worker if self.show_worker else None,
            style=self._style,
            cause=loaded.cause if not expanded else "",
        )

    def _trace_text(self, packed: int, index: int) -> Text:
        loaded = self.record(packed, trace=True)
        lines = self.trace(packed)
        if loaded is None or lines is None:
            return self._placeholder()
        content = lines[index] if index < len(lines) else ""
        return trace_text(
            content,
            failure=loaded.header.is_failure,
            style=self._style,
            role_style=self._trace_style,
        )

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row, sub = self._row_at(scroll_y + y)
        base = self.rich_style
        if not 0 <= row < len(self.rows):
            return Strip.blank(width, base)
        packed = self.rows[row]
        text = self._header_text(packed) if sub == 0 else self._trace_text(packed, sub - 1)
        text.no_wrap = True
        if text.cell_len > self._max_width:
            self._max_width = min(text.cell_len, 4096)
            self.call_later(self._update_size)
        segments = [
            Segment(s.text, base + s.style if s.style else base)
            for s in text.render(self.app.console)
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, base)
        if row == self.cursor and sub == 0:
            cursor = Style(bgcolor=self._style("log-view--cursor").bgcolor)
            strip = Strip([Segment(t, (st or base) + cursor, c) for t, st, c in strip], width)
        return strip
