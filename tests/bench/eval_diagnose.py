"""How many real failure texts get the right diagnosis: per set (tuning, held-out), printed.

A text counts when its diagnosis has the category the thread's fix decides
(tests/fixtures/explain/cases.toml) and an action that fits the system: for a failure of an
outside system (a database, a cloud service, Schema Registry...) the diagnosis must name
that system; for Kafka's or Connect's own failures the category is enough.

    .venv/bin/python tests/bench/eval_diagnose.py [--misses] [--held-out]
    .venv/bin/python tests/bench/eval_diagnose.py --samples DIR [--all-misses]

Per set it prints how many texts are right, how many got a wrong category (worse than none)
and how many got no diagnosis. ``--misses`` lists the tuning set's misses only, with its
per-category figures: the held-out set is for measuring, not for writing rules, so its
misses and per-category figures are printed only with ``--all-misses`` (for the report,
once the rules are final), and its figure only with ``--held-out`` or ``--all-misses``: while
rules are being written, only the tuning set is looked at.

``--samples DIR`` measures the texts of another folder instead, without copying them in:
``DIR/cases.toml`` in the same form (a ``set``, ``category`` and ``system`` per text name),
each text at the case's ``file``, ``DIR/<set>/<name>.txt``, ``DIR/<name>.txt`` or the one
``<name>.*`` below DIR; every set it names is printed (its misses only with ``--all-misses``).

Run against another checkout's kctui (``PYTHONPATH=/tmp/main-kctui``) it measures that
code on the same sets: a diagnosis without a category there gets the category of its rule
id in this checkout's kctui/diagnose/rules.toml.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "explain"
GENERIC_SYSTEMS = {"Kafka", "Kafka Connect"}
# Other names an action may use for a system.
ALIASES = {
    "PostgreSQL": ("postgres",),
    "SQL Server": ("sqlserver", "sql server"),
    "Google Cloud Storage": ("gcs", "google cloud storage"),
    "Google Pub/Sub": ("pub/sub", "pubsub"),
    "Elasticsearch": ("elasticsearch", "opensearch"),
    "Schema Registry": ("schema registry", "schema-registry"),
    "IBM MQ": ("ibm mq", "queue manager"),
}


def cases(samples: Path = SAMPLES) -> dict[str, dict[str, str]]:
    with (samples / "cases.toml").open("rb") as handle:
        return tomllib.load(handle)


def sample_path(samples: Path, name: str, case: dict[str, str]) -> Path:
    """Where a text is: the case's ``file`` if it names one, ``<set>/<name>.txt`` (this
    repository's layout), ``<name>.txt``, else the one file named ``<name>.*`` below."""
    candidates = [samples / case["file"]] if "file" in case else []
    candidates += [samples / case.get("set", "") / f"{name}.txt", samples / f"{name}.txt"]
    for path in candidates:
        if path.is_file():
            return path
    found = sorted(path for path in samples.rglob(f"{name}.*") if path.is_file())
    if len(found) == 1:
        return found[0]
    raise SystemExit(f"eval_diagnose: no single text for case {name!r} under {samples}")


def rule_categories() -> dict[str, str]:
    """Rule id -> category, from this checkout's built-in rules."""
    with (ROOT / "kctui" / "diagnose" / "rules.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return {r["id"]: r["category"] for r in data.get("rule", []) if "category" in r}


def judge(found: Any, case: dict[str, str], categories: dict[str, str]) -> tuple[bool, str]:
    """(right, what was found) for one diagnosis (or None).

    A text labelled ``category = "none"`` fits no category: saying nothing is right for it,
    and any diagnosis is wrong."""
    if found is None:
        return case["category"] == "none", "no diagnosis"
    category = getattr(found, "category", None) or categories.get(found.rule, "?")
    said = f"{found.rule} [{category}]"
    if category != case["category"]:
        return False, said
    system = case["system"]
    if system in GENERIC_SYSTEMS:
        return True, said
    text = " ".join(
        str(part) for part in (getattr(found, "system", ""), found.summary, found.action)
    ).lower()
    names = (system.lower(), *ALIASES.get(system, ()))
    return any(name in text for name in names), said


def main(argv: list[str]) -> int:
    from kctui.diagnose import diagnose  # the kctui on sys.path: this checkout's or another's

    categories = rule_categories()
    samples, argv = _samples_option(argv)
    other = samples != SAMPLES
    measure = other or "--held-out" in argv or "--all-misses" in argv
    results: dict[str, list[tuple[str, bool, str, dict[str, str]]]] = {}
    for name, case in sorted(cases(samples).items()):
        if case["set"] != "tuning" and not measure:
            continue
        text = sample_path(samples, name, case).read_text(encoding="utf-8", errors="replace")
        right, said = judge(diagnose(text), case, categories)
        results.setdefault(case["set"], []).append((name, right, said, case))
    order = sorted(results, key=lambda s: (s != "tuning", s))
    for set_name in order if measure else ("tuning",):
        rows = results.get(set_name, [])
        hits = sum(1 for row in rows if row[1])
        silent = sum(1 for row in rows if row[2] == "no diagnosis")
        wrong = sum(1 for row in rows if not row[1] and wrong_category(row[2], row[3]))
        share = 100.0 * hits / len(rows) if rows else 0.0
        print(
            f"{set_name:9} {hits:3d} / {len(rows):3d} right ({share:5.1f}%), "
            f"{wrong} wrong category, {silent} no diagnosis"
        )
        show = "--all-misses" in argv or (set_name == "tuning" and "--misses" in argv)
        if show or (set_name == "tuning" and not other):
            per = Counter(row[3]["category"] for row in rows)
            good = Counter(row[3]["category"] for row in rows if row[1])
            print("          " + ", ".join(f"{c} {good[c]}/{per[c]}" for c in sorted(per)))
        if show:
            for name, right, said, case in rows:
                if not right:
                    print(f"   miss {name}: want {case['category']} at {case['system']}, {said}")
    return 0


def _samples_option(argv: list[str]) -> tuple[Path, list[str]]:
    """``--samples DIR`` (or ``--samples=DIR``) and the other arguments."""
    rest: list[str] = []
    samples = SAMPLES
    items = iter(argv)
    for arg in items:
        if arg == "--samples":
            value = next(items, None)
            if value is None:
                raise SystemExit("eval_diagnose: --samples needs a folder")
            samples = Path(value)
        elif arg.startswith("--samples="):
            samples = Path(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    if not (samples / "cases.toml").is_file():
        raise SystemExit(f"eval_diagnose: {samples / 'cases.toml'} not found")
    return samples.resolve(), rest


def wrong_category(said: str, case: dict[str, str]) -> bool:
    """A diagnosis whose category is not the expected one (``said`` is 'rule [category]')."""
    return said != "no diagnosis" and not said.endswith(f"[{case['category']}]")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
