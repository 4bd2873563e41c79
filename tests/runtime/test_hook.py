"""The in-process hook: nothing lost under load, bounded when the collector is down, flushed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from scanner.runtime.hook import Hook
from scanner.runtime.hook_event import Batch
from scanner.runtime.hook_http import HttpSink
from scanner.runtime.hook_sink import SinkError
from scanner.runtime.hook_spool import SpoolSink, spool_lines

REPO = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_100k_events_from_4_threads_none_lost_and_flushed_at_exit(tmp_path):
    spool = tmp_path / "spool.db"
    # The agent never calls close(): the flush at interpreter exit must deliver everything.
    result = _run(
        """
        import sys, threading
        from pathlib import Path
        from scanner.runtime.hook import Hook
        from scanner.runtime.hook_spool import SpoolSink
        hook = Hook(SpoolSink(Path(sys.argv[1])), agent="load-agent")
        def work(k):
            for i in range(25_000):
                hook.record("tool_call", tool=f"t{k}-{i}", outcome="ok", duration_ms=0.1)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        print("agent done")
        """,
        str(spool),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "agent done\n"
    assert result.stderr == ""  # no drop report
    events = [json.loads(line) for line in spool_lines(spool)]
    assert len(events) == 100_000
    assert {e["tool"] for e in events} == {f"t{k}-{i}" for k in range(4) for i in range(25_000)}
    assert len({(e["batch_id"], e["seq"]) for e in events}) == 100_000
    assert {e["agent"] for e in events} == {"load-agent"}


def test_collector_down_the_agent_runs_on_and_the_drops_are_reported(closed_port_url):
    result = _run(
        """
        import sys
        from scanner.runtime.hook import Hook
        from scanner.runtime.hook_http import HttpSink
        hook = Hook(HttpSink(sys.argv[1], timeout=0.5), agent="a", max_queue=2_000,
                    batch_size=100, max_pending=3, flush_interval=0.01, retry_interval=0.01)
        for i in range(10_000):
            hook.record("tool_call", tool="search", outcome="ok")
        stats = hook.stats()
        print("agent done", stats.recorded + stats.dropped_queue_full)
        """,
        closed_port_url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "agent done 10000\n"
    # Nothing reached the collector, so every event is counted as dropped, and said so.
    assert "chainwatch hook: 10000 runtime events dropped" in result.stderr
    assert "Traceback" not in result.stderr


def test_collector_down_in_process_counts_every_event(closed_port_url):
    report = io.StringIO()
    hook = Hook(
        HttpSink(closed_port_url, timeout=0.5),
        agent="a",
        batch_size=50,
        max_pending=2,
        flush_interval=0.01,
        retry_interval=0.01,
        at_exit=False,
        report_to=report,
    )
    for _ in range(1_000):
        hook.record("tool_call", tool="search", outcome="ok")
    stats = hook.close()
    assert stats.delivered == 0
    assert stats.dropped == 1_000
    assert stats.pending == 0
    assert "1000 runtime events dropped" in report.getvalue()


def test_batches_reach_a_loopback_collector_with_ids_and_token(collector, event_validator):
    sink = HttpSink(collector.url, token="collector-token-1")
    hook = Hook(sink, agent="agent-7", batch_size=40, at_exit=False, clock=lambda: 0.0)
    for i in range(100):
        hook.record("tool_call", tool=f"tool{i}", outcome="ok", action_class="read")
    stats = hook.close()
    assert stats.delivered == 100 and stats.dropped == 0
    assert [len(b["events"]) for b in collector.bodies] == [40, 40, 20]
    for body, headers in zip(collector.bodies, collector.headers, strict=True):
        assert headers["Idempotency-Key"] == body["batch_id"]
        assert headers["Authorization"] == "Bearer collector-token-1"
        assert {e["batch_id"] for e in body["events"]} == {body["batch_id"]}
        assert [e["seq"] for e in body["events"]] == list(range(len(body["events"])))
        assert body["dropped_total"] == 0
    events = collector.events()
    assert [e["tool"] for e in events] == [f"tool{i}" for i in range(100)]
    assert {e["time"] for e in events} == {"1970-01-01T00:00:00.000000Z"}  # the injected clock
    for event in events:
        event_validator.validate(event)


def test_a_collector_that_comes_back_gets_every_batch_in_order(collector):
    collector.fail_first = 3
    hook = Hook(
        HttpSink(collector.url),
        agent="a",
        batch_size=10,
        flush_interval=0.01,
        retry_interval=0.01,
        at_exit=False,
    )
    for i in range(50):
        hook.record("tool_call", tool=f"t{i}", outcome="ok")
    assert hook.flush(timeout=10)
    stats = hook.close()
    assert stats.delivered == 50 and stats.dropped == 0
    assert [e["tool"] for e in collector.events()] == [f"t{i}" for i in range(50)]
    assert collector.answered >= 3 + len(collector.bodies)


def test_a_batch_the_collector_refuses_is_dropped_and_counted(collector):
    collector.status = 400
    report = io.StringIO()
    hook = Hook(HttpSink(collector.url), agent="a", at_exit=False, report_to=report)
    for _ in range(7):
        hook.record("tools_changed")
    stats = hook.close()
    assert (stats.delivered, stats.dropped_undeliverable) == (0, 7)
    assert "7 runtime events dropped" in report.getvalue()


def test_a_redirect_is_refused_so_the_token_goes_nowhere_else(collector):
    collector.redirect_to = "/elsewhere"
    hook = Hook(HttpSink(collector.url, token="collector-token-1"), agent="a", at_exit=False)
    hook.record("tools_changed")
    stats = hook.close()
    assert stats.dropped_undeliverable == 1
    assert collector.paths == ["/v1/events"]


class _GatedSink:
    """A real spool behind a gate: the batch waits until the test opens it (a slow sink)."""

    def __init__(self, path: Path) -> None:
        self.spool = SpoolSink(path)
        self.gate = threading.Event()

    def send(self, batch: Batch) -> None:
        if not self.gate.wait(10):
            raise SinkError("gate never opened", retry=False)
        self.spool.send(batch)

    def close(self) -> None:
        self.spool.close()


def test_a_full_queue_drops_and_counts_but_never_blocks(tmp_path):
    sink = _GatedSink(tmp_path / "spool.db")
    hook = Hook(sink, agent="a", max_queue=100, batch_size=10, flush_interval=0.01, at_exit=False)
    for i in range(1_000):
        hook.record("tool_call", tool=f"t{i}", outcome="ok")  # returns at once: the sink is stuck
    stats = hook.stats()
    assert stats.dropped_queue_full > 0
    assert stats.recorded + stats.dropped_queue_full == 1_000
    sink.gate.set()
    final = hook.close()
    assert final.delivered == stats.recorded
    assert len(list(spool_lines(tmp_path / "spool.db"))) == stats.recorded
    # The count of drops travels with later batches, for the collector to see.
    assert final.dropped == stats.dropped_queue_full


def test_a_spool_keeps_a_batch_id_once(tmp_path):
    sink = SpoolSink(tmp_path / "spool.db")
    batch = Batch("b" * 32, ('{"x":1}', '{"x":2}'), 0)
    sink.send(batch)
    sink.send(batch)
    sink.close()
    assert list(spool_lines(tmp_path / "spool.db")) == ['{"x":1}', '{"x":2}']


def test_an_unwritable_spool_counts_drops_and_never_raises(tmp_path):
    report = io.StringIO()
    hook = Hook(
        SpoolSink(tmp_path / "missing-dir" / "spool.db"),
        agent="a",
        at_exit=False,
        report_to=report,
    )
    hook.record("tools_changed")
    stats = hook.close()
    assert stats.dropped_undeliverable == 1
    assert "1 runtime events dropped" in report.getvalue()


def test_values_of_the_wrong_type_count_as_invalid_and_the_thread_lives_on(tmp_path):
    hook = Hook(SpoolSink(tmp_path / "spool.db"), agent="a", at_exit=False)
    hook.record("tool_call", tool="t", outcome="ok", argument_shape={1: "string", "a": "string"})  # type: ignore[dict-item]
    hook.record("tool_call", tool="t", outcome="ok", duration_ms="slow")  # type: ignore[arg-type]
    hook.record("no_such_kind")
    hook.record("tool_call", tool="t")  # no outcome
    hook.record("tool_call", tool="after", outcome="ok")
    stats = hook.close()
    assert (stats.invalid, stats.delivered) == (4, 1)
    assert [json.loads(x)["tool"] for x in spool_lines(tmp_path / "spool.db")] == ["after"]


class _SlowSink:
    """A sink that takes its time, so batches are taken while events keep coming."""

    def send(self, batch: Batch) -> None:
        import time

        time.sleep(0.0005)

    def close(self) -> None:
        pass


def test_a_snapshot_never_misses_an_event_taken_for_a_batch() -> None:
    # stats() read while the hook's thread was filling a batch once came out a batch short
    # ("agent done 9900" under load): events taken from the queue but not yet counted.
    hook = Hook(_SlowSink(), agent="a", batch_size=100, flush_interval=0.0005, at_exit=False)
    done = 0
    short: list[tuple[int, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            before = done
            stats = hook.stats()
            if stats.recorded + stats.dropped_queue_full < before:
                short.append((before, stats.recorded + stats.dropped_queue_full))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        for _ in range(60_000):
            hook.record("tool_call", tool="search", outcome="ok")
            done += 1
    finally:
        stop.set()
        sampler.join()
    stats = hook.close()
    assert short == [], f"{len(short)} snapshots counted fewer events than recorded: {short[:3]}"
    assert stats.recorded + stats.dropped_queue_full == 60_000
