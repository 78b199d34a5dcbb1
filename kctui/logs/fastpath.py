"""Bytes patterns that let a big log be scanned without parsing every line (pure).

Each is a superset of what the line parser decides (every line it rules out surely is not
what is looked for) and is generated from the same sources as the parser: the failure and
offset wordings of :mod:`kctui.logs.patterns`, and a grammar's level words and the literal
written before the level (:mod:`kctui.logs.log4j`).
"""

from __future__ import annotations

import re
import sys

from kctui.logs.patterns import FAILURE_WORDS, OFFSET_WORDS

# A line that continues a record (trace, Caused by, indented), as bytes: an ASCII subset of
# patterns.CONTINUATION (journald also escapes a tab as "#011").
CONTINUED = (
    rb"[\t \r\n]|Caused by:|Suppressed:|\.\.\. [0-9]+ (?:more|common frames omitted)"
    rb"|[\w$]+(?:\.[\w$]+)+(?:Exception|Error|Throwable)(?![\w\x80-\xff])"
)  # (a str \w may be any byte >= 0x80: no word boundary before one)

_WORDINGS_BYTES = re.compile("|".join(f"(?:{w})" for w in FAILURE_WORDS + OFFSET_WORDS).encode())
# Literal pieces of which every failure or offset wording holds one (case as written): a WARN
# line without any is not a failure, known without running the wordings pattern on it.
WORDING_KEYS: tuple[bytes, ...] = (
    b"Task ", b"Tolerance", b"Error ", b"Failed to", b"Connector has", b"Could not",
    b"Unrecoverable", b"Commit of", b"ffset commit", b"rewinding", b"Unable to", b"Exiting",
)  # fmt: skip
_WORDING_KEY = re.compile(b"|".join(re.escape(key) for key in WORDING_KEYS))


def has_wording_key(data: bytes, start: int, end: int) -> bool:
    """False when ``data[start:end]`` surely holds no failure or offset wording."""
    return _WORDING_KEY.search(data, start, end) is not None


def has_failure_wording(data: bytes, start: int, end: int) -> bool:
    """A quick bytes check that a line holds a failure or offset wording."""
    return (
        has_wording_key(data, start, end) and _WORDINGS_BYTES.search(data, start, end) is not None
    )


# Bytes that a str ``\s`` can be made of (non-ASCII whitespace is all bytes >= 0x80); no newline.
_WS_BYTES = rb"[\t\x0b-\r\x1c-\x20\x80-\xff]"
_RARE_FIRST = "zqjxkvbywgpfm"  # rarest letters first: where to anchor a lowercase wording

#: Possessive quantifiers match correctly from Python 3.11.5 on (wrongly in 3.11.0-3.11.4).
POSSESSIVE_WORKS = sys.version_info >= (3, 11, 5)


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


def _anchored(word: str) -> tuple[str, str]:
    """(stop character, pattern) for a wording, matched from a rarely seen character.

    A wording starting with a capital is anchored on it; a lowercase one on its rarest letter
    (before any regex syntax), the text before it checked by a fixed-width lookbehind.
    """
    if word[0].isascii() and word[0].isupper():
        return word[0], word
    head = re.match(r"[A-Za-z ]+", word)
    assert head is not None, word
    best = min(
        range(1, len(head.group())),
        key=lambda i: _RARE_FIRST.find(word[i]) if word[i] in _RARE_FIRST else 99,
    )
    return word[best], f"(?<={word[:best]}){word[best:]}"


def _words(words: tuple[str, ...]) -> bytes:
    """Level words in any case, the longest first."""
    return "|".join(_any_case(w) for w in sorted(words, key=len, reverse=True)).encode()


def failure_candidates(
    lead: bytes,
    levels: tuple[tuple[str, ...], tuple[str, ...]],
    possessive: bool = POSSESSIVE_WORKS,
) -> re.Pattern[bytes]:
    """One bytes pattern found in every failure line of a grammar that reads levels in any case.

    ``lead`` is the literal written before the level (``] `` in Kafka's ``[%d] %p``), ``levels``
    the words read as ERROR/FATAL and as WARN. A hit is the lead, whitespace and an ERROR-like
    level, or a WARN-like level followed later on the line by a failure or offset wording.
    Never crosses a newline; each hit is confirmed by the parser.
    """
    anchored = [_anchored(w) for w in FAILURE_WORDS + OFFSET_WORDS]
    stops = "".join(sorted({stop for stop, _ in anchored})).encode()
    words = "|".join(f"(?:{pattern})" for _, pattern in anchored).encode()
    errors, warns = levels
    # After the WARN level, skip what cannot start a wording, then a wording. The skip must
    # not give characters back (a failing WARN line would be retried at every position).
    # Python 3.11.0-3.11.4 match possessive quantifiers wrongly: there, a lookahead (atomic)
    # takes the longest skip once and for all, "(?=(?P<skip>...))(?P=skip)": the same
    # matches, about half as fast.
    if possessive:
        skip = rb"(?:[^\n%s]++|(?!%s)[%s])*+" % (stops, words, stops)
    else:
        skip = rb"(?=(?P<skip>(?:[^\n%s]|(?!%s)[%s])*))(?P=skip)" % (stops, words, stops)
    error_level = rb"(?:%s)%s" % (_words(errors), _WS_BYTES)
    warn_level = rb"(?:%s)%s%s(?:%s)" % (_words(warns), _WS_BYTES, skip, words)
    core = lead.rstrip(b" ")[-1:]
    head = re.escape(core) + _WS_BYTES + (b"+" if lead.endswith(b" ") else b"*")
    return re.compile(rb"%s(?:%s|%s)" % (head, error_level, warn_level))
