"""KctuiApp: wiring only (session, pollers, screens, themes, keymap, one worker-error handler)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from kctui.connect.models import ClusterState
from kctui.connect.protocol import ConnectApi
from kctui.connect.retries import RetryNotice
from kctui.diagnose.model import Rule
from kctui.errors import KctuiError
from kctui.masking import mask_text
from kctui.settings import ClusterConfig
from kctui.ui import features
from kctui.ui.messages import ActionProgress
from kctui.ui.poller import ClusterPoller
from kctui.ui.session import ConsoleSession
from kctui.ui.themes import DEFAULT_THEME, load_themes
from kctui.ui.view import Counters
from kctui.ui.widgets.status_bar import StatusInfo

if TYPE_CHECKING:
    from kctui.ui.health_poller import WorkerHealthPoller
    from kctui.ui.metrics_poller import MetricsPoller


class KctuiApp(App[None]):
    """The console. Screens read ``session_of(self)`` (kctui.ui.session), not the app."""

    CSS_PATH = "app.tcss"
    TITLE = "kctui"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding(
            "colon", "command_palette", "Palette", id="app.palette", key_display=":", show=False
        ),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("ctrl+r", "refresh", "Refresh", id="app.refresh", show=False),
    ]

    def __init__(
        self,
        cluster: ClusterConfig,
        *,
        client: ConnectApi | None = None,
        theme: str | None = None,
        keymap: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        user_theme_dir: Path | None = None,
        remembered_theme: str | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        super().__init__()
        self.cluster = cluster
        # the rules the command loaded (the shipped ones with the user's); tests: the shipped
        self.session = ConsoleSession(cluster, client)
        if rules is not None:
            self.session.rules = tuple(rules)
        self._owns_client = client is None
        self.poller = ClusterPoller(self, self.session, cluster.refresh_seconds)
        self.config_file = config_file
        self._requested_theme = theme
        self._remembered_theme = remembered_theme or DEFAULT_THEME
        self._user_theme_dir = user_theme_dir
        self._keymap_config = dict(keymap or {})
        self.metrics_poller: MetricsPoller | None = None
        self.health_poller: WorkerHealthPoller | None = None
        self.editor_command: Sequence[str] | None = None  # tests: the editor to run

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    @property
    def keymap(self) -> dict[str, str]:
        """The ``[keymap]`` of the config: binding id -> keys (the help screen shows it)."""
        return dict(self._keymap_config)

    @property
    def state(self) -> ClusterState | None:
        """The session's latest cluster state (a read-only shortcut for tests and tools)."""
        return self.session.state

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        loaded = load_themes(self._user_theme_dir)
        for theme in loaded.themes:
            self.register_theme(theme)
        for problem in loaded.problems:
            self.notify(problem, title="theme skipped", severity="warning")
        wanted = self._requested_theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            self.notify(f"unknown theme '{wanted}', using {DEFAULT_THEME}", severity="warning")
            wanted = DEFAULT_THEME
        self.theme = wanted
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self._keymap_config:
            self.set_keymap(self._keymap_config)
        if self.session.client is None:
            from kctui.connect.client import ConnectClient

            try:
                self.session.client = ConnectClient(self.cluster)
            except KctuiError as exc:  # e.g. a CA file that cannot be read
                self.exit(return_code=exc.exit_code, message=f"kctui: {exc}")
                return
        self.session.client.on_retry = self._request_retrying
        from kctui.ui.screens.overview import OverviewScreen

        self.push_screen(OverviewScreen())
        self.poller.refresh_now()
        from kctui.ui.metrics_poller import MetricsPoller

        if self.metrics_poller is None:
            self.metrics_poller = MetricsPoller(self, self.session)
        self.metrics_poller.start()  # polls only when the cluster has metrics sources
        if self.health_poller is None and self._owns_client:
            from kctui.ui.health_poller import WorkerHealthPoller

            self.health_poller = WorkerHealthPoller(self)
        if self.health_poller is not None:
            self.health_poller.start()

    async def on_unmount(self) -> None:
        self.poller.stop()
        if self.health_poller is not None:
            self.health_poller.stop()
        if self.metrics_poller is not None:
            self.metrics_poller.stop()
        if self._owns_client and self.session.client is not None:
            await self.session.client.aclose()

    def _remember_theme(self, theme: Theme) -> None:
        """Save the theme the user picked (not secrets, only ``theme = ...``)."""
        if self.config_file is None or theme.name == self._remembered_theme:
            return
        self._remembered_theme = theme.name
        from kctui.configfile import update_config

        try:
            update_config(self.config_file, theme=theme.name)
        except (KctuiError, OSError) as exc:
            self.notify(f"theme not remembered: {exc}", severity="warning")

    # ------------------------------------------------------------------ shared helpers

    def status_info(self) -> StatusInfo:
        session = self.session
        state, info, health = session.state, session.server_info, session.worker_health
        return StatusInfo(
            cluster=self.cluster.name,
            read_only=self.read_only,
            kafka_version=str(info.version) if info else None,
            workers=len(state.workers) if state else 0,
            counters=Counters.of(session.rows(state), state) if state else None,
            refreshed_at=state.fetched_at if state else None,
            refresh_seconds=self.poller.interval,
            following=tuple(sorted(self.poller.follows)),
            workers_healthy=(
                None if health is None else (sum(h.healthy for h in health), len(health))
            ),
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Failures of the app's own workers (screens forward theirs: KctuiScreen)."""
        if event.state == WorkerState.ERROR:
            self.report_worker_failure(event.worker)

    def report_worker_failure(self, worker: Worker[Any]) -> None:
        """The one place where a failed request becomes a visible, non-fatal notice."""
        error = worker.error
        message = (
            str(error) if isinstance(error, KctuiError) else f"{type(error).__name__}: {error}"
        )
        self.notify(
            mask_text(message), title=f"{worker.name or 'request'} failed", severity="error"
        )

    # ------------------------------------------------------------------ actions

    def _request_retrying(self, notice: RetryNotice) -> None:
        """A mutating request made outside a lifecycle action (edit, offsets, log levels)
        meets a rebalance: say so at once rather than wait silently."""
        if notice.attempt == 2:
            from urllib.parse import urlsplit

            where = f"{notice.method} {urlsplit(notice.url).path or notice.url}"
            self.notify(f"{where}: {notice}", title="cluster rebalancing", severity="warning")

    def set_outcome(self, names: Iterable[str], text: str, kind: str) -> None:
        """Record how the last action on ``names`` goes (kept until the next action) and
        tell every screen at once, so rows and details show it without waiting."""
        connectors, text = self.session.record_outcome(names, text, kind)
        for screen in list(self.screen_stack):
            screen.post_message(ActionProgress(connectors, text, kind))

    def notify(self, message: str, *, title: str = "", **kwargs: Any) -> None:
        """Every notice goes through the masking pass: errors quote Connect's answers, and a
        validation error can quote a connection URL with its password."""
        super().notify(mask_text(str(message)), title=mask_text(title), **kwargs)

    def secrets_on_screen(self) -> bool:
        """True while a screen shows revealed secrets (``v`` in the connector screen)."""
        return any(getattr(screen, "revealed", False) for screen in self.screen_stack)

    def save_screenshot(self, *args: Any, **kwargs: Any) -> str:
        """Refuse to write a screenshot while secrets are revealed (they never go to disk)."""
        if self.secrets_on_screen():
            self.notify("Mask the secrets first (v): no screenshot", severity="warning")
            return ""
        return super().save_screenshot(*args, **kwargs)

    def deliver_screenshot(self, *args: Any, **kwargs: Any) -> str | None:
        if self.secrets_on_screen():
            self.notify("Mask the secrets first (v): no screenshot", severity="warning")
            return None
        return super().deliver_screenshot(*args, **kwargs)

    def action_refresh(self) -> None:
        self.poller.refresh_now()

    def action_help(self) -> None:
        from kctui.ui.screens.help import HelpScreen, key_rows

        self.push_screen(HelpScreen(key_rows(self.screen)))

    def _open_feature(self, label: str, build: Callable[[], Screen[None]]) -> None:
        """Push the screen ``build`` makes; say so when its module is missing (a partial
        install), and raise anything else (a screen that fails to import is a bug)."""
        try:
            screen = build()
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("kctui.ui.screens."):
                raise
            self.notify(f"{label} is not available yet", severity="warning")
            return
        self.push_screen(screen)

    def open_dlq(self, topic: str | None = None) -> None:
        topics = self.session.dlq_topics()
        self._open_feature("DLQ browser", lambda: features.dlq_screen(self.cluster, topics, topic))

    def open_logs(
        self, connector: str | None = None, task: int | None = None, *, around_failure: bool = False
    ) -> None:
        self._open_feature(
            "Log view",
            lambda: features.log_screen(
                self.cluster, connector, task, around_failure=around_failure
            ),
        )

    def open_metrics(self, connector: str | None = None) -> None:
        self._open_feature("Metrics", lambda: features.metrics_screen(self.cluster, connector))

    def open_plugins(self) -> None:
        self._open_feature("Plugins", lambda: features.plugins_screen(self.cluster))

    def open_loggers(self) -> None:
        self._open_feature("Loggers", lambda: features.loggers_screen(self.cluster))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every enabled key of the screen, plus the feature screens, in the palette."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen:
                continue
            if binding.action in ("command_palette", "quit"):
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"key {binding.key_display or binding.key}",
                partial(self.run_action, binding.action, active.node),
            )
        yield SystemCommand("dlq", "Browse every dead letter queue", partial(self.open_dlq, None))
        yield SystemCommand("logs", "Worker logs of the whole cluster", partial(self.open_logs))
        yield SystemCommand("metrics", "Worker and task metrics (JMX)", partial(self.open_metrics))
        yield SystemCommand("plugins", "Installed plugins and versions", self.open_plugins)
        yield SystemCommand("loggers", "Worker log levels; set a level", self.open_loggers)
        yield SystemCommand("refresh", "Refresh the cluster state now", self.action_refresh)
