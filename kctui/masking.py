"""Masking of secrets in connector configs and in free text (pure functions).

A key that names a secret (password, secret, token, API key, credentials, JAAS config,
private keys...) has its whole value replaced by ``MASK``. In every other value,
credentials embedded in URLs (``https://user:pass@host``, ``?password=...``) are masked.
A value that is only a config-provider reference (``${file:/x.properties:pw}``) is not a
secret and stays visible. :func:`mask_text` is the one pass for free text (traces, log
lines, DLQ error headers) on its way to a screen, stdout or a file. Revealing means
showing the raw text on screen: nothing here writes.
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


# ----------------------------------------------------------------------------- free text

# A connection-string parameter (``?password=``, ``&pwd=``, ``;password=``): its value runs
# to the next parameter, a separator, a quote or the end, so a password holding ``&`` or
# ``@`` is masked whole (kafka-connect-jdbc issue 422).
_PARAM_SECRET = re.compile(
    r"(?P<head>[?&;](?:password|passwd|pwd|secret|token|apikey|api_key|access_token"
    r"|client_secret|sharedaccesskey|accountkey)=)"
    r"(?P<pw>.*?)(?=&[\w.-]+=|[;\s\"'<>]|$)",
    re.IGNORECASE | re.MULTILINE,
)
# Oracle thin URLs carry ``user/password@host``.
_ORACLE_USER_PASSWORD = re.compile(r"(?P<head>jdbc:oracle:\w+:[^/\s@:;]+/)(?P<pw>[^@\s]+)@")
# ``Authorization: Basic ...`` / ``Bearer ...`` (and Proxy-Authorization) headers.
_AUTHORIZATION = re.compile(
    r"(?P<head>\bauthorization[\"']?\s*[:=]\s*[\"']?(?:(?:basic|bearer|digest|negotiate|token|apikey)\s+)?)"
    r"(?P<pw>[^\s\"',;})\]]+)",
    re.IGNORECASE,
)
# ``password=x``, ``JdbcPassword=x``, ``secret: x``, ``"token": "x"``, ``password="x y"``,
# ``aws_secret_access_key = x``, ``AWS_SECRET_ACCESS_KEY=x``, ``X-Api-Key: x``.
# MySQL's ``(using password: YES)`` is a fact, not a secret, and stays.
_KEYED_SECRET = re.compile(
    r"(?P<head>\b[\w.-]*(?:password|passwd|pwd|secret|token|api[._-]?key|credentials?)"
    r"[\w.-]*[\"']?\s*[=:]\s*)"
    r"(?!(?:YES|NO)\)|\[hidden\]|null\b|\$\{|\x00)"  # \x00: a ${provider:reference}
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]*)(?P=quote)|(?P<pw>[^\s\"',;&}\]]+))",
    re.IGNORECASE,
)


def _keep_or_mask(match: re.Match[str]) -> str:
    key = match["head"].strip().rstrip("=:").strip().strip("\"'")
    if not (is_secret_key(key) or key.lower().endswith("pwd")):
        return match[0]  # token.endpoint.url, ssl.keystore.location...: not secrets
    if match["quote"]:
        return (
            f"{match['head']}{match['quote']}{MASK}{match['quote']}"
            if match["quoted"]
            else match[0]
        )
    return f"{match['head']}{MASK}"


# Every pattern above needs one of these (or an ``@``): most log lines have none.
_TRIGGERS = ("pass", "pwd", "secret", "token", "key", "credential", "authoriz")


_REFERENCE = re.compile(r"\$\{[^}\s]*\}")


def _may_hold_secret(text: str) -> bool:
    if "@" in text:
        return True
    lowered = text.lower()
    return any(trigger in lowered for trigger in _TRIGGERS)


def mask_text(text: str) -> str:
    """Free text (a trace, a log line, an error header) with every credential masked.

    Covers URL userinfo, connection-string parameters (JDBC, SQL Server's ``;password=``,
    Oracle's ``user/password@``), ``key=value`` and ``key: value`` secrets (JAAS
    ``password="..."``, AWS secret keys, API keys, tokens) and ``Authorization`` headers.
    Idempotent: masked text stays as it is.
    """
    if not text or not _may_hold_secret(text):
        return text
    references = _REFERENCE.findall(text)  # ${file:/x:pw} names a secret, holds none
    if references:
        text = _REFERENCE.sub("\x00", text)
    text = _mask_all(text)
    for reference in references:
        text = text.replace("\x00", reference, 1)
    return text


def _mask_all(text: str) -> str:
    text = _URL_USERINFO.sub(lambda m: f"{m['head']}{MASK}@" if m["pw"] else m[0], text)
    text = _ORACLE_USER_PASSWORD.sub(lambda m: f"{m['head']}{MASK}@", text)
    text = _PARAM_SECRET.sub(lambda m: f"{m['head']}{MASK}" if m["pw"] else m[0], text)
    text = _AUTHORIZATION.sub(lambda m: f"{m['head']}{MASK}", text)
    return _KEYED_SECRET.sub(_keep_or_mask, text)
