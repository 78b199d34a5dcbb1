"""Tasks of one connector: id, state, worker, first line of the trace; diffed in place."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from kctui.connect.models import FAILED, Connector, TaskStatus
from kctui.masking import mask_text
from kctui.ui.widgets.themed_table import StretchTable

COLUMNS = (
    ("id", "Task", 4),
    ("state", "State", 10),
    ("worker", "Worker", 16),
    ("trace", "Trace", 0),
)


class TaskList(StretchTable):
    """Rows keyed by task id; the cursor starts on the first FAILED task of a connector."""

    COLUMNS = COLUMNS

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.connector_name: str | None = None
        self._tasks: dict[int, TaskStatus] = {}

    def _restyle(self) -> None:
        for task in self._tasks.values():
            for key, value in self._cells(task).items():
                self.update_cell(str(task.id), key, value)

    def _cells(self, task: TaskStatus) -> dict[str, Text]:
        muted = self._styles.get("muted", Style())
        return {
            "id": Text(str(task.id), justify="right"),
            "state": Text(task.state, style=self._styles.get(task.state, Style())),
            "worker": Text(task.worker_id or "-", style=muted, overflow="ellipsis"),
            "trace": Text(
                mask_text(task.trace_first_line),
                style=self._styles.get("FAILED", Style()) if task.trace else muted,
                overflow="ellipsis",
                no_wrap=True,
            ),
        }

    @property
    def selected_task(self) -> TaskStatus | None:
        if not self._tasks or self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - cursor outside the rows
            return None
        return self._tasks.get(int(str(key.value)))

    def show(self, connector: Connector | None) -> None:
        """Show ``connector``'s tasks; a new connector resets the rows and the cursor."""
        name = connector.name if connector is not None else None
        tasks = {task.id: task for task in (connector.tasks if connector is not None else ())}
        if name != self.connector_name:
            self.clear()
            self._tasks = {}
            self.connector_name = name
        selected = self.selected_task
        for task_id in [i for i in self._tasks if i not in tasks]:
            self.remove_row(str(task_id))
            del self._tasks[task_id]
        added = False
        for task in tasks.values():
            previous = self._tasks.get(task.id)
            if previous is None:
                cells = self._cells(task)
                self.add_row(*(cells[key] for key, _, _ in COLUMNS), key=str(task.id))
                added = True
            elif previous != task:
                old, new = self._cells(previous), self._cells(task)
                for key, value in new.items():
                    if old[key] != value:
                        self.update_cell(str(task.id), key, value)
            self._tasks[task.id] = task
        if added:
            self.sort("id", key=lambda cell: int(cell.plain))
        if selected is None or selected.id not in tasks:
            failed = [t.id for t in tasks.values() if t.state == FAILED]
            target = min(failed) if failed else (min(tasks) if tasks else None)
            if target is not None:
                self.move_cursor(row=self.get_row_index(str(target)), scroll=True)
        elif added:
            self.move_cursor(row=self.get_row_index(str(selected.id)), scroll=False)
