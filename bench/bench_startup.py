"""Start-up time of the `chainwatch` command, in fresh processes.

Target (restructure issue): `chainwatch --version` and `chainwatch inventory` on one config under
0.3 s. Baseline in the same run: `python -c pass`, the floor any Python command pays; the ratio
shows what chainwatch adds. `import sigstore.verify` is shown for scale: it is what start-up cost
while the CLI imported sigstore at load time.
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
RUNS = 9
TARGET = 0.3


def _time(argv: list[str], env: dict[str, str]) -> float:
    """Median wall time of ``argv`` over RUNS fresh processes (after one warm-up run)."""
    subprocess.run(argv, env=env, check=False, capture_output=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 4):
            raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    """Print each command's median start-up time and its ratio to `python -c pass`."""
    with tempfile.TemporaryDirectory(prefix="chainwatch-bench-") as tmp:
        config = Path(tmp) / "claude_desktop_config.json"
        servers = {
            "fs": {"command": "npx", "args": ["-y", "@bench/server-fs@1.0.0", "/tmp"]},
            "git": {"command": "uvx", "args": ["mcp-server-git==0.6.2"]},
            "remote": {"url": "https://mcp.example.invalid/sse", "type": "sse"},
        }
        config.write_text(json.dumps({"mcpServers": servers}))
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HOME": tmp,
            "CHAINWATCH_DB": str(Path(tmp) / "bench.db"),
        }
        py = sys.executable
        cases = [
            ("python -c pass (baseline)", [py, "-c", "pass"]),
            ("import sigstore.verify (for scale)", [py, "-c", "import sigstore.verify"]),
            ("chainwatch --version", [py, "-m", "scanner", "--version"]),
            ("chainwatch inventory CONFIG", [py, "-m", "scanner", "inventory", str(config)]),
        ]
        baseline = None
        for label, argv in cases:
            took = _time(argv, env)
            baseline = baseline or took
            verdict = ""
            if label.startswith("chainwatch"):
                verdict = f"  (target < {TARGET:.1f} s: {'met' if took < TARGET else 'MISSED'})"
            print(f"{label:<38} {took * 1000:7.1f} ms  x{took / baseline:5.1f}{verdict}")


if __name__ == "__main__":
    main()
