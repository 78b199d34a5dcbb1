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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kctui.trace_unwrap import BARE_EXCEPTION_CLASS, EXCEPTION_CLASS
from kctui.traces import Frame, Trace

NO_SYSTEM = "the remote system"
_FRAMES_LOOKED_AT = 12  # the top frames of each throwable: the code that threw it
_TOP_FRAMES = 3  # the root cause's own top frames, looked at before words in the messages
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
    """Patterns split into plain phrases (found with ``in``) and compiled regexes."""
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
    classes: frozenset[str] = frozenset()  # simple names prose uses without a package


@dataclass(frozen=True)
class Signal:
    r"""One piece of evidence for a category: any of ``classes``, a class whose simple name
    fits ``family`` (``RedisCommandTimeoutException`` for ``\w+TimeoutException$``), or
    any of ``messages``."""

    weight: int
    classes: frozenset[str] = frozenset()
    messages: Words = Words()
    family: re.Pattern[str] | None = None

    def holds(self, classes: set[str], simple: set[str], text: str, lower: str) -> bool:
        """True when the failure shows this evidence (``simple``: the simple class names)."""
        if self.classes & classes or self.messages.search(text, lower):
            return True
        family = self.family
        return family is not None and any(family.search(name) for name in simple)


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
                family=re.compile(ev["family"]) if "family" in ev else None,
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
               words(raw.get("markers", ())), raw.get("generic", False),
               frozenset(raw.get("classes", ())))
        for raw in systems_data["system"]  # type: ignore[attr-defined]
    )  # fmt: skip
    return Catalog(tuple(categories), systems, int(cats_data.get("min_score", 3)))  # type: ignore[call-overload]


def _by_package(name: str, index: dict[str, System]) -> System | None:
    """The system whose longest package prefix starts ``name``."""
    entry = _PACKAGE_MEMO.get(id(index))
    if entry is None or entry[0] is not index:
        if len(_PACKAGE_MEMO) >= _MEMO_INDEXES:
            _PACKAGE_MEMO.clear()
        entry = _PACKAGE_MEMO[id(index)] = (index, {})
    memo = entry[1]
    if name in memo:
        return memo[name]
    found: System | None = None
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        found = index.get(".".join(parts[:end]))
        if found is not None:
            break
    if len(memo) >= _MEMO_NAMES:
        memo.clear()
    memo[name] = found
    return found


# Class and frame names seen before -> their system, per package index (names repeat
# from trace to trace). The entry holds its index, so the id cannot be reused meanwhile.
_PACKAGE_MEMO: dict[int, tuple[dict[str, System], dict[str, System | None]]] = {}
_MEMO_INDEXES = 8
_MEMO_NAMES = 20_000


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
    names += [m.group(1) for m in BARE_EXCEPTION_CLASS.finditer(text)]
    fallback: System | None = None
    for name in names:
        found = _by_package(name, index) or _by_simple_name(name, catalog.systems)
        if found and not found.generic:
            return found
        fallback = fallback or found
    # The code that threw the root cause (its top frames) says more than a word in a log
    # line (a connector named "cassandra-sink" failing in the Avro converter).
    chain = list(reversed(trace.chain))
    for entry in chain[:1]:
        found, fallback = _by_frames(entry.frames[:_TOP_FRAMES], index, fallback)
        if found:
            return found
    lower = text.lower()
    for system in catalog.systems:
        if not system.generic and system.markers.search(text, lower):
            return system
    for entry in chain:
        found, fallback = _by_frames(entry.frames[:_FRAMES_LOOKED_AT], index, fallback)
        if found:
            return found
    return fallback or next(s for s in catalog.systems if s.name == "Kafka Connect")


def _by_simple_name(name: str, systems: Sequence[System]) -> System | None:
    """The system a class named without its package belongs to, if one lists it."""
    if "." in name:
        return None
    return next((system for system in systems if name in system.classes), None)


def _by_frames(
    frames: Sequence[Frame], index: dict[str, System], fallback: System | None
) -> tuple[System | None, System | None]:
    """The first non-generic system a frame's package names, and the fallback so far."""
    for frame in frames:
        call = frame.call.rsplit("/", 1)[-1]
        if call.startswith(_NEUTRAL):
            continue
        found = _by_package(call, index)
        if found and not found.generic:
            return found, fallback
        fallback = fallback or found
    return None, fallback


def scores(classes: set[str], text: str, catalog: Catalog | None = None) -> dict[str, int]:
    """Each category's evidence total for a failure (classes by full and simple name)."""
    catalog = catalog or load_catalog()
    totals: dict[str, int] = {}
    lower = text.lower()
    simple = {name for name in classes if "." not in name}
    for category in catalog.categories:
        total = 0
        for signal in category.signals:
            if signal.holds(classes, simple, text, lower):
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
