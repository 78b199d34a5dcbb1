"""The CLI lists every subcommand; a subcommand module that cannot be imported is an error,
not a command silently missing from ``--help``."""

from __future__ import annotations

import argparse
import sys

import pytest

from kctui.cli import COMMAND_MODULES, build_parser


def test_every_subcommand_is_in_the_parser() -> None:
    parser = build_parser()
    commands = next(
        set(action.choices)
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    assert {name.replace("_", "-") for name in COMMAND_MODULES} <= commands


def test_a_missing_subcommand_module_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kctui.commands.triage", None)
    with pytest.raises(ModuleNotFoundError) as caught:
        build_parser()
    assert caught.value.name == "kctui.commands.triage"
