"""Latency the stdio proxy adds per message, against a direct connection in the same run.

The server is the real mcp SDK test server (tests/proxy/servers/server.py v1). One client loop
sends a JSON-RPC request, waits for its response line, and sends the next: a round trip per
message. Direct: the loop talks to the server's pipes. Proxied: to ``python -m scanner proxy``
(observe mode, and --enforce with a pact) running the same server. Medians and p95 of 2,000
round trips each (after 200 warm-up ones), for ``ping`` and for ``tools/call`` (the message
--enforce holds back to decide). Target: added median <= 1 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, str(ROOT / "tests" / "proxy" / "servers" / "server.py"), "v1"]
N, WARM = 2000, 200
HELLO = [
    {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
]


class _Session:
    """One server process (direct or behind the proxy), initialized, one message at a time."""

    def __init__(self, command: list[str]) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        for msg in HELLO:
            self.stdin.write(json.dumps(msg).encode() + b"\n")
        self.stdin.flush()
        self.stdout.readline(), self.stdout.readline()  # initialize and tools/list results

    def round_trip(self, i: int, method: str) -> float:
        """Send request ``i`` and wait for its response; the seconds it took."""
        params = {"name": "read_file", "arguments": {"path": "a"}} if method == "tools/call" else {}
        line = json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        start = time.perf_counter()
        self.stdin.write(line.encode() + b"\n")
        self.stdin.flush()
        reply = self.stdout.readline()
        took = time.perf_counter() - start
        assert f'"id":{i}'.encode() in reply.replace(b" ", b""), reply[:200]
        assert b'"error"' not in reply, reply[:200]  # a refusal would not be a fair comparison
        return took

    def close(self) -> None:
        """End the session: stdin closed, process waited for."""
        self.stdin.close()
        self.proc.wait(timeout=30)


def _ms(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, statistics.quantiles(values, n=20)[-1] * 1000


def main() -> None:
    """Print medians, p95 and the added latency per message (paired, interleaved)."""
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "chainwatch.toml"
        manifest.write_text('version = 1\n[[agent]]\nid = "b"\npact = ["read"]\n')
        proxy = [sys.executable, "-m", "scanner", "proxy", "--agent", "b"]
        commands = {
            "direct": SERVER,
            "proxy (observe)": [*proxy, "--db", str(Path(tmp) / "a.db"), "--", *SERVER],
            "proxy --enforce": [
                *proxy,
                "--db",
                str(Path(tmp) / "b.db"),
                "--enforce",
                "--manifest",
                str(manifest),
                "--",
                *SERVER,
            ],
        }
        print(f"proxy latency: {N} round trips per row after {WARM} warm-up, one message in")
        print("flight; the three sessions take turns per message (drift hits all alike)")
        for method in ("ping", "tools/call"):
            sessions = {k: _Session(c) for k, c in commands.items()}
            times: dict[str, list[float]] = {k: [] for k in commands}
            for i in range(2, 2 + WARM + N):
                for label, session in sessions.items():
                    took = session.round_trip(i, method)
                    if i >= 2 + WARM:
                        times[label].append(took)
            for session in sessions.values():
                session.close()
            base, _ = _ms(times["direct"])
            print(f"{method}:")
            for label, values in times.items():
                median, p95 = _ms(values)
                row = f"  {label:<16} median {median:6.3f} ms  p95 {p95:6.3f} ms"
                if label != "direct":
                    paired = [a - b for a, b in zip(values, times["direct"], strict=True)]
                    added = statistics.median(paired) * 1000
                    row += f"  added (paired median) {added:+.3f} ms  ratio {median / base:.2f}x"
                print(row)


if __name__ == "__main__":
    main()
