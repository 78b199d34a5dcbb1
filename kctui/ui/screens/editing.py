"""``e`` edits a connector's config and ``c`` creates one, in ``$EDITOR``, from the console.

The flow runs in an async worker: the app is suspended while the editor runs, the saved
text goes through :class:`kctui.operate.session.EditSession` (parse, masked values,
validation), a diff is confirmed in a modal, then the config is written. Tests inject
the editor with ``app.editor_command`` (a command list).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from kctui.operate.diff import render_diff
from kctui.operate.editor import run_editor
from kctui.operate.session import CANCEL, FAILED, READY, RETRY, EditSession
from kctui.operate.template import template_config

if TYPE_CHECKING:
    from kctui.ui.app import KctuiApp

MAX_DIFF_LINES = 40


def editor_command_of(app: KctuiApp) -> Sequence[str] | None:
    """The editor the app was given (tests), else None for ``$VISUAL``/``$EDITOR``/``vi``."""
    command = app.editor_command
    return list(command) if command else None


def run_editor_suspended(app: KctuiApp, text: str) -> str:
    """Run the editor with the terminal handed over (blocking, on purpose: the app is paused)."""
    command = editor_command_of(app)
    try:
        with app.suspend():
            return run_editor(text, command)
    except SuspendNotSupported:  # headless (tests) or a web terminal: run it as is
        return run_editor(text, command)


def confirm_text(session: EditSession) -> str:
    lines = render_diff(session.changes, reveal=session.revealed)
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... and {len(lines) - MAX_DIFF_LINES} more"]
    verb = "Create" if session.creating else "Apply to"
    return f"{verb} {session.target}? Validation passed.\n\n" + "\n".join(lines)


class EditFlow:
    """Drives one edit/create session for ``app`` (call its coroutines from a worker)."""

    def __init__(self, app: KctuiApp) -> None:
        self.app = app

    async def edit(self, name: str, *, revealed: bool = False) -> str:
        client = self.app.session.api
        stored = await client.connector_config(name)
        server = await client.server_info()
        session = EditSession(client, name=name, stored=stored, revealed=revealed)
        return await self._loop(session, use_patch=server.supports_patch_config)

    async def create(self, plugin_class: str | None = None) -> str:
        from kctui.ui.screens.plugins import PluginPicker

        client = self.app.session.api
        if plugin_class is None:
            plugins = await client.plugins(connectors_only=True)
            plugin_class = await self.app.push_screen_wait(PluginPicker(plugins))
            if not plugin_class:
                return "create cancelled"
        keys = await client.plugin_config(plugin_class)
        template, notes = template_config(plugin_class, keys)
        names = (
            self.app.session.state.connectors.keys() if self.app.session.state is not None else ()
        )
        session = EditSession(
            client,
            name=None,
            stored=template,
            revealed=True,
            notes=[*notes, "Save and quit to validate; quit without changes to cancel."],
            existing_names=names,
        )
        return await self._loop(session, use_patch=False)

    async def _loop(self, session: EditSession, *, use_patch: bool) -> str:
        from kctui.ui.screens.modals import ConfirmScreen

        while True:
            saved = run_editor_suspended(self.app, session.document())
            outcome = await session.submit(saved)
            if outcome.kind == CANCEL:
                self.app.notify(outcome.message, title=session.target)
                return outcome.message
            if outcome.kind == RETRY:
                self.app.notify(outcome.message, title="back to the editor", severity="warning")
                continue
            title = "Create connector" if session.creating else "Update config"
            if not await self.app.push_screen_wait(ConfirmScreen(title, confirm_text(session))):
                self.app.notify("nothing applied", title=session.target)
                return "cancelled"
            written = await session.write(use_patch=use_patch)
            if written.kind == RETRY:
                self.app.notify(written.message, title="back to the editor", severity="warning")
                continue
            if written.kind == FAILED:
                self.app.notify(written.message, title=session.target, severity="error")
                return written.message
            assert written.kind == READY
            self.app.notify(written.message, title="applied")
            self._follow(session.target, written.message)
            return written.message

    def _follow(self, name: str, label: str) -> None:
        self.app.poller.follow(name, label)
        self.app.poller.refresh_now()
