"""``kctui sandbox up|down|status``: a real local Kafka Connect cluster for demos and tests."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a real local Kafka broker and two Connect workers (demo + tests)",
        description="A real Kafka broker (KRaft) and a two-worker distributed Connect cluster "
        "on loopback, from Apache Kafka jars resolved from Maven Central, seeded with demo "
        "connectors in every state.",
    )
    parser.add_argument("action", choices=("up", "down", "status"))
    parser.add_argument(
        "--kafka-version",
        metavar="VERSION",
        help="4.x (default: newest 4.x on Maven Central), 3.9.x, or an exact version",
    )
    parser.add_argument(
        "--port-base",
        type=int,
        metavar="N",
        help="move every port (default 29000: broker 29092, workers 29083/29084, "
        "JMX 29073/29074, Prometheus 29040/29041, Jolokia 29050/29051)",
    )
    parser.add_argument("--no-seed", action="store_true", help="do not create demo connectors")
    parser.add_argument(
        "--secure",
        action="store_true",
        help="the secure sandbox: HTTPS + basic auth on Connect, SASL_SSL/SCRAM-SHA-512 on "
        "Kafka, HTTPS metrics agents; its own folder and ports (base 29500), cluster "
        "'sandbox-secure'",
    )
    parser.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kctui.sandbox.secure import sandbox_class

    kwargs: dict[str, object] = {}
    if args.kafka_version:
        kwargs["version_spec"] = args.kafka_version
    if args.port_base:
        kwargs["port_base"] = args.port_base
    if getattr(args, "config", None):
        kwargs["config_file"] = Path(args.config)
    box = sandbox_class(args.secure).from_env(**kwargs)
    if args.action == "up":
        box.up(seed=not args.no_seed)
        print("\n".join(box.status_lines()))
        print(f"cluster '{box.cluster_name}' written to {box.config_file}")
        return 0
    if args.action == "down":
        box.down()
        return 0
    print("\n".join(box.status_lines()))
    return 0 if box.is_up() else 1
