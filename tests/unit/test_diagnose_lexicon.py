"""Category lexicons: documented error vocabularies of many vendors, one meaning per category.

Each row is a vendor's documented error wording or code (not a sample of a real failure: the
real ones are in tests/fixtures/explain), and the category its documentation gives it.
"""

from __future__ import annotations

import pytest

from kctui.diagnose.classify import classify, load_catalog, score
from kctui.diagnose.lexicon import LexiconError, build, compile_term, expand
from kctui.diagnose.tokens import part

VOCABULARY = [
    # authentication: JDBC drivers, SQLSTATE class 28, cloud SDK codes, Kafka, AMQP, Kerberos
    (
        "ERROR 1045 (28000): Access denied for user 'app'@'10.0.0.7' (using password: YES)",
        "authentication",
    ),
    ('FATAL: password authentication failed for user "debezium"', "authentication"),
    ("ORA-01017: invalid username/password; logon denied", "authentication"),
    ("Login failed for user 'sa'.", "authentication"),
    ("SQLException: SQL State: 28P01", "authentication"),
    ("Status Code: 403; Error Code: InvalidAccessKeyId", "authentication"),
    ("Error Code: SignatureDoesNotMatch", "authentication"),
    (
        "The security token included in the request is invalid. (Service: Sqs; Error Code: "
        "InvalidClientTokenId)",
        "authentication",
    ),
    ("Error Code: ExpiredToken", "authentication"),
    ("<Code>AuthenticationFailed</Code>", "authentication"),
    (
        "io.grpc.StatusRuntimeException: UNAUTHENTICATED: Request had invalid authentication "
        "credentials",
        "authentication",
    ),
    (
        "Authentication failed during authentication due to invalid credentials with SASL "
        "mechanism SCRAM-SHA-512",
        "authentication",
    ),
    ("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN", "authentication"),
    ("GSS initiate failed", "authentication"),
    ("HTTP/1.1 401 Unauthorized", "authentication"),
    ("Put token failed. status-code: 401, status-description: Unauthorized", "authentication"),
    ("WRONGPASS invalid username-password pair or user is disabled.", "authentication"),
    # authorization: SQLSTATE 42501, ORA-01031, MySQL 1142, AWS AccessDenied, Google
    # PERMISSION_DENIED, Kafka ACLs
    ("ERROR: permission denied for table orders", "authorization"),
    ("SQLSTATE: 42501", "authorization"),
    ("ORA-01031: insufficient privileges", "authorization"),
    (
        "ERROR 1142 (42000): INSERT command denied to user 'app'@'%' for table 'orders'",
        "authorization",
    ),
    ("The INSERT permission was denied on the object 'orders'", "authorization"),
    ("Status Code: 403; Error Code: AccessDenied", "authorization"),
    ("User: arn:aws:iam::1:user/x is not authorized to perform: s3:PutObject", "authorization"),
    ("PERMISSION_DENIED: The caller does not have permission", "authorization"),
    ("403 Forbidden", "authorization"),
    ("TOPIC_AUTHORIZATION_FAILED", "authorization"),
    ("Not authorized to access topics: [orders]", "authorization"),
    ("<Code>AuthorizationPermissionMismatch</Code>", "authorization"),
    (
        "Command failed with error 13 (Unauthorized): 'not authorized on admin to execute command'",
        "authorization",
    ),
    ("NOPERM this user has no permissions to run the 'xadd' command", "authorization"),
    # network: SQLSTATE class 08, TNS, MySQL client errors, Java and Kafka clients, TLS, Google
    # UNAVAILABLE
    ("SQL State: 08001", "network"),
    ("ORA-12541: TNS:no listener", "network"),
    ("ERROR 2003 (HY000): Can't connect to MySQL server on 'db' (111)", "network"),
    ("java.net.ConnectException: Connection refused", "network"),
    ("java.net.UnknownHostException: kafka-1: Name or service not known", "network"),
    (
        "Connection to node -1 (localhost/127.0.0.1:9092) could not be established. Broker may "
        "not be available.",
        "network",
    ),
    (
        "PKIX path building failed: unable to find valid certification path to requested target",
        "network",
    ),
    ("javax.net.ssl.SSLException: Unsupported or unrecognized SSL message", "network"),
    ("io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 59.9s", "network"),
    ("503 Service Unavailable", "network"),
    ("java.net.SocketTimeoutException: Read timed out", "network"),
    # change data capture: MySQL 1236, WAL, slots, LogMiner, SQL Server agent
    (
        "Could not find first log file name in binary log index file Error code: 1236; "
        "SQLSTATE: HY000.",
        "cdc-position",
    ),
    ("logical decoding requires wal_level >= logical", "cdc-position"),
    ('ERROR: replication slot "debezium" is active for PID 4242', "cdc-position"),
    ("ORA-01291: missing logfile", "cdc-position"),
    ("The MySQL server is not configured to use a ROW binlog_format", "cdc-position"),
    (
        "No maximum LSN recorded in the database; please ensure that the SQL Server Agent is "
        "running",
        "cdc-position",
    ),
    # missing resources: S3 NoSuchBucket, SQS NonExistentQueue, Glue EntityNotFound, SQLSTATE
    # 42P01, Kafka
    ("Error Code: NoSuchBucket", "missing-resource"),
    ("AWS.SimpleQueueService.NonExistentQueue", "missing-resource"),
    ("EntityNotFoundException: Entity Not Found", "missing-resource"),
    ('ERROR: relation "orders" does not exist', "missing-resource"),
    ("ERROR 1146 (42S02): Table 'shop.orders' doesn't exist", "missing-resource"),
    ("ORA-00942: table or view does not exist", "missing-resource"),
    ("{orders=UNKNOWN_TOPIC_OR_PARTITION}", "missing-resource"),
    ("NOT_FOUND: Resource not found (resource=sub-1)", "missing-resource"),
    ("<Code>ContainerNotFound</Code>", "missing-resource"),
    ("404 Not Found", "missing-resource"),
    ("no such index [logs-2024]", "missing-resource"),
    # Kafka client limits
    ("RECORD_LIST_TOO_LARGE", "kafka-limits"),
    (
        "MESSAGE_TOO_LARGE: The request included a message larger than the max message size "
        "the server will accept.",
        "kafka-limits",
    ),
    ("Producer attempted an operation with an old epoch.", "kafka-limits"),
    (
        "Expiring 12 record(s) for orders-0: 120000 ms has passed since batch creation",
        "kafka-limits",
    ),
    # the target's schema: SQLSTATE 42703/23502, MySQL 1054/1406, ORA-00904, SQL Server 8152,
    # Elasticsearch
    ('ERROR: column "qty" of relation "orders" does not exist', "target-schema"),
    ("SQLSTATE: 42703", "target-schema"),
    ('ERROR: null value in column "id" violates not-null constraint', "target-schema"),
    ("ERROR 1054 (42S22): Unknown column 'qty' in 'field list'", "target-schema"),
    ("ERROR 1406 (22001): Data too long for column 'name' at row 1", "target-schema"),
    ('ORA-00904: "QTY": invalid identifier', "target-schema"),
    ("String or binary data would be truncated.", "target-schema"),
    ("mapper [price] cannot be changed from type [long] to [text]", "target-schema"),
    ("strict_dynamic_mapping_exception", "target-schema"),
    ("Unsupported source data type: STRUCT", "target-schema"),
    ("E11000 duplicate key error collection: shop.orders index: _id_", "target-schema"),
    # converters and Schema Registry
    ("Unknown magic byte!", "serialization"),
    ("Schema not found; error code: 40403", "serialization"),
    ("Error retrieving Avro value schema version for id 7", "serialization"),
    ("org.apache.avro.SchemaParseException: Illegal character in: order-id", "serialization"),
    # configuration: ConfigDef and Connect's own wording
    ("Invalid value 0 for configuration tasks.max: Value must be at least 1", "invalid-config"),
    (
        'Missing required configuration "connection.url" which has no default value.',
        "invalid-config",
    ),
    ("Must configure one of topics or topics.regex", "invalid-config"),
    ("Could not find a 'KafkaClient' entry in the JAAS configuration.", "invalid-config"),
    # the worker's resources
    ("java.lang.OutOfMemoryError: Direct buffer memory", "resources"),
    ("java.io.IOException: No space left on device", "resources"),
    ("unable to create new native thread", "resources"),
    # plugins and classes
    ("java.lang.ClassNotFoundException: io.confluent.connect.avro.AvroConverter", "classpath"),
    (
        "has been compiled by a more recent version of the Java Runtime (class file version 61.0)",
        "classpath",
    ),
    (
        "class com.x.Y cannot be cast to class com.x.Y (com.x.Y is in unnamed module of loader "
        "org.apache.kafka.connect.runtime.isolation.PluginClassLoader @1)",
        "classpath",
    ),
]


