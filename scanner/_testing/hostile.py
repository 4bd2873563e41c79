"""A hostile registry on 127.0.0.1: recorded answers, except where a script says to misbehave.

``HostileRegistry`` serves ``fixtures/registry`` like the fixture registry, and each ``script``
replaces the answer for request paths matching an ``fnmatch`` pattern with an :class:`Answer`:
another path's recorded answer (a registry that swaps packages), any body (deep JSON, garbage), a
corrupt gzip encoding, a redirect, a body dripped one byte at a time, or one of any size.

Every misbehaviour is bounded: a dripped body has a finite length and stops when the client hangs
up, so a test that fails still ends.
"""

from __future__ import annotations

import fnmatch
import gzip
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from scanner._testing.fixture_server import FixtureRegistry, RequestLog, _Handler


@dataclass(frozen=True, slots=True)
class Answer:
    """What the hostile registry answers instead of the recorded answer."""

    status: int = 200
    serve: str | None = None  # answer with this request path's recorded body (a package swap)
    body: bytes | None = None  # answer with these bytes (when ``serve`` is None)
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    encoding: str | None = None  # "gzip": gzip the body; "corrupt-gzip": claim gzip, send garbage
    drip: float = 0.0  # seconds between single bytes of the body (a slow registry)
    send_length: bool = True  # False: no Content-Length; the body ends when the connection closes


def deep_json(depth: int) -> bytes:
    """A valid JSON document nested ``depth`` arrays deep."""
    return b"[" * depth + b"]" * depth


def redirect(location: str, status: int = 302) -> Answer:
    """A redirect to ``location`` (a path on this server or an absolute URL)."""
    return Answer(status=status, body=b"", headers=(("Location", location),))


def replace_bytes(body: bytes, old: str, new: str) -> bytes:
    """``body`` with every ``old`` replaced by ``new`` (to rename a package in an answer)."""
    return body.replace(old.encode(), new.encode())


class HostileRegistry(FixtureRegistry):
    """The fixture registry with scripted misbehaviour per path (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._scripts: list[tuple[str, Answer]] = []

    def script(self, pattern: str, answer: Answer) -> None:
        """Answer request paths matching ``pattern`` with ``answer`` (the first match wins)."""
        with self._lock:
            self._scripts.append((pattern, answer))

    def body_of(self, path: str) -> bytes:
        """The recorded body of ``path`` as served here (to build altered answers from)."""
        found = self.recorded(path)
        if found is None:
            raise KeyError(f"no recorded answer for {path}")
        return found[0]

    def _answer_for(self, path: str) -> Answer | None:
        with self._lock:
            return next((a for p, a in self._scripts if fnmatch.fnmatchcase(path, p)), None)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _HostileHandler


class _HostileHandler(_Handler):
    registry: HostileRegistry

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """A scripted answer, else the recorded one."""
        path = unquote(urlsplit(self.path).path)
        answer = self.registry._answer_for(path)
        if answer is None:
            super().do_GET()
            return
        headers_seen = {k.lower(): v for k, v in self.headers.items()}
        log = RequestLog("GET", path, headers_seen, answer.status)
        with self.registry._lock:
            self.registry.requests.append(log)
        body = answer.body or b""
        content_type = answer.content_type
        if answer.serve is not None:
            found = self.registry.recorded(answer.serve)
            if found is None:
                raise KeyError(f"no recorded answer for {answer.serve}")
            body, content_type = found
        headers = list(answer.headers)
        if answer.encoding == "gzip":
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        elif answer.encoding == "corrupt-gzip":
            body = b"\x1f\x8b\x08\x00garbage, not deflate data" + body[:64]
            headers.append(("Content-Encoding", "gzip"))
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            for key, value in headers:
                self.send_header(key, value)
            if answer.send_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if not answer.drip:
                self.wfile.write(body)
                return
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(answer.drip)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


__all__ = ["Answer", "HostileRegistry", "deep_json", "redirect", "replace_bytes"]
