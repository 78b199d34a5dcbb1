"""Category lexicons: weighted terms over a failure's word tokens, and typed error codes.

A term is written as words (``permission denied``), with alternatives in parentheses
(``(no such|unknown) (table|bucket)``, an empty alternative makes words optional) and
``..`` for a gap of up to four words (``..8``: up to eight), so ``connection .. refused``
holds for *Connection to localhost:5434 refused*. Terms are normalised like the text
(:mod:`kctui.diagnose.tokens`): ``InvalidAccessKeyId`` and ``invalid access key id`` are
one term. Where terms of different categories overlap, the longer one wins (*access
denied for user* is a login failure, not the *access denied* it contains). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kctui.diagnose.tokens import Part, words

DEFAULT_GAP = 4
_GROUP = re.compile(r"\(([^()]*)\)")
_GAP = re.compile(r"^\.\.(\d*)$")


@dataclass(frozen=True)
class Words:
    """Regex patterns searched in a text: plain phrases as substrings (fast), the rest as
    regexes (a system's markers, a category's structural message patterns)."""

    exact: tuple[str, ...] = ()  # substrings, case as written
    folded: tuple[str, ...] = ()  # substrings of the lower-cased text (patterns with (?i))
    regexes: tuple[re.Pattern[str], ...] = ()
    # per regex: a lower-cased substring every match holds ("" when none is known)
    needs: tuple[str, ...] = ()

    def search(self, text: str, lower: str) -> bool:
        if any(word in text for word in self.exact) or any(w in lower for w in self.folded):
            return True
        needs = self.needs or ("",) * len(self.regexes)
        return any(
            (not need or need in lower) and regex.search(text)
            for regex, need in zip(self.regexes, needs, strict=True)
        )


def _literal(body: str) -> str | None:
    """The text a pattern matches when it is a plain phrase (escapes and ``\\b`` allowed)."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            following = body[index + 1 : index + 2]
            if following == "b":
                index += 2
                continue
            if following and not following.isalnum():
                out.append(following)
                index += 2
                continue
            return None  # a class such as \\S or \\d
        if char in ".^$*+?{}()|[]":
            return None
        out.append(char)
        index += 1
    return "".join(out)


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 -_:;/@=,'\"<>")


def _needed(pattern: str) -> str:
    """A lower-cased literal every match of ``pattern`` starts with (its plain prefix, after
    ``(?i)`` and ``\\b``), or "" when it has none worth checking or has alternatives."""
    body = pattern[4:] if pattern.startswith("(?i)") else pattern
    if "|" in body:
        return ""
    body = body.removeprefix("\\b")
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and not body[index + 1].isalnum():
            char, index = body[index + 1], index + 1
        elif char.lower() not in _PLAIN:
            break
        if index + 1 < len(body) and body[index + 1] in "?*{":
            break  # the character is optional or repeated
        out.append(char.lower())
        index += 1
    prefix = "".join(out)
    return prefix if len(prefix) >= 3 else ""


def patterns(written: Sequence[str]) -> Words:
    """Regex patterns split into plain phrases (found with ``in``) and compiled regexes."""
    exact: list[str] = []
    folded: list[str] = []
    regexes: list[str] = []
    for pattern in written:
        body, fold = (pattern[4:], True) if pattern.startswith("(?i)") else (pattern, False)
        literal = _literal(body)
        if literal is None:
            regexes.append(pattern)
        elif fold:
            folded.append(literal.lower())
        else:
            exact.append(literal)
    compiled = tuple(re.compile(pattern, re.MULTILINE) for pattern in regexes)
    return Words(tuple(exact), tuple(folded), compiled, tuple(_needed(p) for p in regexes))


class LexiconError(ValueError):
    """A lexicon term that cannot be used (empty, or a gap at its start or end)."""


def expand(term: str) -> list[str]:
    """Every spelling a term's alternatives give (``(a|b) c`` -> ``a c``, ``b c``)."""
    match = _GROUP.search(term)
    if match is None:
        return [" ".join(term.split())]
    out: list[str] = []
    for choice in match.group(1).split("|"):
        out += expand(term[: match.start()] + f" {choice} " + term[match.end() :])
    return out


