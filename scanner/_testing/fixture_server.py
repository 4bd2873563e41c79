"""A registry on 127.0.0.1 that serves recorded answers, with ETags and fault injection.

Recordings live in a folder (default: the repository's ``fixtures/registry``) with a
``responses.json`` manifest: ``[{"path", "file", "content_type"}]``. Bodies keep the ``.invalid``
placeholder hosts of the recording; they are rewritten to this server's own address when served:
``https://pypi.registry.invalid`` -> ``http://127.0.0.1:PORT/pypi`` and likewise ``files`` and
``npm``. ``FixtureRegistry.config()`` gives the matching RegistryConfig.

Faults (``add_fault``) apply to request paths matching an ``fnmatch`` pattern, optionally only to
the first ``times`` matching requests; ``latency`` delays every request (benchmarks).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from scanner.registry.config import RegistryConfig

PLACEHOLDERS = {
    "pypi": "https://pypi.registry.invalid",
    "files": "https://files.registry.invalid",
    "npm": "https://npm.registry.invalid",
}
BIG_BODY_BYTES = 10 * 1024 * 1024


def default_fixture_dir() -> Path:
    """``$CHAINWATCH_REGISTRY_FIXTURES`` or the repository's ``fixtures/registry``."""
    if env := os.environ.get("CHAINWATCH_REGISTRY_FIXTURES"):
        return Path(env)
    # scanner/_testing/fixture_server.py -> repository root (a source or editable install)
    return Path(__file__).resolve().parents[2] / "fixtures" / "registry"


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do instead of (or on top of) the recorded answer."""

    status: int | None = None  # answer this status with a small JSON body
    headers: tuple[tuple[str, str], ...] = ()  # e.g. (("Retry-After", "1"),)
    delay: float = 0.0  # seconds before answering (client timeouts)
    truncate: bool = False  # send only the first half of the body, with a matching length
    content_type: str | None = None  # override the content type
    big_body: bool = False  # a 10 MB JSON body
    send_length: bool = True  # False: no Content-Length, body ends when the connection closes
    reset: bool = False  # reset the connection without answering
    times: int | None = None  # apply to the first N matching requests only


@dataclass
class _Rule:
    pattern: str
    fault: Fault
    left: int | None


@dataclass(frozen=True, slots=True)
class _Recorded:
    file: Path
    content_type: str


@dataclass
class RequestLog:
    """A request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0


class FixtureRegistry:
    """The loopback registry; use as a context manager or call ``start``/``stop``."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        latency: float = 0.0,
        cache_control: str = "no-cache",
    ) -> None:
        self.folder = folder or default_fixture_dir()
        self.latency = latency
        self.cache_control = cache_control
        self.requests: list[RequestLog] = []
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._responses = self._load_manifest()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the fixture registry is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, prefix: str, path: str = "") -> str:
        """The served URL of ``path`` under ``pypi``, ``files`` or ``npm``."""
        return f"{self.base_url}/{prefix}/{path.lstrip('/')}"

    def config(self) -> RegistryConfig:
        """A RegistryConfig pointing at this server."""
        return RegistryConfig(
            pypi_simple=self.url("pypi", "simple/"),
            pypi_json=self.url("pypi", "pypi/"),
            npm=self.url("npm"),
            sources=(("pypi", "fixture registry"), ("npm", "fixture registry")),
        )

    def add_fault(self, pattern: str, fault: Fault) -> None:
        """Apply ``fault`` to request paths (``/pypi/simple/mcp/``) matching ``pattern``."""
        with self._lock:
            self._rules.append(_Rule(pattern, fault, fault.times))

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._rules.clear()

    def paths(self) -> list[str]:
        """Every recorded request path."""
        return sorted(self._responses)

    def start(self) -> FixtureRegistry:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        handler = type("Handler", (self._handler_class(),), {"registry": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fixture-registry",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FixtureRegistry:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def recorded(self, path: str) -> tuple[bytes, str] | None:
        """The recorded (body, content type) of a request path, as this server serves it."""
        found = self._responses.get(path)
        return None if found is None else (self._body(found), found.content_type)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def _load_manifest(self) -> dict[str, _Recorded]:
        manifest = self.folder / "responses.json"
        if not manifest.is_file():
            return {}
        entries: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))
        return {e["path"]: _Recorded(self.folder / e["file"], e["content_type"]) for e in entries}

    def _fault_for(self, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.left != 0 and fnmatch.fnmatchcase(path, rule.pattern):
                    if rule.left is not None:
                        rule.left -= 1
                    return rule.fault
        return None

    def _body(self, recorded: _Recorded) -> bytes:
        body = recorded.file.read_bytes()
        for prefix, placeholder in PLACEHOLDERS.items():
            body = body.replace(placeholder.encode(), f"{self.base_url}/{prefix}".encode())
        return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up early (timeouts, size limits) are expected here."""


class _Handler(BaseHTTPRequestHandler):
    registry: FixtureRegistry
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: tests read ``registry.requests`` instead."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """Serve a recorded answer, a fault, or 404."""
        reg = self.registry
        path = unquote(urlsplit(self.path).path)
        log = RequestLog("GET", path, {k.lower(): v for k, v in self.headers.items()})
        with reg._lock:
            reg.requests.append(log)
        if reg.latency:
            time.sleep(reg.latency)
        fault = reg._fault_for(path) or Fault()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset:
            self._reset()
            return
        if fault.status is not None:
            body = json.dumps({"error": f"injected {fault.status}"}).encode()
            self._send(log, fault.status, body, "application/json", fault)
            return
        if fault.big_body:
            body = b'{"pad": "' + b" " * BIG_BODY_BYTES + b'"}'
            self._send(log, 200, body, fault.content_type or "application/json", fault)
            return
        recorded = reg._responses.get(path)
        if recorded is None:
            self._send(log, 404, b'{"message": "Not Found"}', "application/json", fault)
            return
        body = reg._body(recorded)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
            self._send(log, 304, b"", None, fault, etag=etag)
            return
        if fault.truncate:
            body = body[: len(body) // 2]
        self._send(log, 200, body, fault.content_type or recorded.content_type, fault, etag=etag)

    def _send(
        self,
        log: RequestLog,
        status: int,
        body: bytes,
        content_type: str | None,
        fault: Fault,
        *,
        etag: str | None = None,
    ) -> None:
        log.status = status
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Cache-Control", self.registry.cache_control)
            for key, value in fault.headers:
                self.send_header(key, value)
            if fault.send_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset(self) -> None:
        """Close with RST: SO_LINGER on with a zero timeout."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


__all__ = ["PLACEHOLDERS", "Fault", "FixtureRegistry", "RequestLog", "default_fixture_dir"]
