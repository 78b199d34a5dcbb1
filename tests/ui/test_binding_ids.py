"""One binding-id scheme (``screen.action``); "back" has one id; [keymap] ids are checked."""

from __future__ import annotations

from collections import defaultdict

import pytest

from kctui.settings import ConfigError
from kctui.ui.keys import ID_PATTERN, all_bindings, binding_ids, check_keymap


def test_every_binding_has_an_id_of_the_one_scheme() -> None:
    bindings = list(all_bindings())
    assert len(bindings) > 80
    bad = [(owner, b.key, b.id) for owner, b in bindings if not b.id or not ID_PATTERN.match(b.id)]
    assert bad == []


def test_leaving_a_screen_has_one_id_and_closing_a_dialog_another() -> None:
    ids_by_action: dict[str, set[str]] = defaultdict(set)
    for _, binding in all_bindings():
        if binding.key.split(",")[0] == "escape" and binding.id:
            ids_by_action[binding.action].add(binding.id)
    assert ids_by_action["back"] == {"app.back"}
    assert ids_by_action["cancel"] == {"dialog.close"}
    assert ids_by_action["close"] <= {"app.back", "dialog.close"}


def test_one_id_names_one_action() -> None:
    actions: dict[str, set[str]] = defaultdict(set)
    for _, binding in all_bindings():
        actions[binding.id or ""].add(binding.action.removeprefix("app."))
    shared = {i: a for i, a in actions.items() if len(a) > 1 and i != "dialog.close"}
    assert shared == {"app.back": {"back", "close"}}  # LogScreen's escape is its close


def test_a_known_keymap_passes_and_an_unknown_id_names_the_valid_ones() -> None:
    check_keymap({"connector.pause": "P", "app.back": "b"})
    with pytest.raises(ConfigError) as caught:
        check_keymap({"pause": "P", "connector.puase": "x"}, "config.toml: [keymap]")
    message = str(caught.value)
    assert message.startswith("config.toml: [keymap]: unknown key ids connector.puase, pause")
    assert all(ident in message for ident in binding_ids())
