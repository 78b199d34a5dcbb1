"""Installed plugins (connectors, transforms, converters, predicates) and the plugin picker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from kctui.connect.models import PluginInfo
from kctui.settings import ClusterConfig
from kctui.ui.screens.base import KctuiModalScreen, KctuiScreen

TYPE_ORDER = ("source", "sink", "converter", "header_converter", "transformation", "predicate")


def sorted_plugins(plugins: Sequence[PluginInfo]) -> list[PluginInfo]:
    def key(plugin: PluginInfo) -> tuple[int, str]:
        rank = TYPE_ORDER.index(plugin.type) if plugin.type in TYPE_ORDER else len(TYPE_ORDER)
        return rank, plugin.class_name

    unique = {(p.type, p.class_name, p.version): p for p in plugins}
    return sorted(unique.values(), key=key)


class PluginsScreen(KctuiScreen[None]):
    """Every plugin of the cluster with its type and version (``connectorsOnly=false``)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="app.back", key_display="esc"),
        Binding("c", "create", "Create connector", id="plugins.create"),
        Binding("ctrl+r", "reload", "Reload", id="plugins.reload", show=False),
    ]

    def __init__(self, cluster: ClusterConfig) -> None:
        super().__init__(id="plugins")
        self.cluster = cluster
        self.plugins: list[PluginInfo] = []

    def compose(self) -> ComposeResult:
        yield Static("Loading plugins...", id="plugins-summary")
        yield DataTable(id="plugins-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("TYPE", "CLASS", "VERSION")
        table.focus()
        self.load()

    @work(exclusive=True, group="plugins", exit_on_error=False)
    async def load(self) -> None:
        plugins = await self.session.api.plugins(connectors_only=False)
        self.show(plugins)

    def show(self, plugins: Sequence[PluginInfo]) -> None:
        self.plugins = sorted_plugins(plugins)
        table = self.query_one(DataTable)
        table.clear()
        for plugin in self.plugins:
            table.add_row(plugin.type, plugin.class_name, plugin.version or "-")
        counts: dict[str, int] = {}
        for plugin in self.plugins:
            counts[plugin.type] = counts.get(plugin.type, 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no plugins"
        self.query_one("#plugins-summary", Static).update(f"{len(self.plugins)} plugins: {summary}")
        self.refresh_bindings()

    def selected(self) -> PluginInfo | None:
        table = self.query_one(DataTable)
        if not self.plugins or table.cursor_row < 0 or table.cursor_row >= len(self.plugins):
            return None
        return self.plugins[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "create":
            if self.session.read_only:
                return False
            plugin = self.selected()
            return True if plugin is not None and plugin.type in ("source", "sink") else None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Shown here too (the app's notice comes from KctuiScreen)."""
        self.query_one("#plugins-summary", Static).update(f"cannot list plugins: {worker.error}")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_create(self) -> None:
        from kctui.ui.screens.editing import EditFlow

        plugin = self.selected()
        if plugin is None:
            return
        flow = EditFlow(self.console)
        self.app.run_worker(
            flow.create(plugin.class_name), name="create connector", group="operate",
            exclusive=True, exit_on_error=False,
        )  # fmt: skip


class PluginPicker(KctuiModalScreen[str | None]):
    """Pick the connector plugin to create a connector of; ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.close")]

    def __init__(self, plugins: Sequence[PluginInfo]) -> None:
        super().__init__()
        self.plugins = [p for p in sorted_plugins(plugins) if p.type in ("source", "sink")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Create a connector: pick its plugin (enter), esc cancels")
            yield OptionList(
                *[
                    Option(f"{p.type:<6} {p.class_name}  {p.version}", id=p.class_name)
                    for p in self.plugins
                ],
                id="plugin-options",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if not self.plugins:
            self.notify("The cluster lists no connector plugin.", severity="warning")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