@pytest.mark.parametrize(("text", "category"), VOCABULARY)
def test_documented_vocabulary_gets_its_category(text: str, category: str) -> None:
    found = classify(set(), text)
    assert found is not None, f"{text!r}: no category"
    assert found.id == category


NOT_CLEAR = [
    # one weak word is not clear evidence, nor is a bare status or a bare "not found"
    "the task stopped",
    "forbidden",
    "403",
    "not found",
    "Status Code: 404",
    "timed out",
    "Unauthorized",
    "class java.lang.String cannot be cast to class org.apache.kafka.connect.data.Struct",
    # ordinary log lines and config dumps
    "[2024-05-01 10:00:00,000] INFO ProducerConfig values: max.request.size = 1048576",
    "[2024-05-01 10:00:00,000] INFO max.poll.interval.ms = 300000",
    "INFO Kafka Connect worker initializing ...",
    "INFO [Consumer clientId=c-1] Resetting offset for partition orders-0",
    "INFO ssl.truststore.location = null sasl.jaas.config = null",
    # a library missing on a Windows desktop: not a remote resource
    "Native library (win32-x86-64/C:\\java\\libtest.dll) not found in resource path",
    # a refusal that reads two or three ways at once
    "SQL compilation error: Object 'DB.PUBLIC.T' does not exist or not authorized.",
    "Select bucket failed because of an access error (bucket does not exist or insufficient "
    "privileges)",
]


