"""The errors a connector validation answer wraps, each to be diagnosed in its own right.

Connect answers a configuration it refuses with *Connector configuration is invalid and
contains the following N error(s):* and one error per line (a 400 answer, or a
``BadRequestException`` in a log); Confluent Cloud with *Unable to validate configuration
... Errors:* and ``key: key: message`` lines; the Confluent operator with *Connector
validation failed: ...*. The error inside is often not a configuration mistake at all
(the database refused the connection, ``wal_level`` is not ``logical``), so each is
diagnosed as a failure of its own. Pure.
"""

from __future__ import annotations

import re

_CONNECT = re.compile(
    r"Connector configuration is invalid and contains the following \d+ error\(s\):?"
    r"(?P<body>.*?)(?:You can also find the above list of errors|\Z)",
    re.DOTALL,
)
_CLOUD = re.compile(r"Unable to validate configuration\..*?Errors:(?P<body>.*)", re.DOTALL)
_OPERATOR = re.compile(r"Connector validation failed: (?P<body>.*)", re.DOTALL)
_CLOUD_KEY = re.compile(r"^([a-z][\w.-]*): \1: ")
_CLOUD_TAIL = re.compile(r"\s+validation_errors:.*$", re.DOTALL)
_YAML_KEY = re.compile(r"^\s*[A-Za-z]\w*: ")  # the next key of a status YAML the message sat in
_MAX_ERRORS = 20


def validation_errors(text: str) -> list[str]:
    """The errors a validation answer in ``text`` lists, one text each (none for text that
    is not a validation answer, or one that lists no error)."""
    if "alid" not in text:  # "invalid", "validate", "validation": cheap pre-check
        return []
    for pattern in (_CONNECT, _CLOUD, _OPERATOR):
        match = pattern.search(text)
        if match:
            return _split(pattern, match.group("body"))
    return []


def _split(pattern: re.Pattern[str], body: str) -> list[str]:
    if pattern is _CLOUD:
        body = _CLOUD_TAIL.sub("", body)
    if pattern is _OPERATOR:  # one error, which a status YAML may have wrapped over lines
        kept: list[str] = []
        for line in body.splitlines():
            if kept and _YAML_KEY.match(line):
                break
            kept.append(line.strip())
        return [" ".join(kept).strip(" `'\"")] if kept else []
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    errors = []
    for line in lines[:_MAX_ERRORS]:
        if pattern is _CLOUD:
            line = _CLOUD_KEY.sub("", line)
        errors.append(line.strip(" `'\"."))
    return [error for error in errors if error]
