"""The log viewer on its own (``kctui logs FILE…`` in a terminal): no Connect cluster needed."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import App
from textual.binding import Binding

from kctui.diagnose.model import Rule
from kctui.logs.filters import LogFilter
from kctui.settings import ClusterConfig
from kctui.ui.themes import DEFAULT_THEME, load_themes


class LogViewerApp(App[None]):
    """One :class:`~kctui.ui.screens.logs.LogScreen` over some log sources; escape or q quits."""

    CSS_PATH = "app.tcss"
    TITLE = "kctui logs"
    BINDINGS = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(
        self,
        cluster: ClusterConfig,
        log_filter: LogFilter,
        *,
        theme: str | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        super().__init__()
        self.cluster = cluster
        self.log_filter = log_filter
        self.rules = rules  # the diagnosis rules the command loaded (None: the shipped ones)
        self._theme_name = theme

    def on_mount(self) -> None:
        loaded = load_themes(None)
        for theme in loaded.themes:
            self.register_theme(theme)
        wanted = self._theme_name or DEFAULT_THEME
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME
        from kctui.ui.screens.logs import LogScreen

        self.push_screen(LogScreen(self.cluster, log_filter=self.log_filter, rules=self.rules))
