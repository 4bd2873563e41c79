"""The in-process hook: record an event in about a microsecond, deliver it from another thread.

1. ``record`` runs on the agent's thread: one clock read, one tuple, one ``deque.append``. It
   never blocks, never raises for a full queue, and never touches I/O.
2. A daemon thread wakes every ``flush_interval`` (or as soon as a batch is full), turns tuples
   into capped JSON lines and hands whole batches to a sink.
3. Memory is bounded twice: the queue holds at most ``max_queue`` events and failed batches wait
   for a retry in a list of at most ``max_pending`` batches. Anything beyond is dropped and
   counted; the count travels with the next batch and is printed to stderr at exit.
4. At interpreter exit the queue is flushed (bounded by ``exit_timeout``).

A forked child has no background thread: create its hook after the fork.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from .hook_event import Batch, Raw, event_line
from .hook_sink import Sink, SinkError


@dataclass(frozen=True)
class HookStats:
    """What the hook has done so far."""

    recorded: int  # events accepted into the queue
    delivered: int  # events a sink accepted
    dropped_queue_full: int
    dropped_undeliverable: int  # in batches the sink refused or that could not wait any longer
    invalid: int  # recorded tuples that could not be events (unknown kind, no tool name)
    pending: int  # events queued or waiting for a retry

    @property
    def dropped(self) -> int:
        """Every event that will never reach the sink."""
        return self.dropped_queue_full + self.dropped_undeliverable


class Hook:
    """Collects runtime events for one agent and delivers them in batches to one sink."""

    def __init__(
        self,
        sink: Sink,
        *,
        agent: str,
        clock: Callable[[], float] = time.time,
        max_queue: int = 100_000,
        batch_size: int = 1_000,
        flush_interval: float = 0.5,
        max_pending: int = 32,
        retry_interval: float = 1.0,
        exit_timeout: float = 5.0,
        at_exit: bool = True,
        report_to: TextIO | None = None,
    ) -> None:
        self.agent = agent
        self._sink = sink
        self._clock = clock
        self._queue: deque[Raw] = deque()
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._max_pending = max_pending
        self._retry_interval = retry_interval
        self._exit_timeout = exit_timeout
        self._report_to = report_to
        self._pending: deque[Batch] = deque()
        self._next_retry = 0.0
        self._lock = threading.Lock()  # counters touched off the fast path only
        self._taken = self._delivered = self._full = self._lost = self._invalid = 0
        self._wake = threading.Event()
        self._woken = False
        self._stop = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="chainwatch-hook", daemon=True)
        self._thread.start()
        if at_exit:
            atexit.register(self.close)

    def record(
        self,
        kind: str,
        *,
        session: str | None = None,
        server: str | None = None,
        server_version: str | None = None,
        component: str | None = None,
        tool: str | None = None,
        action_class: str | None = None,
        outcome: str | None = None,
        duration_ms: float | None = None,
        provenance: str | None = None,
        protocol_version: str | None = None,
        tools: Sequence[tuple[str, str]] | None = None,
        argument_shape: Mapping[str, str] | None = None,
    ) -> None:
        """Queue one event; never blocks, never raises (a full queue counts a drop)."""
        queue = self._queue
        if len(queue) >= self._max_queue:
            with self._lock:
                self._full += 1
            return
        queue.append(
            (self._clock(), kind, self.agent, session, server, server_version, component, tool,
             action_class, outcome, duration_ms, provenance, protocol_version, tools,
             argument_shape)
        )  # fmt: skip
        if len(queue) >= self._batch_size and not self._woken:
            self._woken = True
            self._wake.set()

    def stats(self) -> HookStats:
        """A snapshot of the counters."""
        with self._lock:
            waiting = sum(len(b.lines) for b in self._pending)
            return HookStats(
                recorded=self._taken + len(self._queue),
                delivered=self._delivered,
                dropped_queue_full=self._full,
                dropped_undeliverable=self._lost,
                invalid=self._invalid,
                pending=len(self._queue) + waiting,
            )

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far reached the sink; False on timeout or failure."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._queue and not self._pending:
                return True
            self._next_retry = 0.0
            self._wake.set()
            time.sleep(0.01)
        return not self._queue and not self._pending

    def close(self) -> HookStats:
        """Stop the thread, deliver what is left (within ``exit_timeout``), report drops."""
        if self._closed:
            return self.stats()
        self._closed = True
        self._stop.set()
        self._wake.set()
        self._thread.join(self._exit_timeout)
        if not self._thread.is_alive() and self._queue:
            # Recorded after the thread's last pass: send it from here (no retry of old batches).
            self._drain(final=False)
        with self._lock:
            # Whatever is still waiting now will never be sent: the process is ending (a thread
            # still stuck in a slow send is a daemon and dies with it).
            self._lost += sum(len(b.lines) for b in self._pending) + len(self._queue)
            self._pending.clear()
            self._queue.clear()
        self._sink.close()
        atexit.unregister(self.close)
        stats = self.stats()
        if stats.dropped:
            out = self._report_to or sys.stderr
            out.write(
                f"chainwatch hook: {stats.dropped} runtime events dropped "
                f"(queue full: {stats.dropped_queue_full}, "
                f"undeliverable: {stats.dropped_undeliverable})\n"
            )
        return stats

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._flush_interval)
            self._wake.clear()
            self._woken = False
            self._drain(final=False)
        self._drain(final=True)

    def _drain(self, *, final: bool) -> None:
        """Retry waiting batches, then batch up and send everything queued now."""
        self._retry(force=final)
        queue = self._queue
        while queue:
            raws: list[Raw] = []
            # Taken and counted under the lock: stats() must never see an event that left the
            # queue but is not yet counted as taken (record() appends without the lock).
            with self._lock:
                try:
                    while len(raws) < self._batch_size:
                        raws.append(queue.popleft())
                except IndexError:
                    pass  # the queue ran dry: send what we have
                self._taken += len(raws)
            self._send(self._make_batch(raws), retrying=False)

    def _make_batch(self, raws: list[Raw]) -> Batch:
        batch_id = uuid.uuid4().hex
        lines = [_line(raw, batch_id, seq) for seq, raw in enumerate(raws)]
        kept = tuple(line for line in lines if line is not None)
        with self._lock:
            self._invalid += len(raws) - len(kept)
            dropped = self._full + self._lost
        return Batch(batch_id, kept, dropped)

    def _send(self, batch: Batch, *, retrying: bool) -> bool:
        if not batch.lines:
            return True
        if self._pending and not retrying:
            self._park(batch)  # keep order: older batches go first
            return False
        try:
            self._sink.send(batch)
        except SinkError as exc:
            if exc.retry:
                self._park(batch, front=retrying)
            else:
                with self._lock:
                    self._lost += len(batch.lines)
            return False
        with self._lock:
            self._delivered += len(batch.lines)
        return True

    def _park(self, batch: Batch, *, front: bool = False) -> None:
        """Keep a batch for a later retry; beyond ``max_pending`` the oldest is dropped."""
        with self._lock:
            if front:
                self._pending.appendleft(batch)
            else:
                self._pending.append(batch)
            while len(self._pending) > self._max_pending:
                self._lost += len(self._pending.popleft().lines)
        if self._next_retry <= time.monotonic():
            self._next_retry = time.monotonic() + self._retry_interval

    def _retry(self, *, force: bool) -> None:
        if not self._pending or (not force and time.monotonic() < self._next_retry):
            return
        while self._pending:
            with self._lock:
                batch = self._pending.popleft()
            if not self._send(batch, retrying=True):
                return


def _line(raw: Raw, batch_id: str, seq: int) -> str | None:
    """The event line, or None for a tuple the caller filled with values of the wrong types."""
    try:
        return event_line(raw, batch_id, seq)
    except (TypeError, ValueError, OverflowError):
        return None  # counted as invalid; the thread must live on for the other events


def new_session_id() -> str:
    """A fresh session id for one agent-to-server connection."""
    return uuid.uuid4().hex
