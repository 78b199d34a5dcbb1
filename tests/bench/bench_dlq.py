"""DLQ reader benchmarks against the sandbox broker; prints figures, never asserts on time.

1. Time to the first page (newest 100 dead letters) on a topic of 1,000,000 dead letters
   and on one of 10,000, to show it does not grow with the topic size (seek to end - N).
2. Throughput of reading + decoding dead letters with ~4 KB stack-trace headers, next to
   ``kcat -C -e -f '%h\\n'`` on the same topic in the same run, as a ratio.

The topics (``bench-dlq-1m``, ``bench-dlq-10k``; one partition, as Connect creates a DLQ)
are produced once with realistic Connect headers and reused afterwards. Run with
``.venv/bin/python tests/bench/bench_dlq.py`` while the sandbox is up.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from kctui.dlq.reader import DlqReader

BOOTSTRAP = "127.0.0.1:29092"
PREFIX = "__connect.errors."
FRAMES = [
    "org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:348)",
    "org.apache.kafka.connect.storage.Converter.toConnectData(Converter.java:98)",
    "org.apache.kafka.connect.runtime.WorkerSinkTask.lambda$convertAndTransformRecord$1(WorkerSinkTask.java:560)",
    "org.apache.kafka.connect.runtime.errors.RetryWithToleranceOperator.execAndRetry(RetryWithToleranceOperator.java:207)",
    "org.apache.kafka.connect.runtime.errors.RetryWithToleranceOperator.execute(RetryWithToleranceOperator.java:179)",
    "org.apache.kafka.connect.runtime.WorkerSinkTask.convertMessages(WorkerSinkTask.java:532)",
    "org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:358)",
    "org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:243)",
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
    "java.base/java.lang.Thread.run(Thread.java:840)",
]


def stack_trace(n: int, size: int = 4096) -> bytes:
    """A Connect-like trace of about ``size`` bytes, with a ``Caused by`` chain."""
    lines = [
        f"org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect "
        f"data failed due to serialization error of record {n}"
    ]
    depth = 0
    while sum(len(line) + 1 for line in lines) < size - 200:
        if depth and depth % 12 == 0:
            lines.append(
                "Caused by: com.fasterxml.jackson.core.JsonParseException: Unrecognized "
                f"token 'order{n}': was expecting JSON"
            )
        lines.append("\tat " + FRAMES[depth % len(FRAMES)])
        depth += 1
    lines.append(f"\t... {depth} more")
    return ("\n".join(lines) + "\n").encode()


def connect_headers(n: int) -> list[tuple[str, bytes]]:
    return [
        ("trace-id", f"t-{n:07d}".encode()),
        (PREFIX + "topic", b"orders"),
        (PREFIX + "partition", str(n % 6).encode()),
        (PREFIX + "offset", str(n // 6).encode()),
        (PREFIX + "connector.name", b"orders-sink"),
        (PREFIX + "task.id", str(n % 3).encode()),
        (PREFIX + "stage", b"VALUE_CONVERTER"),
        (PREFIX + "class.name", b"org.apache.kafka.connect.json.JsonConverter"),
        (PREFIX + "exception.class.name", b"org.apache.kafka.connect.errors.DataException"),
        (PREFIX + "exception.message", b"Converting byte[] to Kafka Connect data failed"),
        (PREFIX + "exception.stacktrace", stack_trace(n)),
    ]


def topic_size(reader: DlqReader, topic: str) -> int | None:
    try:
        return sum(end - begin for begin, end in reader.bounds(topic).values())
    except Exception:  # noqa: BLE001 - absent topic
        return None


def ensure_topic(reader: DlqReader, topic: str, count: int) -> float | None:
    """Create and fill ``topic`` up to ``count`` records; seconds spent producing, or None."""
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    have = topic_size(reader, topic)
    if have is None:
        admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP, client_id="kctui-bench")
        admin.create_topics([NewTopic(topic, 1, 1)])
        admin.close()
        have = 0
    if have >= count:
        return None
    print(
        f"producing {count - have} dead letters to {topic} (once; reused afterwards)...", flush=True
    )
    started = time.perf_counter()
    producer = KafkaProducer(
        bootstrap_servers=BOOTSTRAP,
        compression_type="gzip",
        linger_ms=50,
        batch_size=512 * 1024,
        max_request_size=8 * 1024 * 1024,
        acks=1,
    )
    for n in range(have, count):
        value = b"order %d: not json at all" % n
        producer.send(topic, key=b"order-%d" % n, value=value, headers=connect_headers(n))
        if n % 100_000 == 0 and n > have:
            print(f"  {n}/{count} ({time.perf_counter() - started:.0f} s)", flush=True)
    producer.flush(timeout=600)
    producer.close()
    return time.perf_counter() - started


def timed(func: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        out.append(time.perf_counter() - started)
    return out


def first_page(topic: str, runs: int) -> tuple[float, float]:
    """Median seconds to the newest 100: with a new reader (connect + read), and reused."""

    def cold() -> None:
        with DlqReader({"bootstrap_servers": [BOOTSTRAP]}) as fresh:
            assert len(fresh.newest(topic, 100).dead_letters) == 100

    with DlqReader({"bootstrap_servers": [BOOTSTRAP]}) as warm_reader:
        warm_reader.newest(topic, 100)
        warm = timed(lambda: warm_reader.newest(topic, 100), runs)
    return statistics.median(timed(cold, runs)), statistics.median(warm)


def kctui_throughput(topic: str, count: int, chunk: int = 5_000) -> tuple[float, int]:
    """Seconds to read + decode the first ``count`` dead letters, page by page (``newer``)."""
    with DlqReader({"bootstrap_servers": [BOOTSTRAP]}) as reader:
        reader.bounds(topic)  # connected before the clock starts, as kcat's bootstrap is short
        started = time.perf_counter()
        page = reader.from_offset(topic, 0, 0, limit=min(chunk, count))
        seen, header_bytes = 0, 0
        while True:
            seen += len(page.dead_letters)
            header_bytes += sum(
                len(v or b"") for dl in page.dead_letters for _, v in dl.record.headers
            )
            assert all(dl.stage == "VALUE_CONVERTER" for dl in page.dead_letters)
            if seen >= count or not page.has_newer:
                break
            page = reader.newer(page, min(chunk, count - seen))
        elapsed = time.perf_counter() - started
    assert seen == count, (seen, count)
    return elapsed, header_bytes


def kcat_throughput(topic: str, count: int | None) -> tuple[float, int] | None:
    kcat = shutil.which("kcat") or shutil.which("kafkacat")
    if kcat is None:
        return None
    argv = [kcat, "-C", "-b", BOOTSTRAP, "-t", topic, "-e", "-q", "-f", "%h\n"]
    if count is not None:
        argv += ["-o", "beginning", "-c", str(count)]
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, check=True)
    return time.perf_counter() - started, len(done.stdout)


def avro_decoding(count: int, uncached: int, runs: int) -> None:
    """Records per second: headers only, headers + Avro key and value with the schema cache,
    and without it (the schemas fetched from the in-process stand-in registry and parsed for
    every record)."""
    import json

    from kctui.dlq.records import KafkaRecord, decode_dead_letter
    from kctui.dlq.registry import PayloadDecoder, SchemaRegistry
    from kctui.sandbox import registry as standin
    from kctui.sandbox import scenario
    from kctui.settings import SchemaRegistrySettings

    store = standin.Store()
    server = standin.serve(0, store)
    url = f"http://127.0.0.1:{server.server_port}"
    key_id = store.register("p-key", {"schema": json.dumps(scenario.PAYMENT_KEY_SCHEMA)})
    value_id = store.register("p-value", {"schema": json.dumps(scenario.PAYMENT_SCHEMA)})
    payments = scenario.avro_payments(key_id, value_id)
    records = [
        KafkaRecord("dlq", 0, n, timestamp_ms=n, key=payments[n % len(payments)][0],
                    value=payments[n % len(payments)][1], headers=tuple(connect_headers(n)))
        for n in range(count)
    ]  # fmt: skip

    def settings() -> SchemaRegistrySettings:
        return SchemaRegistrySettings(urls=(url,))

    def headers_only() -> None:
        for rec in records:
            decode_dead_letter(rec)

    cached = PayloadDecoder(SchemaRegistry(settings()))

    def with_cache() -> None:
        for rec in records:
            decode_dead_letter(rec)
            cached.decode(rec.key)
            cached.decode(rec.value)

    uncached_registry = SchemaRegistry(settings())
    fresh = PayloadDecoder(uncached_registry)

    def without_cache() -> None:
        for rec in records[:uncached]:
            uncached_registry._cache.clear()  # what the cache saves: the HTTP look-ups
            fresh._parsed.clear()  # and parsing the schema again
            decode_dead_letter(rec)
            fresh.decode(rec.key)
            fresh.decode(rec.value)

    print(f"\n== Avro dead letters decoded (key + value, ~4 KB headers), median of {runs} ==")
    base = statistics.median(timed(headers_only, runs))
    warm = statistics.median(timed(with_cache, runs))
    cold = statistics.median(timed(without_cache, runs))
    print(f"headers only               {count / base:>10,.0f} records/s")
    print(f"headers + Avro, cached     {count / warm:>10,.0f} records/s "
          f"({warm / base:.2f}x the header-only time)")  # fmt: skip
    ratio = (count / warm) / (uncached / cold)
    print(f"headers + Avro, no cache   {uncached / cold:>10,.0f} records/s "
          f"(schemas fetched and parsed per record; the cache is {ratio:.0f}x faster)")  # fmt: skip
    cached.close()
    fresh.close()
    server.shutdown()
    server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000, help="records of the big topic")
    parser.add_argument("--small", type=int, default=10_000, help="records of the small topic")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per figure")
    parser.add_argument(
        "--slice",
        type=int,
        default=100_000,
        help="records of the big topic read for the second throughput figure",
    )
    parser.add_argument("--avro", type=int, default=20_000, help="Avro dead letters decoded")
    parser.add_argument(
        "--avro-only", action="store_true", help="only the Avro decoding figures (no broker)"
    )
    args = parser.parse_args(argv)
    avro_decoding(args.avro, max(1, args.avro // 40), args.runs)
    if args.avro_only:
        return 0
    large = "bench-dlq-1m" if args.large == 1_000_000 else f"bench-dlq-{args.large}"
    small = "bench-dlq-10k" if args.small == 10_000 else f"bench-dlq-{args.small}"
    with DlqReader({"bootstrap_servers": [BOOTSTRAP]}, timeout=30) as reader:
        for topic, count in ((small, args.small), (large, args.large)):
            spent = ensure_topic(reader, topic, count)
            if spent is not None:
                print(f"  produced in {spent:.1f} s ({count / spent:,.0f} records/s)")
        sizes = {t: topic_size(reader, t) for t in (small, large)}
    print(f"\nheader size of one dead letter: {sum(len(v) for _, v in connect_headers(1))} bytes")
    print(f"\n== time to the first page (newest 100, median of {args.runs}) ==")
    for topic in (small, large):
        cold, warm = first_page(topic, args.runs)
        print(
            f"{topic:>16} ({sizes[topic]:>9,} records): new reader {cold * 1000:7.1f} ms, "
            f"reused reader {warm * 1000:7.1f} ms"
        )
    print("\n== throughput: read + decode vs kcat -C -e -f '%h\\n' (same topic, same run) ==")
    for topic, count, whole in (
        (small, sizes[small] or args.small, True),
        (large, min(args.slice, sizes[large] or 0), False),
    ):
        if not count:
            continue
        ours, header_bytes = kctui_throughput(topic, count)
        theirs = kcat_throughput(topic, None if whole else count)
        rate = count / ours
        print(
            f"kctui  {topic}: {count:,} dead letters in {ours:.2f} s = {rate:,.0f} records/s "
            f"({header_bytes / ours / 1e6:.1f} MB/s of headers)"
        )
        if theirs is None:
            print("kcat   not installed (apt-get install kcat): no ratio")
            continue
        kcat_seconds, kcat_bytes = theirs
        print(
            f"kcat   {topic}: {count:,} records in {kcat_seconds:.2f} s = "
            f"{count / kcat_seconds:,.0f} records/s ({kcat_bytes / 1e6:.1f} MB printed)"
        )
        print(f"ratio  kctui / kcat records per second = {rate / (count / kcat_seconds):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
