"""Cause categories: what kind of trouble a failure is, from evidence that holds across vendors.

The categories and systems are data shipped beside this module (``categories.toml``,
``systems.toml``). A failure is cut into parts, most causal first (the root cause, the
chain upwards, the log line: :func:`kctui.diagnose.tokens.failure_parts`); each part adds
the evidence it holds: exception classes, lexicon terms over its word tokens and typed
error codes (:mod:`kctui.diagnose.lexicon`), a few structural message patterns. A
category is claimed once its evidence reaches ``min_score``; the one that gets there in
the most causal part wins, and among those of one part the one listed first (the
categories are listed most causal first: a credential rejected explains the timeout it
leads to). Pure apart from reading the two files once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from kctui.diagnose.lexicon import Lexicon, Words, build, patterns
from kctui.diagnose.systems import System, host_names
from kctui.diagnose.tokens import Part, part

NO_SYSTEM = "the remote system"


@dataclass(frozen=True)
class Signal:
    r"""One piece of evidence for a category beside its lexicon: any of ``classes``, a class
    whose simple name fits ``family`` (``RedisCommandTimeoutException`` for
    ``\w+TimeoutException$``), or any of the structural ``messages`` patterns."""

    weight: int
    key: str  # counted once per failure
    classes: frozenset[str] = frozenset()
    messages: Words = Words()
    family: re.Pattern[str] | None = None

    def holds(self, classes: frozenset[str], text: str, lower: str) -> bool:
        """True when a part with these class names (full and simple) and text shows it."""
        if self.classes & classes or self.messages.search(text, lower):
            return True
        family = self.family
        return family is not None and any(
            "." not in name and family.search(name) for name in classes
        )


@dataclass(frozen=True)
class Category:
    """A cause category: its title, whether a restart can help, and its actions by kind."""

    id: str
    title: str
    actions: tuple[tuple[str, str], ...]
    signals: tuple[Signal, ...] = ()
    restart_helps: bool = True

    def action_for(self, system: System) -> str:
        """The action wording for this kind of system, with the system's name filled in."""
        by_kind = dict(self.actions)
        text = by_kind.get(system.kind) or by_kind["default"]
        return text.replace("{system}", NO_SYSTEM if system.generic else system.name)


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]
    systems: tuple[System, ...]
    min_score: int
    lexicon: Lexicon = Lexicon((), ())
    rivals: frozenset[str] = frozenset()  # readings of one refusal: decided by margin
    margin: int = 2

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("kctui.diagnose").joinpath(name).read_text("utf-8"))


def _category(raw: dict[str, Any]) -> Category:
    signals = tuple(
        Signal(
            weight=int(ev["weight"]),
            key=f"{raw['id']}:evidence:{index}",
            classes=frozenset(ev.get("classes", ())),
            messages=patterns(list(ev.get("messages", ()))),
            family=re.compile(ev["family"]) if "family" in ev else None,
        )
        for index, ev in enumerate(raw.get("evidence", ()))
    )
    restart = bool(raw.get("restart", True))
    return Category(raw["id"], raw["title"], tuple(raw["actions"].items()), signals, restart)


def _system(raw: dict[str, Any]) -> System:
    return System(
        raw["name"],
        raw["kind"],
        tuple(raw.get("packages", ())),
        patterns(raw.get("markers", ())),
        bool(raw.get("generic", False)),
        frozenset(raw.get("classes", ())),
        host_names(raw.get("hosts", ())),
        frozenset(int(port) for port in raw.get("ports", ())),
    )


