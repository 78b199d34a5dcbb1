"""Where and why this Python's json module rejects a text.

kctui reports malformed JSON as json says it (line, column, reason); the wording and, for
some faults, the position differ between Python versions (3.13 names a trailing comma where
3.11 names the brace after it). Tests build their expected text from this, so they check
kctui's translation, not one Python's wording.
"""

from __future__ import annotations

import json


def json_fault(text: str) -> json.JSONDecodeError:
    """The error ``json.loads(text)`` raises (AssertionError if the text is valid JSON)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc
    raise AssertionError(f"valid JSON: {text!r}")


def file_json_error(source: str, text: str) -> str:
    """``source:line:column: malformed JSON: reason`` as kctui's connector files say it."""
    fault = json_fault(text)
    return f"{source}:{fault.lineno}:{fault.colno}: malformed JSON: {fault.msg}"
