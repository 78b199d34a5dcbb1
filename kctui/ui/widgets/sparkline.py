"""A text sparkline (``▁▂▄█``) that fits in a table cell; pure, so it is easy to test."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 20) -> str:
    """The last ``width`` values as bars scaled between their minimum and maximum.

    A flat series (or all zero) draws the lowest bar, so "no traffic" is still visible
    as a line; an empty series draws nothing.
    """
    tail = [v for v in values[-width:] if v == v]  # drop NaN
    if not tail:
        return ""
    low, high = min(tail), max(tail)
    if high - low <= 1e-12:
        level = 0 if high <= 0 else len(BARS) // 2
        return BARS[level] * len(tail)
    scale = (len(BARS) - 1) / (high - low)
    return "".join(BARS[int(round((v - low) * scale))] for v in tail)
