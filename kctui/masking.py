"""Masking of secrets in connector configs (pure functions).

A key that names a secret (password, secret, token, API key, credentials, JAAS config,
private keys...) has its whole value replaced by ``MASK``. In every other value,
credentials embedded in URLs (``https://user:pass@host``, ``?password=...``) are masked.
A value that is only a config-provider reference (``${file:/x.properties:pw}``) is not a
secret and stays visible. Revealing means showing the raw config: nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "********"

# Fragments that make a key secret wherever they appear in it.
_SECRET_FRAGMENTS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api.key",
    "api_key",
    "api-key",
    "credential",
    "private.key",
    "privatekey",
    "private_key",
    "sasl.jaas.config",
    "user.info",
    "userinfo",
)
# Keys that contain a fragment above but hold no secret.
_NOT_SECRET = re.compile(
    r"(credentials?\.source|\.provider\.class|token\.endpoint\.url|\.location|\.type)$"
)
# `*.key`, `*_key` and `*-key`, except keys that name a record key (primary.key...).
_KEY_SUFFIX = re.compile(r"(?:^|[._-])key$")
_RECORD_KEY = re.compile(
    r"(?:^|[._-])(primary|partition|message|record|row|sort|routing|hash)[._-]key$"
)
_PROVIDER_REFERENCE = re.compile(r"^\$\{[^}]+\}$")
# scheme://user:password@host -> scheme://user:********@host (user alone stays).
_URL_USERINFO = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@]*:)(?P<pw>[^\s@/]*)@")
# ?password=... / &token=... / ;password=... in connection strings.
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;](?:password|passwd|pwd|secret|token|apikey|api_key|access_token)=)"
    r"(?P<pw>[^&;\s]*)",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    """True when a config key names a secret whose whole value must be masked."""
    lowered = key.strip().lower()
    if _NOT_SECRET.search(lowered):
        return False
    if any(fragment in lowered for fragment in _SECRET_FRAGMENTS):
        return True
    return bool(_KEY_SUFFIX.search(lowered)) and not _RECORD_KEY.search(lowered)


def mask_urls(text: str) -> str:
    """Mask passwords inside URLs and connection strings found anywhere in ``text``."""
    text = _URL_USERINFO.sub(lambda m: f"{m['head']}{MASK}@" if m["pw"] else m[0], text)
    return _QUERY_SECRET.sub(lambda m: f"{m['head']}{MASK}" if m["pw"] else m[0], text)


def mask_value(key: str, value: Any) -> Any:
    """The value as it may be shown: ``MASK`` for secrets, URL credentials masked."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if text == "" or _PROVIDER_REFERENCE.match(text.strip()):
        return value
    if is_secret_key(key):
        return MASK
    if not isinstance(value, str):
        return value
    return mask_urls(value)


def mask_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with every secret masked (key order kept)."""
    return {key: mask_value(key, value) for key, value in config.items()}


def masked_keys(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys whose values ``mask_config`` changes (to tell the user what is hidden)."""
    return tuple(key for key, value in config.items() if mask_value(key, value) != value)


# ``password=x``, ``secret: x``, ``"token": "x"`` in free text (traces, log lines).
_TEXT_SECRET = re.compile(
    r"(?P<head>\b[\w.-]*(?:password|passwd|secret|token|api[._-]?key|credentials?)"
    r"[\w.-]*\"?\s*[=:]\s*\"?)(?P<value>[^\s\"',;&}]+)",
    re.IGNORECASE,
)


def mask_text(text: str) -> str:
    """Free text (a trace line, an event) with URL credentials and ``key=value`` secrets masked."""
    text = mask_urls(text)
    return _TEXT_SECRET.sub(lambda m: m["head"] + MASK if m["value"] != MASK else m[0], text)
