"""The byte relay: client stdin -> server stdin and server stdout -> client stdout, at once.

Each chunk is written on before anything looks at it; a copy goes on a queue to the parser
thread (scanner/proxy/observe.py). With ``enforce``, client -> server traffic is forwarded a whole
line at a time (MCP stdio framing is one JSON-RPC message per line, so a partial line is of no
use to the server anyway) and a ``tools/call`` line is held until the parser has caught up and the
observer has decided; a refused call is answered with a JSON-RPC error and never reaches the
server.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.errors import ChainwatchError
from scanner.proxy.observe import CallRecord, Observer, refusal_response
from scanner.redact import redact_text

_CHUNK = 65536


class ProxyError(ChainwatchError):
    """The proxy could not run the server."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A copy of bytes that went by, and which way."""

    from_client: bool
    data: bytes


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Relay:
    """One proxy session between a client (our stdin/stdout) and a server process."""

    def __init__(
        self,
        observer: Observer,
        *,
        enforce: bool,
        on_start: Callable[[], None] = lambda: None,
        on_done: Callable[[], None] = lambda: None,
        stdin_fd: int = 0,
        stdout_fd: int = 1,
    ) -> None:
        self.observer = observer
        # Both run on the parser thread, the one that uses the store: open it while the server
        # starts (not when the first tool list arrives), close it after the last message.
        self._on_start = on_start
        self._on_done = on_done
        self.enforce = enforce
        self._in = stdin_fd
        self._out = stdout_fd
        self._out_lock = threading.Lock()  # server replies and refusals share the client's stdout
        self._copies: queue.Queue[Chunk | None] = queue.Queue()

    def run(self, command: Sequence[str]) -> int:
        """Start the server, relay until it exits, return its exit status."""
        try:
            proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as exc:
            name = redact_text(command[0]) if command else "(none)"
            raise ProxyError(f"cannot start the server {name!r}: {exc.strerror or exc}") from None
        with proc:  # closes both pipes and waits for the server at the end
            assert proc.stdin is not None and proc.stdout is not None
            if threading.current_thread() is threading.main_thread():
                # A client ending the session sends SIGTERM (then SIGKILL): stop the server and
                # let its closing stdout end the relay, so copies already queued are recorded.
                signal.signal(signal.SIGTERM, lambda _sig, _frame: proc.terminate())
            parser = threading.Thread(target=self._parse, daemon=True)
            upstream = threading.Thread(target=self._from_client, args=(proc,), daemon=True)
            parser.start()
            upstream.start()
            try:
                self._from_server(proc.stdout.fileno())
            finally:
                self._copies.put(None)
                parser.join()
            return proc.wait()

    def _from_server(self, fd: int) -> None:
        while chunk := os.read(fd, _CHUNK):
            # Queue the copy first: once the client has a tools/list result it may call at once,
            # and the call's decision waits for every queued copy (see _refusals).
            self._copies.put(Chunk(False, chunk))
            with self._out_lock:
                _write_all(self._out, chunk)

    def _from_client(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None
        fd = proc.stdin.fileno()
        pending = b""
        try:
            while chunk := os.read(self._in, _CHUNK):
                if not self.enforce:
                    # Copy first, as from the server: the server may answer before this thread
                    # runs again, and a response parsed before its request matches nothing.
                    self._copies.put(Chunk(True, chunk))
                    _write_all(fd, chunk)
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._enforced(fd, line + b"\n")
            if pending:
                self._enforced(fd, pending)
        except BrokenPipeError:
            pass  # the server went away; its stdout closing ends the session
        finally:
            proc.stdin.close()

    def _enforced(self, fd: int, line: bytes) -> None:
        refusals = b"".join(self._refusals(line))
        self._copies.put(Chunk(True, line))
        if refusals:
            # The refusal is the response the observer sees for the call (outcome "failed").
            self._copies.put(Chunk(False, refusals))
            with self._out_lock:
                _write_all(self._out, refusals)
        else:
            _write_all(fd, line)

    def _refusals(self, line: bytes) -> list[bytes]:
        """Error responses for a refused line (empty: forward it). A batch is refused whole."""
        if b"tools/call" not in line and b"\\" not in line:
            return []  # cannot name tools/call, even escaped: the fast path
        try:
            doc: Any = json.loads(line)
        except ValueError:
            return []  # not JSON: the server answers it with its own parse error
        msgs = doc if isinstance(doc, list) else [doc]
        calls = [m for m in msgs if isinstance(m, dict) and m.get("method") == "tools/call"]
        if not calls:
            return []
        self._copies.join()  # every earlier message parsed: the latest tools/list is known
        reasons = []
        for call in calls:
            params = call.get("params")
            name = params.get("name") if isinstance(params, dict) else None
            tool = name if isinstance(name, str) else ""
            reason = self.observer.refusal(tool)
            if reason is not None:
                reasons.append((call, tool, reason))
        if not reasons:
            return []
        out = []
        for msg in msgs:
            if isinstance(msg, dict) and "id" in msg and "method" in msg:
                tool, reason = next(((t, r) for c, t, r in reasons if c is msg), ("", ""))
                reason = reason or "it came in a batch with a refused call"
                out.append(refusal_response(msg["id"], tool, reason))
        self.observer.session.refused += len(reasons)
        return out

    def _feed(self, from_client: bool, line: bytes) -> None:
        try:
            self.observer.feed_line(from_client, line)
        except ChainwatchError as exc:  # e.g. the store is locked: say so, keep relaying
            sys.stderr.write(f"chainwatch proxy: {exc.diagnostics()}\n")

    def _parse(self) -> None:
        buffers = {True: b"", False: b""}
        try:
            self._on_start()
        except ChainwatchError as exc:
            sys.stderr.write(f"chainwatch proxy: {exc.diagnostics()}\n")
        while True:
            item = self._copies.get()
            try:
                if item is None:
                    for side, rest in buffers.items():
                        if rest.strip():
                            self._feed(side, rest)
                    self._on_done()
                    return
                *lines, buffers[item.from_client] = (buffers[item.from_client] + item.data).split(
                    b"\n"
                )
                for line in lines:
                    if line.strip():
                        self._feed(item.from_client, line)
            finally:
                self._copies.task_done()


__all__ = ["CallRecord", "Chunk", "Relay"]
