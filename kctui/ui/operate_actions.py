"""Operate keys on a connector: ``e`` edit config, ``c`` create, ``o`` offsets, ``x`` DEBUG logs.

Mixed into :class:`kctui.ui.actions.ConnectorActions`. ``x`` sets DEBUG cluster-wide for
the package of the selected connector's class and remembers the previous level; leaving
the connector (another row in the overview, or closing its detail screen) offers to put
the previous level back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from kctui.operate.loggers import current_level, package_of
from kctui.ui.session import DebugEntry, console_of

if TYPE_CHECKING:
    from kctui.ui.app import KctuiApp

__all__ = ["OPERATE_ACTIONS", "OPERATE_BINDINGS", "DebugEntry", "OperateActions"]

OPERATE_BINDINGS = [
    Binding("e", "edit_config", "Edit config", id="connector.edit-config"),
    Binding("c", "create_connector", "Create connector", id="connector.create", show=False),
    Binding("o", "offsets", "Offsets", id="connector.offsets", show=False),
    Binding("x", "debug_logging", "DEBUG logs", id="connector.debug-logging", show=False),
]
OPERATE_ACTIONS = frozenset({"edit_config", "create_connector", "offsets", "debug_logging"})
OPERATE_MUTATING = frozenset({"edit_config", "create_connector", "debug_logging"})


def debug_entries(app: KctuiApp) -> dict[str, DebugEntry]:
    """The loggers set to DEBUG by ``x`` (kept in the session, by logger name)."""
    return app.session.debug_loggers


def offer_revert(app: KctuiApp, entry: DebugEntry) -> None:
    """Ask whether to put ``entry.logger`` back to its previous level (once)."""
    from kctui.ui.screens.modals import ConfirmScreen

    debug_entries(app).pop(entry.logger, None)
    question = (
        f"{entry.logger} is at DEBUG for {entry.connector}. "
        f"Put it back to {entry.previous}{' cluster-wide' if entry.scope else ''}?"
    )

    def answered(ok: bool | None) -> None:
        if not ok:
            app.notify(f"{entry.logger} stays at DEBUG", title="DEBUG logging")
            return

        async def revert() -> None:
            await app.session.api.set_logger_level(entry.logger, entry.previous, scope=entry.scope)
            app.notify(f"{entry.logger} back to {entry.previous}", title="DEBUG logging")

        app.run_worker(
            revert(), name=f"revert {entry.logger}", group="loggers", exit_on_error=False
        )

    app.push_screen(ConfirmScreen("Revert log level", question), answered)


class OperateActions:
    """Needs ``selected_connector()`` from the screen."""

    @property
    def kctui(self) -> KctuiApp:
        """The console app of this screen, typed."""
        return console_of(self)  # type: ignore[arg-type]

    def check_operate_action(self, action: str, connector: Any) -> bool | None:
        app = self.kctui
        if action in OPERATE_MUTATING and app.read_only:
            return False
        if action == "create_connector":
            return True
        if action == "offsets":
            info = app.session.server_info
            if info is not None and not info.supports_offsets_read:
                return None
        return connector is not None  # hidden while nothing is selected, like the other keys

    # ------------------------------------------------------------------ actions

    def action_edit_config(self) -> None:
        from kctui.ui.screens.editing import EditFlow

        connector = self.selected_connector()  # type: ignore[attr-defined]
        if connector is None:
            return
        app = self.kctui
        revealed = bool(getattr(self, "revealed", False))
        app.run_worker(
            EditFlow(app).edit(connector.name, revealed=revealed),
            name=f"edit {connector.name}", group="operate", exclusive=True, exit_on_error=False,
        )  # fmt: skip

    def action_create_connector(self) -> None:
        from kctui.ui.screens.editing import EditFlow

        app = self.kctui
        app.run_worker(
            EditFlow(app).create(), name="create connector", group="operate",
            exclusive=True, exit_on_error=False,
        )  # fmt: skip

    def action_offsets(self) -> None:
        from kctui.ui.screens.offsets import OffsetsScreen

        connector = self.selected_connector()  # type: ignore[attr-defined]
        if connector is not None:
            app = self.kctui
            app.push_screen(OffsetsScreen(app.cluster, connector=connector.name))

    def action_debug_logging(self) -> None:
        connector = self.selected_connector()  # type: ignore[attr-defined]
        app = self.kctui
        if connector is None:
            return
        logger = package_of(connector.info.connector_class)
        if not logger:
            app.notify(f"{connector.name}: no connector.class to take a package from")
            return
        entry = debug_entries(app).get(logger)
        if entry is not None:
            offer_revert(app, entry)
            return
        screen_key = id(self)

        async def enable() -> None:
            client = app.session.api
            previous = await current_level(client, logger)
            server = await client.server_info()
            scope = "cluster" if server.supports_logger_scope else None
            await client.set_logger_level(logger, "DEBUG", scope=scope)
            debug_entries(app)[logger] = DebugEntry(
                logger, previous, connector.name, scope, screen_key
            )
            where = "on every worker" if scope else "on one worker (cluster scope needs 3.7)"
            app.notify(
                f"{logger} at DEBUG {where} (was {previous}); press x again or leave "
                f"{connector.name} to revert",
                title="DEBUG logging",
            )

        app.run_worker(enable(), name=f"DEBUG for {logger}", group="loggers", exit_on_error=False)

    # ------------------------------------------------------------------ leaving

    def _offer_reverts_left_behind(self, *, leaving_screen: bool) -> None:
        app = self.kctui
        if app.return_code is not None or not app.is_running:  # exit() was called
            return
        connector = None if leaving_screen else self.selected_connector()  # type: ignore[attr-defined]
        current = connector.name if connector is not None else None
        for entry in list(debug_entries(app).values()):
            if entry.screen_key == id(self) and entry.connector != current:
                app.call_later(offer_revert, app, entry)
                return

    def on_data_table_row_highlighted(self, event: Any) -> None:
        self._offer_reverts_left_behind(leaving_screen=False)

    def on_unmount(self) -> None:
        self._offer_reverts_left_behind(leaving_screen=True)
