"""What a restart cannot fix: the watch's auto-restart asks the diagnosis rules.

The policy itself (who is restarted, when, and when not) is settings:
:mod:`kctui.settings.restart`.
"""

from __future__ import annotations

from collections.abc import Sequence

from kctui.diagnose import diagnose
from kctui.diagnose.model import Rule


def restart_cannot_fix(trace: str | None, rules: Sequence[Rule] | None = None) -> str | None:
    """Why restarting cannot fix the failure behind ``trace`` (None: a restart may help).

    The diagnosis rules decide (``restart = false`` in kctui/diagnose/rules.toml, or in the
    user's own rules, which the command passes): one classifier for the console, triage and
    the watch.
    """
    found = diagnose(trace, rules=rules) if trace else None
    if found is None or found.restart_helps:
        return None
    return f"{found.rule}: {found.summary}"
