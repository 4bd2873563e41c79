"""One Codex TOML config declaring 20,000 MCP servers, read on one core.

Issue (fail closed, item 6): each server's line used to be searched from the top of the file,
so reading grew with the square of the server count (125 s at 20,000). Baseline in the same
run: decoding the same text with ``tomllib`` alone, the floor any reader must pay. The ratio
should stay flat as the count grows (linear), and is printed for a few sizes to show it.
Usage: ``python bench/bench_big_config.py [count ...]`` (default 2000 5000 20000).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.inventory.configs import read_config_detailed  # noqa: E402

DEFAULT_COUNTS = (2_000, 5_000, 20_000)


def codex_config(count: int) -> str:
    """A ``config.toml`` with ``count`` ``[mcp_servers.<name>]`` tables, as Codex writes them."""
    parts = ['model = "bench"\n']
    for i in range(count):
        if i % 2:
            parts.append(f'\n[mcp_servers.s{i}]\nurl = "https://mcp{i}.example.invalid/mcp"\n')
        else:
            parts.append(
                f'\n[mcp_servers.s{i}]\ncommand = "npx"\nargs = ["-y", "@bench/server-{i}@1.0.0"]\n'
                f'env = {{ TOKEN = "x" }}\n'
            )
    return "".join(parts)


def best_of(runs: int, fn: object) -> float:
    """The fastest of ``runs`` timed calls of ``fn``."""
    assert callable(fn)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    counts = tuple(int(a) for a in sys.argv[1:]) or DEFAULT_COUNTS
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            path = Path(tmp) / f"config-{count}.toml"
            text = codex_config(count)
            path.write_text(text)
            result = read_config_detailed(path, "codex")  # warm-up, and the figures to print
            read = best_of(3, lambda p=path: read_config_detailed(p, "codex"))
            floor = best_of(3, lambda t=text: tomllib.loads(t))
            located = sum(1 for e in result.entries if e.line is not None)
            print(
                f"servers={count:>6} entries={len(result.entries)} with_line={located} "
                f"problems={len(result.problems)}  read {read:.3f} s  "
                f"baseline tomllib {floor:.3f} s  ratio {read / floor:.2f}x  "
                f"per server {read / count * 1e6:.1f} us"
            )


if __name__ == "__main__":
    main()