def _lexicon(raw_categories: Iterable[dict[str, Any]]) -> Lexicon:
    groups: list[tuple[str, int, Sequence[str]]] = []
    codes: list[tuple[str, str, int]] = []
    for raw in raw_categories:
        for group in raw.get("terms", ()):
            groups.append((raw["id"], int(group["weight"]), tuple(group["terms"])))
        for code, weight in raw.get("codes", {}).items():
            codes.append((code, raw["id"], int(weight)))
    return build(groups, codes)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped categories, their lexicons, and the systems (read once)."""
    cats_data, systems_data = _read("categories.toml"), _read("systems.toml")
    raw_categories = list(cats_data["category"])
    return Catalog(
        tuple(_category(raw) for raw in raw_categories),
        tuple(_system(raw) for raw in systems_data["system"]),
        int(cats_data.get("min_score", 3)),
        _lexicon(raw_categories),
        frozenset(cats_data.get("rivals", ())),
        int(cats_data.get("margin", 2)),
    )


def part_points(one: Part, catalog: Catalog) -> list[tuple[str, str, int]]:
    """(category, evidence key, weight) for all the evidence one part holds."""
    points = catalog.lexicon.part_points(one)
    text = " ".join(one.text.split())
    lower = text.lower()
    for category in catalog.categories:
        for signal in category.signals:
            if signal.holds(one.classes, text, lower):
                points.append((category.id, signal.key, signal.weight))
    return points


def evidence_by_part(parts: Sequence[Part], catalog: Catalog) -> list[dict[str, list[int]]]:
    """Per part (most causal first), the weights of the evidence each category gains there:
    every piece of evidence counts once, in the most causal part that holds it."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, list[int]]] = []
    for one in parts:
        gained: dict[str, list[int]] = {}
        for category_id, key, weight in part_points(one, catalog):
            if (category_id, key) in seen:
                continue
            seen.add((category_id, key))
            gained.setdefault(category_id, []).append(weight)
        out.append(gained)
    return out


def score(weights: Sequence[int]) -> int:
    """A category's score from the weights of its pieces of evidence: the strongest, plus one
    for each other piece (two phrasings of one claim are not twice the evidence; two weak
    signs of one meaning, a 403 and "forbidden", together are clear)."""
    return max(weights) + len(weights) - 1 if weights else 0


def classify_parts(parts: Sequence[Part], catalog: Catalog | None = None) -> Category | None:
    """The category whose evidence reaches ``min_score`` in the most causal part (the first
    listed among those of one part; between rivals, the one ahead by ``margin``), or None:
    nothing weaker is claimed."""
    catalog = catalog or load_catalog()
    weights: dict[str, list[int]] = {}
    for gained in evidence_by_part(parts, catalog):
        for category_id, more in gained.items():
            weights.setdefault(category_id, []).extend(more)
        totals = {category_id: score(found) for category_id, found in weights.items()}
        clear = [c for c in catalog.categories if totals.get(c.id, 0) >= catalog.min_score]
        if clear:
            return _decide(clear, totals, catalog)
    return None


def _decide(clear: list[Category], totals: dict[str, int], catalog: Catalog) -> Category | None:
    """The first clear category, unless it has a clear rival: then the rival ahead by the
    margin, or None when neither is."""
    first = clear[0]
    rivals = [c for c in clear if c.id in catalog.rivals]
    if first.id not in catalog.rivals or len(rivals) < 2:
        return first
    ranked = sorted(rivals, key=lambda c: totals[c.id], reverse=True)
    if totals[ranked[0].id] - totals[ranked[1].id] >= catalog.margin:
        return ranked[0]
    return None


def classify(classes: set[str], text: str, catalog: Catalog | None = None) -> Category | None:
    """The category of one text (as one part) that also names ``classes``, or None."""
    catalog = catalog or load_catalog()
    return classify_parts([part(0, text, frozenset(classes))], catalog)


_CONFIG_KEY = re.compile(
    r'Missing required configuration "(?P<a>[^"]+)"|for configuration (?P<b>[\w.-]+)'
    r"|The '(?P<c>[\w.-]+)' value is invalid|^(?P<d>[a-z][\w-]*(?:\.[\w-]+)+): (?P=d): "
    r"|(?i:\bmust (?:specify|set|configure|provide))\s*(?P<e>[a-z][\w-]*(?:\.[\w-]+)+)",
    re.MULTILINE,
)


def failing_key(text: str) -> str | None:
    """The configuration key a validation error names, if it names one."""
    match = _CONFIG_KEY.search(text)
    if not match:
        return None
    return next(value for value in match.groupdict().values() if value)
