"""A feature screen that fails while it is imported is a bug to see, not "not available yet"
(the typed factories of kctui.ui.features import the screen's module when it first opens)."""

from __future__ import annotations

import sys
import types

import pytest

import kctui.ui.screens
from tests.ui.conftest import make_app, ready


async def test_an_attribute_error_while_opening_a_screen_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The module imports but lacks its screen class (a renamed class, a typo): AttributeError.
    broken = types.ModuleType("kctui.ui.screens.metrics")
    monkeypatch.setitem(sys.modules, "kctui.ui.screens.metrics", broken)
    monkeypatch.setattr(kctui.ui.screens, "metrics", broken, raising=False)
    app = make_app()
    with pytest.raises(AttributeError, match="MetricsScreen"):
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await pilot.press("m")
            await pilot.pause()
    assert not any("not available yet" in n.message for n in app._notifications)
