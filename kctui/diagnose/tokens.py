"""A failure's words as tokens, whoever wrote them: the evidence category lexicons look at.

``InvalidAccessKeyId``, ``ACCESS_REFUSED``, ``EntityNotFoundException`` and
``max.request.size`` become plain lower-case words (``invalid access key id``, ``access
refused``, ``entity not found exception``, ``max request size``), so one lexicon term
covers every vendor that spells the same meaning its own way. Error codes whose meaning
is documented (HTTP statuses, SQLSTATEs, ``ORA-``/``TNS-`` numbers, MySQL error numbers,
Confluent REST error codes) become typed code tokens (``http:403``, ``sqlstate:42501``,
``sqlstate:28``, ``ora:01017``, ``mysql:1045``, ``rest:40401``). :func:`failure_parts`
cuts a parsed trace into parts, most causal first (root cause, then the chain upwards,
then the log line), so the part a word comes from is known. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kctui.trace_unwrap import BARE_EXCEPTION_CLASS, EXCEPTION_CLASS
from kctui.traces import Trace, leading_classes

# Contractions first, so "doesn't", "does not" and "cannot" give the same words.
_CANNOT = re.compile(r"(?i)\bcan(?:[’']t|not)\b")
_WONT = re.compile(r"(?i)\bwon[’']t\b")
_NT = re.compile(r"(?i)n[’']t\b")
# A Java name with a package (``com.amazonaws.services.s3.model.AmazonS3Exception``, a
# logger or a connector class): its package says where, not what, so only the class stays.
_QUALIFIED = re.compile(r"\b(?:[a-z_][\w$]*\.){2,}([A-Z][\w]*)(?:\$[\w$]*)?")
_RUN = re.compile(r"[A-Za-z0-9]+")
# The words of one alphanumeric run: CamelCase and acronyms split, digits kept with the
# letters they follow (``S3``, ``Utf8``), numbers alone.
_PIECE = re.compile(r"[A-Z]+[0-9]*(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
_KEEP_S = ("ss", "us", "is", "os")
_NOT_PLURAL = frozenset({"does", "always", "series", "alias", "canvas", "whereas"})

# Typed codes, from the raw text (a number means something only next to its kind).
_ORA = re.compile(r"\b(?:ORA|TNS)-(\d{5})\b")
_SQLSTATE = re.compile(r"(?i)\bsql ?state\W{0,3}([0-9A-Z]{5})\b")
_MYSQL = re.compile(r"\bERROR (\d{4}) \(([0-9A-Z]{5})\)|(?i:\berror ?code:? ?(\d{4});? ?sqlstate)")
_HTTP = re.compile(
    r"(?i)(?:\bstatus(?:[ _-]?code)?|\bhttp(?:/[\d.]+)?|\berror[ _]?code|\bresponse ?code"
    r"|\"(?:code|status|statusCode|error_code)\")\W{0,4}([45]\d\d)\b(?![\d.])"
)
_HTTP_REASON = re.compile(
    r"\b(400) Bad Request|\b(401) Unauthorized|\b(403) Forbidden|\b(404) Not Found"
    r"|\b(408) Request Time-?out|\b(409) Conflict|\b(413) (?:Request Entity|Payload) Too Large"
    r"|\b(429) Too Many Requests|\b(500) Internal Server Error|\b(502) Bad Gateway"
    r"|\b(503) Service Unavailable|\b(504) Gateway Time-?out"
)
# Confluent's REST APIs (Schema Registry, Connect) answer error codes of five digits: the
# HTTP status and two more (40401 subject not found, 42201 invalid schema...).
_REST = re.compile(r"(?i)\berror[ _]?code\W{0,4}([1-5]\d\d\d\d)\b")


def _stem(word: str) -> str:
    """A word without its plural ``s`` (``privileges`` -> ``privilege``); both the lexicon
    and the text go through this, so it only has to be consistent."""
    if (
        len(word) > 3
        and word.endswith("s")
        and not word.endswith(_KEEP_S)
        and word not in _NOT_PLURAL
    ):
        return word[:-3] + "y" if word.endswith("ies") else word[:-1]
    return word


@lru_cache(maxsize=8192)
def _run_words(run: str) -> tuple[str, ...]:
    return tuple(_stem(piece.lower()) for piece in _PIECE.findall(run))


def words(text: str) -> list[str]:
    """The normalised word tokens of ``text`` (see the module docstring)."""
    if "'" in text or "’" in text or "annot" in text:
        text = _NT.sub(" not", _WONT.sub("will not", _CANNOT.sub("can not", text)))
    if "." in text:
        text = _QUALIFIED.sub(r"\1", text)
    out: list[str] = []
    for run in _RUN.findall(text):
        out.extend(_run_words(run))
    return out


def codes(text: str) -> set[str]:
    """The typed code tokens of ``text`` (``http:403``, ``sqlstate:28000`` and its class
    ``sqlstate:28``, ``ora:01017``, ``mysql:1045``, ``rest:40401``)."""
    found: set[str] = set()
    if "-" in text and ("ORA-" in text or "TNS-" in text):
        for match in _ORA.finditer(text):
            found.add(f"ora:{match.group(1)}")
    lower = text.lower()
    states = [m.group(1).upper() for m in _SQLSTATE.finditer(text)] if "state" in lower else []
    if "rror" not in lower and "ERROR" not in text:
        return _statuses(text, lower, found, states)
    for match in _MYSQL.finditer(text):
        number = match.group(1) or match.group(3)
        found.add(f"mysql:{number}")
        if match.group(2):
            states.append(match.group(2).upper())
    for match in _REST.finditer(text):
        found.add(f"rest:{match.group(1)}")
    return _statuses(text, lower, found, states)


def _statuses(text: str, lower: str, found: set[str], states: list[str]) -> set[str]:
    """``found`` with the SQLSTATEs and the HTTP statuses of ``text`` added."""
    for state in states:
        found.update((f"sqlstate:{state}", f"sqlstate:{state[:2]}"))
    if "4" not in text and "5" not in text:
        return found
    if "code" in lower or "status" in lower or "http" in lower:
        for match in _HTTP.finditer(text):
            found.add(f"http:{match.group(1)}")
    for match in _HTTP_REASON.finditer(text):
        found.add("http:" + next(group for group in match.groups() if group))
    return found


@dataclass(frozen=True)
class Part:
    """One part of a failure: its words, codes and the exception classes it names (full
    and simple names); ``depth`` 0 is the most causal part."""

    depth: int
    words: tuple[str, ...]
    codes: frozenset[str]
    classes: frozenset[str]
    text: str


def classes_named(text: str) -> set[str]:
    """Exception classes ``text`` names (it starts with, or names anywhere, with or without
    their package), by full and simple name."""
    names = set(leading_classes(text))
    names.update(match.group(1) for match in EXCEPTION_CLASS.finditer(text))
    names.update(name.rsplit(".", 1)[-1] for name in list(names))
    names.update(match.group(1) for match in BARE_EXCEPTION_CLASS.finditer(text))
    return names


def part(depth: int, text: str, classes: frozenset[str] = frozenset()) -> Part:
    """One part from its text (``classes``: more class names it is known to hold)."""
    named = classes | classes_named(text)
    return Part(depth, tuple(words(text)), frozenset(codes(text)), frozenset(named), text)


def part_texts(trace: Trace) -> list[str]:
    """The texts of a failure's parts, most causal first: the root cause, each cause up the
    chain to the error, the suppressed ones, then the lines before the trace (its log line)."""
    texts: list[str] = []
    for entry in reversed(trace.chain):
        texts.append(f"{entry.class_name}: {entry.message}" if entry.class_name else entry.message)
    for entry in trace.entries:
        if entry.in_suppressed:
            texts.append(
                f"{entry.class_name}: {entry.message}" if entry.class_name else entry.message
            )
    preamble = "\n".join(line for line in trace.preamble if line.strip())
    if preamble:
        texts.append(preamble)
    texts = [text for text in texts if text.strip()]
    return texts or ([trace.text] if trace.text.strip() else [])


def failure_parts(trace: Trace) -> tuple[Part, ...]:
    """The parts of a parsed failure as tokens, most causal first (see :func:`part_texts`)."""
    return tuple(part(depth, text) for depth, text in enumerate(part_texts(trace)))
