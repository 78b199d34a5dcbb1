"""The base of every kctui screen: no worker's failure is lost, one way to the session.

``Worker.StateChanged`` goes to the node that ran the worker and does not bubble, so a
screen's failed worker (``@work`` or ``self.run_worker``) would vanish unless the screen
handles it. ``WorkerFailures`` hands every failure to the app's one reporter (a notice)
and to the screen's ``worker_failed`` hook (to show it in place too). Every screen of
``kctui.ui.screens`` derives from ``KctuiScreen`` or ``KctuiModalScreen`` (a test walks
them all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from kctui.errors import KctuiError
from kctui.masking import mask_text
from kctui.ui.session import ConsoleSession, console_of, session_of

if TYPE_CHECKING:
    from kctui.ui.app import KctuiApp

ResultT = TypeVar("ResultT")


def report_failure(node: Any, worker: Worker[Any]) -> None:
    """Show ``worker``'s error as a notice (the console's reporter, or a plain notice)."""
    from kctui.ui.app import KctuiApp

    if isinstance(node.app, KctuiApp):
        node.app.report_worker_failure(worker)
        return
    error = worker.error
    text = str(error) if isinstance(error, KctuiError) else f"{type(error).__name__}: {error}"
    node.app.notify(mask_text(text), title=f"{worker.name or 'request'} failed", severity="error")


class WorkerFailures:
    """Mixed into a screen: its failed workers become a notice, then ``worker_failed``."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report_failure(self, event.worker)
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Show the failure in the screen too (optional)."""

    @property
    def session(self) -> ConsoleSession:
        """The console session (state, server info, outcomes...) this screen reads."""
        return session_of(self)  # type: ignore[arg-type]

    @property
    def console(self) -> KctuiApp:
        """The console app, typed (its pollers, notices and feature screens)."""
        return console_of(self)  # type: ignore[arg-type]


class KctuiScreen(WorkerFailures, Screen[ResultT]):
    """A full screen of the console."""


class KctuiModalScreen(WorkerFailures, ModalScreen[ResultT]):
    """A dialog of the console."""
