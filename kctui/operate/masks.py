"""Masking round trips: masked values that come back unchanged keep the stored value.

The editor shows secrets as ``MASK`` (``kctui.masking``). When the user saves, a value
equal to the masked form of the stored value is replaced by the stored value, so the mask
is never written to the cluster. A value that still contains the mask but matches nothing
stored is a problem the user must fix.
"""

from __future__ import annotations

from collections.abc import Mapping

from kctui.masking import MASK, mask_value


def unmask(
    edited: Mapping[str, str], stored: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """``edited`` with every untouched masked value restored from ``stored``; and problems."""
    restored: dict[str, str] = {}
    problems: list[str] = []
    for key, value in edited.items():
        if key in stored and value != stored[key] and value == mask_value(key, stored[key]):
            restored[key] = stored[key]
            continue
        if MASK in value:
            problems.append(
                f"{key}: still holds the mask {MASK}; type the real value, or put back the "
                "masked value unchanged to keep the stored one"
            )
        restored[key] = value
    return restored, problems


def masked_for_edit(config: Mapping[str, str], *, revealed: bool) -> dict[str, str]:
    """The config as the editor shows it: raw when revealed, else with secrets masked."""
    if revealed:
        return dict(config)
    return {key: str(mask_value(key, value)) for key, value in config.items()}
