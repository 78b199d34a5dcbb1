"""Theme colours for Rich cells (DataTable renders Rich text, not theme variables).

The colours are resolved from the current theme's variables, so a table follows the
theme like the rest of the app; tables re-render their cells when the theme changes.
"""

from __future__ import annotations

from rich.style import Style
from textual.app import App
from textual.color import Color

from kctui.health import Health

# Theme variable per state or health; "muted" is the foreground blended into the background.
STATE_VARIABLE: dict[str, str] = {
    "FAILED": "error",
    Health.UNHEALTHY.value: "error",
    Health.DEGRADED.value: "warning",
    "UNASSIGNED": "warning",
    "RESTARTING": "accent",
    "RUNNING": "success",
    Health.HEALTHY.value: "success",
    "PAUSED": "muted",
    "STOPPED": "muted",
}


def _parse(value: str | None, fallback: Color) -> Color:
    if not value:
        return fallback
    try:
        return Color.parse(value)
    except Exception:  # noqa: BLE001 - a variable such as "auto 60%" is not a colour
        return fallback


def theme_styles(app: App[object]) -> dict[str, Style]:
    """Rich styles for each state/health name, plus ``muted`` and ``error``, from the theme."""
    variables = app.get_css_variables()
    background = _parse(variables.get("background"), Color(0, 0, 0))
    foreground = _parse(variables.get("foreground"), Color(220, 220, 220))
    resolved: dict[str, Style] = {}
    for name in ("error", "warning", "success", "accent", "primary"):
        color = _parse(variables.get(name), foreground)
        resolved[name] = Style(color=background.blend(color, color.a).rich_color)
    resolved["muted"] = Style(color=background.blend(foreground, 0.65).rich_color)
    styles = {state: resolved[variable] for state, variable in STATE_VARIABLE.items()}
    styles.update(resolved)
    return styles
