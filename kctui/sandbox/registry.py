"""A small stand-in for the Confluent Schema Registry, for the sandbox and the tests.

No real Schema Registry can be installed from the package registries this project uses
(Confluent's is not on Maven Central, Karapace is not on PyPI), so the sandbox serves the
part of the documented REST API that kctui and the demo producer use:

- ``POST /subjects/{subject}/versions`` ``{"schema", "schemaType"?, "references"?}`` -> ``{"id"}``
  (the same schema text gets the same id, as the real registry does);
- ``GET /schemas/ids/{id}`` -> ``{"schema", "schemaType"?, "references"?}`` (no
  ``schemaType`` for Avro), 404 ``{"error_code": 40403, "message": "Schema 7 not found"}``;
- ``GET /schemas/ids/{id}/subjects``, ``GET /subjects``, ``GET /subjects/{s}/versions/{v}``.

Run it with ``python -m kctui.sandbox.registry --port P --store FILE`` or in-process
with :func:`serve` (tests). Answers are ``application/vnd.schemaregistry.v1+json``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class Store:
    """Schemas by id and subject versions, optionally kept in a JSON file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.schemas: list[dict[str, Any]] = []  # index = id - 1
        self.subjects: dict[str, list[int]] = {}  # subject -> ids by version
        if path is not None and path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.schemas, self.subjects = data["schemas"], data["subjects"]

    def register(self, subject: str, body: dict[str, Any]) -> int:
        entry = {"schema": body["schema"], "schemaType": body.get("schemaType", "AVRO"),
                 "references": body.get("references") or []}  # fmt: skip
        with self.lock:
            schema_id = next(
                (i + 1 for i, s in enumerate(self.schemas) if s == entry), None
            ) or self._add(entry)
            versions = self.subjects.setdefault(subject, [])
            if schema_id not in versions:
                versions.append(schema_id)
            self._save()
        return schema_id

    def _add(self, entry: dict[str, Any]) -> int:
        self.schemas.append(entry)
        return len(self.schemas)

    def _save(self) -> None:
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"schemas": self.schemas, "subjects": self.subjects}))
            tmp.replace(self.path)


_ROUTES = (
    ("GET", re.compile(r"^/schemas/ids/(\d+)$"), "schema_by_id"),
    ("GET", re.compile(r"^/schemas/ids/(\d+)/subjects$"), "subjects_of_id"),
    ("GET", re.compile(r"^/subjects$"), "subject_list"),
    ("GET", re.compile(r"^/subjects/([^/]+)/versions/(latest|\d+)$"), "subject_version"),
    ("POST", re.compile(r"^/subjects/([^/]+)/versions$"), "register"),
)


class Handler(BaseHTTPRequestHandler):
    store: Store

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        for verb, pattern, name in _ROUTES:
            if verb == method and (match := pattern.match(path)):
                getattr(self, name)(*(unquote(g) for g in match.groups()))
                return
        self._answer(404, {"error_code": 404, "message": "HTTP 404 Not Found"})

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib's name
        self._route("POST")

    def _schema(self, schema_id: int) -> dict[str, Any] | None:
        schemas = self.store.schemas
        return schemas[schema_id - 1] if 0 < schema_id <= len(schemas) else None

    def schema_by_id(self, raw_id: str) -> None:
        entry = self._schema(int(raw_id))
        if entry is None:
            self._answer(404, {"error_code": 40403, "message": f"Schema {raw_id} not found"})
            return
        body: dict[str, Any] = {"schema": entry["schema"]}
        if entry["schemaType"] != "AVRO":
            body["schemaType"] = entry["schemaType"]
        if entry["references"]:
            body["references"] = entry["references"]
        self._answer(200, body)

    def subjects_of_id(self, raw_id: str) -> None:
        schema_id = int(raw_id)
        if self._schema(schema_id) is None:
            self._answer(404, {"error_code": 40403, "message": f"Schema {raw_id} not found"})
            return
        self._answer(200, sorted(s for s, ids in self.store.subjects.items() if schema_id in ids))

    def subject_list(self) -> None:
        self._answer(200, sorted(self.store.subjects))

    def subject_version(self, subject: str, version: str) -> None:
        ids = self.store.subjects.get(subject)
        if not ids:
            self._answer(404, {"error_code": 40401, "message": f"Subject '{subject}' not found."})
            return
        number = len(ids) if version == "latest" else int(version)
        if not 0 < number <= len(ids):
            self._answer(404, {"error_code": 40402, "message": f"Version {version} not found."})
            return
        schema_id = ids[number - 1]
        entry = self._schema(schema_id) or {}
        self._answer(200, {"subject": subject, "version": number, "id": schema_id,
                           "schema": entry.get("schema")})  # fmt: skip

    def register(self, subject: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            schema_id = self.store.register(subject, body)
        except (ValueError, KeyError, TypeError):
            self._answer(422, {"error_code": 42201, "message": "Invalid schema"})
            return
        self._answer(200, {"id": schema_id})


def serve(port: int = 0, store: Store | None = None) -> ThreadingHTTPServer:
    """Start a stand-in registry on 127.0.0.1 in a daemon thread; ``.server_port`` tells
    where. Stop it with ``shutdown()`` and ``server_close()``."""
    handler = type("BoundHandler", (Handler,), {"store": store or Store()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="registry").start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="kctui sandbox Schema Registry stand-in")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--sandbox-home", help="marks the process as the sandbox's")
    args = parser.parse_args(argv)
    handler = type("BoundHandler", (Handler,), {"store": Store(args.store)})
    ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
