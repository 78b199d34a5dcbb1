"""Cause categories and systems: what kind of trouble a failure is, and where it comes from.

Both are data shipped beside this module (``categories.toml``, ``systems.toml``).
:func:`system_of` names the system a trace comes from (the package of its deepest class
outside Java and Kafka, then words in its messages, then the connector's own frames);
:func:`classify` puts a failure in the most causal category with clear evidence; a rule's
diagnosis and the generic one both take their action wording from here. Pure apart from
reading the two files once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kctui.trace_unwrap import EXCEPTION_CLASS
from kctui.traces import Trace

NO_SYSTEM = "the remote system"
_FRAMES_LOOKED_AT = 12  # the top frames of each throwable: the code that threw it
# Packages that say nothing about where a failure comes from.
_NEUTRAL = ("java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "scala.", "com.fasterxml.")


@dataclass(frozen=True)
class Words:
    """Patterns searched in a text: plain phrases as substrings (fast), the rest as regexes."""

    exact: tuple[str, ...] = ()  # substrings, case as written
    folded: tuple[str, ...] = ()  # substrings of the lower-cased text (patterns with (?i))
    regexes: tuple[re.Pattern[str], ...] = ()

    def search(self, text: str, lower: str) -> bool:
        return (
            any(word in text for word in self.exact)
            or any(word in lower for word in self.folded)
            or any(regex.search(text) for regex in self.regexes)
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


def words(patterns: list[str] | tuple[str, ...]) -> Words:
    """Patterns split into plain phrases and one alternation of the real regexes."""
    exact: list[str] = []
    folded: list[str] = []
    regexes: list[str] = []
    for pattern in patterns:
        body, fold = (pattern[4:], True) if pattern.startswith("(?i)") else (pattern, False)
        literal = _literal(body)
        if literal is None:
            regexes.append(pattern)
        elif fold:
            folded.append(literal.lower())
        else:
            exact.append(literal)
    compiled = tuple(re.compile(pattern, re.MULTILINE) for pattern in regexes)
    return Words(tuple(exact), tuple(folded), compiled)


@dataclass(frozen=True)
class System:
    """A system failures come from, recognised by class packages and message markers."""

    name: str
    kind: str
    packages: tuple[str, ...] = ()
    markers: Words = Words()
    generic: bool = False  # Kafka's own code: named only when nothing outside it is


@dataclass(frozen=True)
class Signal:
    """One piece of evidence for a category: any of ``classes`` or any of ``messages``."""

    weight: int
    classes: frozenset[str] = frozenset()
    messages: Words = Words()


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

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    @property
    def by_package(self) -> dict[str, System]:
        """Package prefix -> system (the first system listing it)."""
        return _package_index(self.systems)


@lru_cache(maxsize=4)
def _package_index(systems: tuple[System, ...]) -> dict[str, System]:
    index: dict[str, System] = {}
    for system in systems:
        for package in system.packages:
            index.setdefault(package, system)
    return index


def _read(name: str) -> dict[str, object]:
    return tomllib.loads(resources.files("kctui.diagnose").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped categories and systems (read once)."""
    cats_data, systems_data = _read("categories.toml"), _read("systems.toml")
    categories = []
    for raw in cats_data["category"]:  # type: ignore[attr-defined]
        signals = tuple(
            Signal(
                weight=int(ev["weight"]),
                classes=frozenset(ev.get("classes", ())),
                messages=words(list(ev.get("messages", ()))),
            )
            for ev in raw.get("evidence", ())
        )
        categories.append(
            Category(
                raw["id"],
                raw["title"],
                tuple(raw["actions"].items()),
                signals,
                raw.get("restart", True),
            )  # fmt: skip
        )
    systems = tuple(
        System(raw["name"], raw["kind"], tuple(raw.get("packages", ())),
               words(raw.get("markers", ())), raw.get("generic", False))
        for raw in systems_data["system"]  # type: ignore[attr-defined]
    )  # fmt: skip
    return Catalog(tuple(categories), systems, int(cats_data.get("min_score", 3)))  # type: ignore[call-overload]


def _by_package(name: str, index: dict[str, System]) -> System | None:
    """The system whose longest package prefix starts ``name``."""
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        found = index.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


def classes_in(text: str) -> list[str]:
    """Every exception class named anywhere in ``text`` (inside messages too), in order."""
    return [match.group(1) for match in EXCEPTION_CLASS.finditer(text)]


def system_of(trace: Trace, text: str, catalog: Catalog | None = None) -> System:
    """Where the failure comes from: the deepest class outside Java and Kafka, then words in
    the messages, then the connector's own frames; Kafka Connect or Kafka when nothing else."""
    catalog = catalog or load_catalog()
    index = catalog.by_package
    names = [e.class_name for e in reversed(trace.chain) if e.class_name]
    names += list(reversed(classes_in(text)))
    fallback: System | None = None
    for name in names:
        found = _by_package(name, index)
        if found and not found.generic:
            return found
        fallback = fallback or found
    lower = text.lower()
    for system in catalog.systems:
        if not system.generic and system.markers.search(text, lower):
            return system
    for entry in reversed(trace.chain):
        for frame in entry.frames[:_FRAMES_LOOKED_AT]:
            call = frame.call.rsplit("/", 1)[-1]
            if call.startswith(_NEUTRAL):
                continue
            found = _by_package(call, index)
            if found and not found.generic:
                return found
            fallback = fallback or found
    return fallback or next(s for s in catalog.systems if s.name == "Kafka Connect")


def scores(classes: set[str], text: str, catalog: Catalog | None = None) -> dict[str, int]:
    """Each category's evidence total for a failure (classes by full and simple name)."""
    catalog = catalog or load_catalog()
    totals: dict[str, int] = {}
    lower = text.lower()
    for category in catalog.categories:
        total = 0
        for signal in category.signals:
            if signal.classes & classes or signal.messages.search(text, lower):
                total += signal.weight
        if total:
            totals[category.id] = total
    return totals


def classify(classes: set[str], text: str, catalog: Catalog | None = None) -> Category | None:
    """The most causal category with clear evidence (see categories.toml), or None."""
    catalog = catalog or load_catalog()
    totals = scores(classes, text, catalog)
    for category in catalog.categories:
        if totals.get(category.id, 0) >= catalog.min_score:
            return category
    return None


_CONFIG_KEY = re.compile(
    r'Missing required configuration "(?P<a>[^"]+)"|for configuration (?P<b>[\w.-]+)'
    r"|The '(?P<c>[\w.-]+)' value is invalid|^(?P<d>[a-z][\w-]*(?:\.[\w-]+)+): (?P=d): ",
    re.MULTILINE,
)


def failing_key(text: str) -> str | None:
    """The configuration key a validation error names, if it names one."""
    match = _CONFIG_KEY.search(text)
    if not match:
        return None
    return next(value for value in match.groupdict().values() if value)
