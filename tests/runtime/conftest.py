"""Helpers for the runtime tests: a real loopback collector, a closed port, the event schema."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import jsonschema
import pytest


@dataclass
class Collector:
    """What the loopback collector received; ``fail_first`` answers 503 that many times."""

    url: str = ""
    fail_first: int = 0
    status: int = 200
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    answered: int = 0
    redirect_to: str = ""  # answer 302 to this path instead of accepting
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [e for b in self.bodies for e in b["events"]]


@pytest.fixture
def collector() -> Iterator[Collector]:
    """A tiny real HTTP collector on 127.0.0.1 that keeps every batch it accepts."""
    state = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.answered += 1
                state.paths.append(self.path)
                if state.redirect_to and self.path != state.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", state.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 503 if state.answered <= state.fail_first else state.status
                if status == 200:
                    state.bodies.append(json.loads(body))
                    state.headers.append(dict(self.headers))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # where a followed redirect would land
            with state.lock:
                state.paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens ('collector down')."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/v1/events"


@pytest.fixture(scope="session")
def event_validator() -> jsonschema.Draft202012Validator:
    """The repository's event schema, compiled."""
    text = resources.files("scanner.runtime").joinpath("event.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))