@dataclass(frozen=True)
class Term:
    """One spelling of a lexicon term: word segments with the gaps allowed between them."""

    category: str
    weight: int
    source: str  # the term as written in the lexicon (counted once per failure)
    segments: tuple[tuple[str, ...], ...]
    gaps: tuple[int, ...]


def compile_term(
    category: str, weight: int, spelling: str, source: str, memo: dict[str, list[str]] | None = None
) -> Term:
    """A :class:`Term` from one expanded spelling (``a b .. c``); ``memo`` keeps the words
    of pieces already seen (a lexicon repeats them)."""
    memo = {} if memo is None else memo
    segments: list[tuple[str, ...]] = []
    gaps: list[int] = []
    current: list[str] = []
    for piece in spelling.split():
        gap = _GAP.match(piece) if piece.startswith("..") else None
        if gap is None:
            found = memo.get(piece)
            if found is None:
                found = memo[piece] = words(piece)
            current += found
            continue
        if not current:
            raise LexiconError(f"term {source!r}: a gap must sit between words")
        segments.append(tuple(current))
        gaps.append(int(gap.group(1) or DEFAULT_GAP))
        current = []
    if not current:
        raise LexiconError(f"term {source!r}: no words (or a gap at its end)")
    segments.append(tuple(current))
    return Term(category, weight, source, tuple(segments), tuple(gaps))


@dataclass(frozen=True)
class Match:
    term: Term
    start: int
    end: int


class Lexicon:
    """Every category's terms and codes, indexed by a term's first word."""

    def __init__(self, terms: Iterable[Term], codes: Iterable[tuple[str, str, int]]) -> None:
        self.terms = tuple(terms)
        self.by_first: dict[str, list[Term]] = {}
        for term in self.terms:
            self.by_first.setdefault(term.segments[0][0], []).append(term)
        self.codes: dict[str, list[tuple[str, int]]] = {}
        for code, category, weight in codes:
            self.codes.setdefault(code, []).append((category, weight))

    def matches(self, tokens: Sequence[str]) -> list[Match]:
        """Every term found in ``tokens``, a term inside a longer match of any category left
        out (the longer term is the more specific reading of those words)."""
        found: list[Match] = []
        by_first = self.by_first
        for start, word in enumerate(tokens):
            candidates = by_first.get(word)
            if not candidates:
                continue
            for term in candidates:
                end = _match_at(term, tokens, start)
                if end is not None:
                    found.append(Match(term, start, end))
        if len(found) < 2:
            return found
        return [m for m in found if not any(_inside(m, other) for other in found)]

    def part_points(self, part: Part) -> list[tuple[str, str, int]]:
        """(category, term or code, weight) for every term and code found in one part."""
        points = [(m.term.category, m.term.source, m.term.weight) for m in self.matches(part.words)]
        for code in part.codes:
            for category, weight in self.codes.get(code, ()):
                points.append((category, code, weight))
        return points


def _inside(match: Match, other: Match) -> bool:
    """True when ``other`` covers ``match``'s words and more."""
    return (
        other is not match
        and other.start <= match.start
        and other.end >= match.end
        and other.end - other.start > match.end - match.start
    )


def _match_at(term: Term, tokens: Sequence[str], start: int) -> int | None:
    """The end of ``term`` matched from ``start``, or None."""
    first = term.segments[0]
    end = start + len(first)
    if tuple(tokens[start:end]) != first:
        return None
    for segment, gap in zip(term.segments[1:], term.gaps, strict=True):
        size = len(segment)
        for at in range(end, min(end + gap, len(tokens) - size) + 1):
            if tokens[at] == segment[0] and tuple(tokens[at : at + size]) == segment:
                end = at + size
                break
        else:
            return None
    return end


def build(
    raw: Iterable[tuple[str, int, Sequence[str]]], codes: Iterable[tuple[str, str, int]]
) -> Lexicon:
    """A lexicon from (category, weight, terms as written) groups and (code, category,
    weight) entries."""
    terms: list[Term] = []
    memo: dict[str, list[str]] = {}
    for category, weight, written in raw:
        for source in written:
            for spelling in expand(source):
                terms.append(compile_term(category, weight, spelling, source, memo))
    return Lexicon(terms, codes)
