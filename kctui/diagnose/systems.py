"""Which system a failure comes from: a database, a cloud service, Schema Registry, Kafka.

:func:`system_of` reads it from the packages of the exception classes (the deepest one
outside Java and Kafka first), the root cause's own frames, words and URL schemes in the
messages (``ORA-01017``, ``jdbc:postgresql:``), host names (``*.snowflakecomputing.com``),
the classes a log line or message names (a logger, a connector class), well-known ports
next to a host (``:5432``), then any frame of the chain; Kafka Connect or Kafka when
nothing else. The systems are data (``systems.toml``). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from kctui.diagnose.lexicon import Words
from kctui.trace_unwrap import BARE_EXCEPTION_CLASS, EXCEPTION_CLASS
from kctui.traces import Frame, Trace

if TYPE_CHECKING:
    from kctui.diagnose.classify import Catalog

NO_SYSTEM = "the remote system"
_FRAMES_LOOKED_AT = 12  # the top frames of each throwable: the code that threw it
_TOP_FRAMES = 3  # the root cause's own top frames, looked at before words in the messages
# Packages that say nothing about where a failure comes from.
_NEUTRAL = ("java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "scala.", "com.fasterxml.")
# Any Java class a text names with its package: a logger, a connector class, a cause.
_QUALIFIED = re.compile(r"(?<![\w$.])((?:[a-z_][\w$]*\.){2,}[A-Z][\w$]*)")
# A port next to a host name or address (``localhost:5432``, ``10.0.0.7:1521``,
# ``cassandra/<unresolved>:9042``), or named as one (``port 1433``, ``port=5432``).
_NUMBER = re.compile(r"(?<=[:= ])\d{2,5}\b")
_HOST_PORT = re.compile(
    r"(?<![\w.:-])(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|<unresolved>|\[[0-9a-fA-F:]+\]):(\d{2,5})\b"
    r"(?![.:]\d)|(?i:\bport\W{0,3}(\d{2,5})\b)"
)


@dataclass(frozen=True)
class System:
    """A system failures come from, recognised by class packages, words in the messages,
    host names and well-known ports."""

    name: str
    kind: str
    packages: tuple[str, ...] = ()
    markers: Words = Words()
    generic: bool = False  # Kafka's own code: named only when nothing outside it is
    classes: frozenset[str] = frozenset()  # simple names prose uses without a package
    hosts: HostNames | None = None  # host names of the service's endpoints
    ports: frozenset[int] = frozenset()  # its well-known ports


@dataclass(frozen=True)
class HostNames:
    """Host name endings (``s3.*.amazonaws.com``: ``*`` is one label), found in a text by
    their literal tails first (cheap), then by the regex."""

    tails: tuple[str, ...]
    regex: re.Pattern[str]

    def search(self, lower: str) -> bool:
        return any(tail in lower for tail in self.tails) and bool(self.regex.search(lower))


def host_names(endings: Sequence[str]) -> HostNames | None:
    """The :class:`HostNames` of a system's ``hosts`` (None without any)."""
    if not endings:
        return None
    tails = tuple(sorted({ending.lower().rsplit("*", 1)[-1] for ending in endings}))
    body = "|".join(re.escape(ending.lower()).replace(r"\*", r"[\w-]+") for ending in endings)
    return HostNames(tails, re.compile(rf"(?<![\w.-])(?:[\w-]+\.)*(?:{body})(?![\w-])"))


@lru_cache(maxsize=4)
def package_index(systems: tuple[System, ...]) -> dict[str, System]:
    """Package prefix -> system (the first system listing it)."""
    index: dict[str, System] = {}
    for system in systems:
        for package in system.packages:
            index.setdefault(package, system)
    return index


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
    """Where the failure comes from (see the module docstring)."""
    if catalog is None:
        from kctui.diagnose.classify import load_catalog

        catalog = load_catalog()
    systems = catalog.systems
    index = package_index(systems)
    names = [e.class_name for e in reversed(trace.chain) if e.class_name]
    names += list(reversed(classes_in(text)))
    names += [m.group(1) for m in BARE_EXCEPTION_CLASS.finditer(text)]
    fallback: System | None = None
    for name in names:
        found = _by_package(name, index) or _by_simple_name(name, systems)
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
    found = _by_words(text, systems)
    if found is None:
        found, fallback = _by_named_class(text, index, fallback)
    found = found or _by_port(text, systems)
    if found:
        return found
    for entry in chain:
        found, fallback = _by_frames(entry.frames[:_FRAMES_LOOKED_AT], index, fallback)
        if found:
            return found
    return fallback or next(s for s in systems if s.name == "Kafka Connect")


def _by_words(text: str, systems: Sequence[System]) -> System | None:
    """The first system whose words, URL schemes or host names the text holds."""
    lower = text.lower()
    for system in systems:
        if system.generic:
            continue
        if system.markers.search(text, lower) or (system.hosts and system.hosts.search(lower)):
            return system
    return None


def _by_named_class(
    text: str, index: dict[str, System], fallback: System | None
) -> tuple[System | None, System | None]:
    """The system of a class the text names with its package (a logger, a connector), and
    the fallback so far (Kafka's own loggers name Kafka)."""
    if "." not in text:
        return None, fallback
    for match in _QUALIFIED.finditer(text):
        found = _by_package(match.group(1), index)
        if found and not found.generic:
            return found, fallback
        fallback = fallback or found
    return None, fallback


def _by_port(text: str, systems: Sequence[System]) -> System | None:
    """The system whose well-known port the text names next to a host."""
    known = {port for system in systems for port in system.ports}
    if not any(int(number) in known for number in _NUMBER.findall(text)):
        return None  # no well-known port at all: skip the slower regex
    for match in _HOST_PORT.finditer(text):
        port = int(match.group(1) or match.group(2))
        for system in systems:
            if port in system.ports and not system.generic:
                return system
    return None


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