@pytest.mark.parametrize("text", NOT_CLEAR)
def test_no_category_without_clear_evidence(text: str) -> None:
    assert classify(set(), text) is None


def test_terms_expand_alternatives_and_optional_words() -> None:
    assert expand("(no such|unknown) (table|bucket)") == [
        "no such table",
        "no such bucket",
        "unknown table",
        "unknown bucket",
    ]
    assert expand("(table |)missing") == ["table missing", "missing"]


def test_a_term_is_normalised_like_the_text_and_may_have_gaps() -> None:
    term = compile_term("c", 4, "InvalidAccessKeyId ..2 doesn't", "x")
    assert term.segments == (("invalid", "access", "key", "id"), ("does", "not"))
    assert term.gaps == (2,)
    with pytest.raises(LexiconError):
        compile_term("c", 4, ".. refused", "x")
    with pytest.raises(LexiconError):
        compile_term("c", 4, "refused ..", "x")


def test_gaps_are_bounded() -> None:
    lexicon = build([("network", 4, ["connection .. refused"])], [])
    assert lexicon.matches("connection to localhost 5434 refused".split())
    assert not lexicon.matches("connection to a b c d e refused".split())


def test_the_longer_of_overlapping_terms_wins_across_categories() -> None:
    lexicon = build(
        [
            ("authentication", 4, ["access denied for user"]),
            ("authorization", 4, ["access denied"]),
        ],
        [],
    )
    found = lexicon.matches("access denied for user app".split())
    assert [m.term.category for m in found] == ["authentication"]
    found = lexicon.matches("access denied".split())
    assert [m.term.category for m in found] == ["authorization"]


def test_each_term_counts_once_and_two_weak_signs_make_one_clear_one() -> None:
    assert score([]) == 0
    assert score([2]) == 2
    assert score([2, 2]) == 3  # a 403 and "forbidden"
    assert score([4, 4]) == 5  # two phrasings of one claim are not twice the evidence
    catalog = load_catalog()
    points = catalog.lexicon.part_points(part(0, "access denied. Access Denied. ACCESS DENIED"))
    assert [p for p in points if p[0] == "authorization"] == [
        ("authorization", "access denied", 4)
    ] * 3
    assert classify(set(), "Access denied; Access denied", catalog) is not None


def test_every_category_has_a_lexicon_and_every_code_a_known_kind() -> None:
    catalog = load_catalog()
    with_terms = {term.category for term in catalog.lexicon.terms}
    assert with_terms == {category.id for category in catalog.categories}
    kinds = {code.split(":", 1)[0] for code in catalog.lexicon.codes}
    assert kinds <= {"http", "sqlstate", "ora", "mysql", "rest"}


# One word alone is clear evidence only when it is a documented error name of its own
# (Redis's WRONGPASS/NOAUTH/NOPERM prefixes, Google's UNAUTHENTICATED, the JVM's Metaspace).
ERROR_NAMES = {"metaspace", "unauthenticated", "wrongpass", "noauth", "noperm"}


def test_one_word_is_clear_evidence_only_when_it_is_an_error_name() -> None:
    catalog = load_catalog()
    for term in catalog.lexicon.terms:
        if sum(len(segment) for segment in term.segments) == 1:
            assert term.weight < catalog.min_score or term.segments[0][0] in ERROR_NAMES, term
