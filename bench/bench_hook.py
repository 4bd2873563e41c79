"""The runtime hook's cost on the agent's thread: ``Hook.record`` vs an empty function call.

Each call is timed on its own (``perf_counter_ns`` before and after), so both figures include
the timer's own cost; the baseline is an empty function taking the same keyword arguments, timed
the same way in the same run. Printed: median and p99 per event for the baseline, the hook with
its background thread writing a real SQLite spool, and the hook with the collector down (a
closed loopback port: the caller's cost must not change). The timed hooks get a queue of
CALLS events, so every call takes the append path (a tight loop outruns any writer; what a
full queue costs is the drop path, a lock and a counter). Then 100,000 events from 4 threads
with the default queue: recording time, time until all are in the spool (the writer's sustained
rate), and delivered/dropped counts.
"""

from __future__ import annotations

import io
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.runtime.hook import Hook  # noqa: E402
from scanner.runtime.hook_http import HttpSink
from scanner.runtime.hook_spool import SpoolSink  # noqa: E402

CALLS = 200_000
SHAPE = {"query": "string", "limit": "integer"}


def empty(
    kind: str,
    *,
    session: str | None = None,
    server: str | None = None,
    server_version: str | None = None,
    tool: str | None = None,
    action_class: str | None = None,
    outcome: str | None = None,
    duration_ms: float | None = None,
    argument_shape: dict[str, str] | None = None,
) -> None:
    """The baseline: a function with the same keyword parameters that does nothing."""


def timed(record: Callable[..., None]) -> tuple[float, float]:
    """Median and p99 of one call, in microseconds."""
    clock = time.perf_counter_ns
    costs = [0] * CALLS
    for i in range(CALLS):
        start = clock()
        record(
            "tool_call",
            session="s1",
            server="notes",
            server_version="1.0",
            tool="search",
            action_class="read",
            outcome="ok",
            duration_ms=1.5,
            argument_shape=SHAPE,
        )
        costs[i] = clock() - start
    costs.sort()
    return costs[CALLS // 2] / 1000, costs[CALLS * 99 // 100] / 1000


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def threads(tmp: Path) -> None:
    hook = Hook(SpoolSink(tmp / "threads.db"), agent="bench", at_exit=False)

    def work() -> None:
        for _ in range(25_000):
            hook.record("tool_call", tool="search", outcome="ok")

    start = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    recorded = time.perf_counter() - start
    stats = hook.close()
    total = time.perf_counter() - start
    print(
        f"4 threads x 25,000 events: recorded in {recorded * 1000:.0f} ms, in the spool after "
        f"{total * 1000:.0f} ms ({stats.delivered / total:,.0f} events/s); "
        f"delivered {stats.delivered}, dropped {stats.dropped}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = timed(empty)
        spool_hook = Hook(
            SpoolSink(tmp / "spool.db"), agent="bench", at_exit=False, max_queue=CALLS
        )
        spool = timed(spool_hook.record)
        spool_stats = spool_hook.close()
        down_hook = Hook(
            HttpSink(f"http://127.0.0.1:{closed_port()}/", timeout=0.5),
            agent="bench",
            at_exit=False,
            max_queue=CALLS,
            report_to=io.StringIO(),  # its drop report is printed below
        )
        down = timed(down_hook.record)
        down_stats = down_hook.close()
        print(f"{CALLS:,} calls each, per call (us)      median      p99")
        print(f"  baseline (empty function)        {base[0]:8.2f} {base[1]:8.2f}")
        for label, figures in (("hook, SQLite spool", spool), ("hook, collector down", down)):
            extra = figures[0] - base[0]
            print(
                f"  {label:<32} {figures[0]:8.2f} {figures[1]:8.2f}"
                f"   (+{extra:.2f} us median over baseline, x{figures[0] / base[0]:.1f})"
            )
        print(f"spool: delivered {spool_stats.delivered}, dropped {spool_stats.dropped}")
        print(f"collector down: delivered {down_stats.delivered}, dropped {down_stats.dropped}")
        threads(tmp)


if __name__ == "__main__":
    main()
