"""A loopback OSV API serving recorded OSV records: querybatch (paginated), vulns/{id}, query.

Answers come from a table given by the test (which record ids apply to which package version),
never from chainwatch's own evaluator, so the client is not tested against itself. Faults are
injected per path: a status, a delay (client timeouts), a truncated body with a matching length
(invalid JSON), or a body cut short of its Content-Length (a broken transfer).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class OsvFault:
    """What to do instead of answering normally."""

    status: int | None = None
    delay: float = 0.0
    truncate: bool = False  # first half of the body, Content-Length matching it
    cut: bool = False  # Content-Length of the whole body, half of it sent, connection closed


@dataclass
class OsvApiServer:
    """The server; use as a context manager. ``base_url`` ends in /v1."""

    records: Mapping[str, Mapping[str, Any]]
    answers: Mapping[tuple[str, str, str], tuple[str, ...]]  # (ecosystem, name, version) -> ids
    page_size: int = 1000  # ids per querybatch result before a next_page_token
    faults: dict[str, OsvFault] = field(default_factory=dict)  # path prefix -> fault
    requests: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/v1."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> OsvApiServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def fault_for(self, path: str) -> OsvFault | None:
        """The fault registered for the longest matching path prefix."""
        hits = [p for p in self.faults if path.startswith(p)]
        return self.faults[max(hits, key=len)] if hits else None

    def querybatch(self, body: Any) -> Any:
        """The querybatch answer: ids per query, paginated by page_size."""
        results = []
        for q in body["queries"]:
            pkg = q["package"]
            ids = self.answers.get((pkg["ecosystem"], pkg["name"], q["version"]), ())
            start = int(q.get("page_token") or 0)
            page = ids[start : start + self.page_size]
            result: dict[str, Any] = {}
            if page:
                result["vulns"] = [{"id": i, "modified": self.records[i]["modified"]} for i in page]
            if start + self.page_size < len(ids):
                result["next_page_token"] = str(start + self.page_size)
            results.append(result)
        return {"results": results}

    def query(self, body: Any) -> Any:
        """The single /v1/query answer pip-audit uses: whole records, or {} for none."""
        pkg = body["package"]
        ids = self.answers.get((pkg["ecosystem"], pkg["name"], body["version"]), ())
        return {"vulns": [self.records[i] for i in ids]} if ids else {}


def _handler(api: OsvApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            return

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            prefix = "/v1/vulns/"
            if not self.path.startswith(prefix):
                self._send(404, {"message": "Not Found"})
                return
            record = api.records.get(self.path[len(prefix) :])
            self._send(200, record) if record else self._send(404, {"message": "Bug not found"})

        def do_POST(self) -> None:  # noqa: N802 - stdlib naming
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if self.path == "/v1/querybatch":
                self._send(200, api.querybatch(body))
            elif self.path == "/v1/query":
                self._send(200, api.query(body))
            else:
                self._send(404, {"message": "Not Found"})

        def _send(self, status: int, payload: Any) -> None:
            api.requests.append((self.command, self.path))
            fault = api.fault_for(self.path) or OsvFault()
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                status, payload = fault.status, {"error": f"injected {fault.status}"}
            data = json.dumps(payload).encode()
            length = len(data)
            if fault.truncate:
                data = data[: len(data) // 2]
                length = len(data)
            elif fault.cut:
                data = data[: len(data) // 2]
                self.close_connection = True
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler


__all__ = ["OsvApiServer", "OsvFault"]
