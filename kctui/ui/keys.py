"""Binding ids: one scheme, ``screen.action``, and a check of the user's ``[keymap]``.

Every key of the console has an id ``<scope>.<name>`` (lowercase, words joined by ``-``):
``app.*`` for keys that mean the same on every screen (``app.back`` leaves any screen,
``app.help``, ``app.quit``...), ``dialog.close`` closes any dialog, ``connector.*`` acts on
the selected connector (overview and detail), and one scope per screen
(``overview``, ``detail``, ``dlq``, ``logs``, ``log-view``, ``loggers``, ``metrics``,
``offsets``, ``plugins``, ``bulk``, ``redrive``, ``confirm``). An id of ``[keymap]`` that
no key has is a config error naming the valid ones (a typo is never silently ignored).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator, Mapping

from textual.binding import Binding

from kctui.settings import ConfigError

ID_PATTERN = re.compile(r"^[a-z]+(?:-[a-z]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$")


def all_bindings() -> Iterator[tuple[str, Binding]]:
    """(class name, binding) of the app, every screen and every widget of kctui.ui."""
    import kctui.ui.screens
    import kctui.ui.widgets
    from kctui.ui import app

    modules = [app]
    for package in (kctui.ui.screens, kctui.ui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    yield cls.__name__, binding


def binding_ids() -> frozenset[str]:
    return frozenset(b.id for _, b in all_bindings() if b.id)


def check_keymap(keymap: Mapping[str, str], where: str = "[keymap]") -> None:
    """Raise ConfigError for an id no key has, naming the valid ones."""
    valid = binding_ids()
    unknown = sorted(set(keymap) - valid)
    if unknown:
        names = ", ".join(unknown)
        raise ConfigError(
            f"{where}: unknown key id{'s' if len(unknown) > 1 else ''} {names}; "
            f"valid ids: {', '.join(sorted(valid))}"
        )
