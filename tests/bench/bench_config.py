"""Reading settings through the one TOML validator: the config file, the rules, a theme.

Prints medians (never asserts on time): a config file of 1 and of 50 clusters shaped like
the sandbox's entry (REST URLs, Kafka, Schema Registry, JMX, Prometheus and Jolokia sources,
logs, an auto-restart policy), the same file with an error at its last key (the error's line
is found by scanning the text), the shipped diagnosis rules, a theme, and importing
``kctui.configfile`` in a fresh interpreter.

Run: ``.venv/bin/python tests/bench/bench_config.py [--repeat 20]``
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kctui.configfile import dump_toml, parse_config
from kctui.diagnose.loading import BUILT_IN, builtin_text, parse_rules
from kctui.settings import ConfigError
from kctui.ui.themes import theme_from_toml

THEME = Path(__file__).parents[2] / "themes" / "kctui-dark.toml"


def cluster_table(index: int) -> dict[str, object]:
    workers = [f"connect-{index}-{n}:8083" for n in (1, 2)]
    return {
        "urls": [f"https://{w}" for w in workers],
        "username": "ops",
        "password_env": "CONNECT_PASSWORD",
        "read_only": index % 2 == 0,
        "kafka": {"bootstrap_servers": [f"kafka-{index}:9093"], "security_protocol": "SASL_SSL",
                  "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "kctui"},
        "schema_registry": {"url": f"https://registry-{index}:8081"},
        "jmx": [{"worker": w, "url": f"service:jmx:rmi:///jndi/rmi://{w[:-5]}:9999/jmxrmi"}
                for w in workers],
        "metrics": [{"worker": w, "source": "prometheus", "url": f"https://{w[:-5]}:9404/metrics"}
                    for w in workers],
        "logs": [{"worker": w, "command": ["ssh", w[:-5], "tail", "-F", "/var/log/connect.log"]}
                 for w in workers],
        "auto_restart": {"exclude": "^test-", "max_restarts": 5,
                         "connectors": [{"match": "^jdbc-", "max_restarts": 3}]},
    }  # fmt: skip


def config_text(clusters: int) -> str:
    tables = {f"cluster-{i}": cluster_table(i) for i in range(clusters)}
    return dump_toml({"current": "cluster-0", "theme": "kctui-dark", "clusters": tables})


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def row(label: str, ms: float) -> None:
    print(f"{label:<56} {ms:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    path = Path("/bench/config.toml")
    for clusters in (1, 50):
        text = config_text(clusters)
        took = median_ms(functools.partial(parse_config, path, text), args.repeat)
        row(f"config file, {clusters} clusters ({len(text.splitlines())} lines)", took)
    text = config_text(50)
    at = text.rindex("max_restarts = 3")
    broken = text[:at] + "max_restarts = 'x'" + text[at + len("max_restarts = 3") :]

    def read_broken() -> str:
        try:
            parse_config(path, broken)
        except ConfigError as exc:
            return str(exc)
        raise AssertionError("the broken file was read")

    took = median_ms(read_broken, args.repeat)
    row("config file, 50 clusters, an error at its last key", took)
    print(f"  ({read_broken()})")
    rules_text = builtin_text()
    took = median_ms(lambda: parse_rules(rules_text, BUILT_IN), args.repeat)
    row(f"the shipped diagnosis rules ({len(parse_rules(rules_text, BUILT_IN))} rules)", took)
    theme_text = THEME.read_text(encoding="utf-8")
    took = median_ms(lambda: theme_from_toml(THEME.name, theme_text), args.repeat)
    row(f"a theme file ({THEME.name})", took)
    code = ("import time; t = time.perf_counter(); import kctui.configfile; "
            "print((time.perf_counter() - t) * 1000)")  # fmt: skip
    cold = statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)  # fmt: skip
        for _ in range(max(5, args.repeat // 4))
    )
    row("import kctui.configfile in a fresh interpreter", cold)
    print(f"(medians of {args.repeat} runs)")


if __name__ == "__main__":
    main()
