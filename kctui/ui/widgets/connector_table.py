"""The connector table: one row per connector, updated in place by diffing snapshots."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from kctui.rows import ConnectorRow
from kctui.ui.widgets.themed_table import ThemedTable

WIDE_AT = 120  # columns of terminal from which the table adds class, worker names and reason
WIDER_AT = 150  # ... and from which two worker ids fit side by side
WIDE_WORKERS, WIDER_WORKERS = 22, 33  # workers column widths (wide, wider)
MIN_REASON = 12  # the reason column keeps this much when names take the room
# The last action's mark beside the state, and its colour (theme style names).
ACTION_MARKS = {"pending": "⟳", "ok": "✓", "failed": "✗"}
ACTION_STYLES = {"pending": "accent", "ok": "RUNNING", "failed": "FAILED"}

NARROW_COLUMNS = (
    ("health", "Health", 10),
    ("name", "Name", 0),
    ("type", "Type", 6),
    ("state", "State", 10),
    ("tasks", "Tasks", 5),
    ("failed", "Fail", 4),
    ("workers", "Wkr", 3),
)
# Added after "Fail" once JMX metrics arrive (kctui.ui.metrics_poller).
METRIC_COLUMNS = (("rate", "Rec/s", 7), ("lag", "Lag", 8))

WIDE_COLUMNS = (
    ("health", "Health", 10),
    ("name", "Name", 0),
    ("type", "Type", 6),
    ("state", "State", 10),
    ("tasks", "Tasks", 5),
    ("failed", "Fail", 4),
    ("class", "Class", 26),
    ("workers", "Workers", 22),  # WIDE_WORKERS
    ("reason", "Reason", 0),
)


class ConnectorTable(ThemedTable):
    """Rows keyed by connector name; ``show(rows)`` adds, removes and updates only what changed."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._rows: dict[str, ConnectorRow] = {}
        self._order: list[str] = []
        self._wide = False
        self._metric_cells: dict[str, tuple[str, str]] | None = None  # name -> (rate, lag)
        self._tier = 0  # 0 narrow, 1 wide, 2 wider
        self._fitted_for = 0  # the longest name the widths were fitted to
        self._actions: dict[str, tuple[str, str]] = {}  # name -> (last action text, kind)
        self.cells_updated = 0  # how many cells the last show() touched (tests, benchmarks)
        self.marked: frozenset[str] = frozenset()  # marked for a bulk action (space)

    # ------------------------------------------------------------------ layout

    def _restyle(self) -> None:
        self._rebuild()

    def on_resize(self) -> None:
        tier = 2 if self.size.width >= WIDER_AT else 1 if self.size.width >= WIDE_AT else 0
        if tier != self._tier or not self.columns:
            self._tier, self._wide = tier, tier > 0
            self._rebuild()
        else:
            self._fit_name_column()

    def _columns(self) -> tuple[tuple[str, str, int], ...]:
        columns = self._base_columns()
        if self._metric_cells is None:
            return columns
        if not self._wide:  # at 80 columns the name needs the room of type and worker count
            columns = tuple(c for c in columns if c[0] not in ("type", "workers"))
        at = next(i for i, c in enumerate(columns) if c[0] == "failed") + 1
        return columns[:at] + METRIC_COLUMNS + columns[at:]  # after "Fail"

    def show_metrics(self, cells: dict[str, tuple[str, str]]) -> None:
        """Records/s and lag per connector; the columns appear with the first call."""
        first = self._metric_cells is None
        before, self._metric_cells = self._metric_cells or {}, dict(cells)
        if first:
            self._rebuild()
            return
        for name in self._order:
            if before.get(name) != cells.get(name):
                rate, lag = cells.get(name, ("–", "–"))
                self.update_cell(name, "rate", Text(rate, justify="right"))
                self.update_cell(name, "lag", Text(lag, justify="right"))

    def show_actions(self, actions: dict[str, tuple[str, str]]) -> None:
        """The last action per connector (text, ``pending``/``ok``/``failed``), kept on its
        row until the next one: a mark beside the state and, when wide, the text."""
        before, self._actions = self._actions, dict(actions)
        for name in self._order:
            if before.get(name) != self._actions.get(name):
                row = self._rows[name]
                cells = self._cells(row)
                for key in ("state", "reason"):
                    if key in cells:
                        self.update_cell(name, key, cells[key])

    def _base_columns(self) -> tuple[tuple[str, str, int], ...]:
        if self._tier == 2:
            return tuple(
                (key, label, WIDER_WORKERS if key == "workers" else width)
                for key, label, width in WIDE_COLUMNS
            )
        return WIDE_COLUMNS if self._wide else NARROW_COLUMNS

    def _build_columns(self) -> None:
        for key, label, width in self._columns():
            self.add_column(label, key=key, width=width or 12)
        self._fit_name_column()

    def _fit_name_column(self) -> None:
        """Give the flexible columns what the fixed ones leave, names first.

        Names get the room they need before the reason (which keeps at least
        ``MIN_REASON``); at 150+ columns the workers column gives back what it has beyond
        the wide width when the names need it.
        """
        columns = self._columns()
        fixed = sum(width + 2 for _, _, width in columns if width)
        flexible = sum(1 for _, _, width in columns if not width)
        spare = max(12, self.size.width - fixed - 2 * flexible - 2)
        if not self._wide:
            self._set_widths({"name": spare})
            return
        need = max([len("Name")] + [len(name) for name in self._order])
        widths: dict[str, int] = {}
        workers = next((w for key, _, w in columns if key == "workers"), 0)
        if workers > WIDE_WORKERS and need > spare - MIN_REASON:
            give = min(workers - WIDE_WORKERS, need - (spare - MIN_REASON))
            widths["workers"], spare = workers - give, spare + give
        elif workers:
            widths["workers"] = workers
        name_width = min(need, max(12, spare - MIN_REASON))
        widths.update(name=name_width, reason=max(MIN_REASON, spare - name_width))
        self._set_widths(widths)
        self._fitted_for = need

    def _rebuild(self) -> None:
        """Recreate columns and rows (theme or width class changed; not on refresh)."""
        selected = self.selected_name
        rows = [self._rows[name] for name in self._order]
        self.clear(columns=True)
        self._rows, self._order = {}, []
        self._build_columns()
        self.show(rows)
        if selected is not None:
            self.select(selected)

    # ------------------------------------------------------------------ cells

    def _cells(self, row: ConnectorRow) -> dict[str, Text]:
        styles = self._styles
        muted = styles.get("muted", Style())
        failed_style = styles.get("FAILED", Style()) if row.failed_task_ids else muted
        cells = {
            "health": Text(row.health.value, style=styles.get(row.health.value, Style())),
            "name": Text(row.name, style=self._name_style(row), overflow="ellipsis"),
            "type": Text(row.type, style=muted),
            "state": Text(row.state, style=styles.get(row.state, Style())),
            "tasks": Text(f"{row.tasks_running}/{row.tasks_total}", justify="right"),
            "failed": Text(str(row.tasks_failed), style=failed_style, justify="right"),
        }
        if self._metric_cells is not None:
            rate, lag = self._metric_cells.get(row.name, ("–", "–"))
            cells["rate"] = Text(rate, justify="right")
            cells["lag"] = Text(lag, justify="right")
        action = self._actions.get(row.name)
        if action is not None:
            text, kind = action
            action_style = styles.get(ACTION_STYLES.get(kind, "accent"), Style())
            cells["state"].append(" " + ACTION_MARKS.get(kind, "·"), action_style)
        if self._wide:
            cells["class"] = Text(row.connector_class.rsplit(".", 1)[-1], style=muted)
            cells["workers"] = Text(", ".join(row.workers) or "-", style=muted)
            reason = Text(overflow="ellipsis", no_wrap=True)
            if action is not None:
                reason.append(action[0], action_style)
                reason.append("  ·  " if row.reason else "", muted)
            reason.append(row.reason)
            cells["reason"] = reason
        else:
            cells["workers"] = Text(str(len(row.workers)), justify="right")
        shown = {key for key, _, _ in self._columns()}
        return {key: cell for key, cell in cells.items() if key in shown}

    def _name_style(self, row: ConnectorRow) -> Style:
        style = Style(bold=row.health.is_problem)
        if row.name in self.marked:  # marked for a bulk action: accent colour, underlined
            style += self._styles.get("accent", Style()) + Style(underline=True)
        return style

    def set_marked(self, names: set[str] | frozenset[str]) -> None:
        """Show ``names`` as marked; only the rows whose mark changed are redrawn."""
        before, self.marked = self.marked, frozenset(names)
        for name in (before ^ self.marked) & set(self._rows):
            self.update_cell(name, "name", self._cells(self._rows[name])["name"])

    # ------------------------------------------------------------------ data

    @property
    def selected_name(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - cursor outside the rows
            return None
        return str(key.value) if key.value is not None else None

    @property
    def names(self) -> list[str]:
        return list(self._order)

    def select(self, name: str) -> bool:
        if name not in self._rows:
            return False
        self.move_cursor(row=self.get_row_index(name), scroll=True)
        return True

    def show(self, rows: list[ConnectorRow]) -> None:
        """Bring the table to ``rows`` (already ordered) touching only what changed."""
        selected = self.selected_name
        old_row_index = self.cursor_row
        wanted = {row.name: row for row in rows}
        touched = 0
        for name in [n for n in self._order if n not in wanted]:
            self.remove_row(name)
            del self._rows[name]
            touched += 1
        for row in rows:
            previous = self._rows.get(row.name)
            if previous is None:
                cells = self._cells(row)
                self.add_row(*(cells[key] for key, _, _ in self._columns()), key=row.name)
                touched += 1
            elif previous != row:
                old_cells, new_cells = self._cells(previous), self._cells(row)
                for key, value in new_cells.items():
                    if old_cells.get(key) != value:
                        self.update_cell(row.name, key, value)
                        touched += 1
            self._rows[row.name] = row
        order = [row.name for row in rows]
        current = sorted(self._rows, key=lambda n: self.get_row_index(n)) if touched else order
        if current != order:
            position = {name: index for index, name in enumerate(order)}
            self.sort("name", key=lambda cell: position[cell.plain])
        self._order = order
        if self._wide and max([len("Name")] + [len(n) for n in order]) != self._fitted_for:
            self._fit_name_column()
        self.cells_updated = touched
        if selected is not None and selected in wanted:
            index = self.get_row_index(selected)
            if index != self.cursor_row:
                self.move_cursor(row=index, scroll=False)
        elif order and selected is not None:
            self.move_cursor(row=min(old_row_index, len(order) - 1), scroll=False)
