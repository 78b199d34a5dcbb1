"""The connector config: highlighted JSON (masked unless revealed), SMT chain, converters,
error handling."""

from __future__ import annotations

import json
from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kctui.ui.config_summary import converters, error_handling, shown_config, smt_chain
from kctui.ui.highlight import highlight_json


def _pairs(pairs: list[tuple[str, str]], indent: str = "  ") -> Content:
    return Content("\n").join(
        Content.assemble(indent, (key, "$primary"), " = ", value) for key, value in pairs
    )


class ConfigView(VerticalScroll):
    """Shows a config pushed by its screen; ``revealed`` is held in memory only."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(id="config-smt")
        yield Static(id="config-converters")
        yield Static(id="config-errors")
        yield Static(id="config-notice", classes="notice")
        yield Static(id="config-json")

    def show(self, config: Mapping[str, str], connector_type: str, *, revealed: bool) -> None:
        shown = shown_config(config, revealed=revealed)
        notice = (
            Content.from_markup("[$warning b]Secrets revealed[/] (press v to mask again)")
            if revealed
            else Content.from_markup("[$text-muted]Secrets masked; press v to reveal[/]")
        )
        self.query_one("#config-notice", Static).update(notice)
        text = json.dumps(dict(sorted(shown.items())), indent=2, ensure_ascii=False)
        self.query_one("#config-json", Static).update(highlight_json(text))
        chain = smt_chain(shown)
        smt = [Content.styled("SMT chain (in order)", "$secondary bold")]
        if not chain:
            smt.append(Content.styled("  none", "$text-muted"))
        for step in chain:
            smt.append(
                Content.assemble(f"  {step.position}. ", (step.alias, "bold"), "  ", step.type)
            )
            if step.settings:
                smt.append(_pairs(list(step.settings), indent="       "))
        self.query_one("#config-smt", Static).update(Content("\n").join(smt))
        self.query_one("#config-converters", Static).update(
            Content("\n").join(
                [Content.styled("Converters", "$secondary bold"), _pairs(converters(shown))]
            )
        )
        self.query_one("#config-errors", Static).update(
            Content("\n").join(
                [
                    Content.styled("Error handling", "$secondary bold"),
                    _pairs(error_handling(shown, connector_type)),
                ]
            )
        )
