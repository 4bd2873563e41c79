"""Large single files read on one core: 20,000 MCP servers in one Codex TOML config, and
20,000 entries in a Pipfile.lock, a package.json and a pyproject.toml.

Issue (fail closed, item 6): each server's (or entry's) line used to be searched from the top
of the file, so reading grew with the square of the count (125 s for the config at 20,000,
39 s for the Pipfile.lock). Baseline in the same run: decoding the same text with ``tomllib``
or ``json`` alone, the floor any reader must pay. The ratio should stay flat as the count
grows (linear); it is printed for a few sizes to show it.
Usage: ``python bench/bench_big_files.py [count ...]`` (default 2000 5000 20000).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.inventory.configs.read import read_config_detailed  # noqa: E402
from scanner.inventory.lockfiles.read import read_lockfile  # noqa: E402

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


def lockfiles(count: int) -> dict[str, tuple[str, bool]]:
    """Name -> (text, is JSON) of lockfiles and manifests listing ``count`` packages."""
    names = [f"pkg-{i}" for i in range(count)]
    pipfile = {
        "_meta": {"hash": {"sha256": "x"}},
        "default": {n: {"version": "==1.0.0", "hashes": ["sha256:" + "a" * 64]} for n in names},
    }
    package = {"name": "bench", "dependencies": dict.fromkeys(names, "1.0.0")}
    pyproject = (
        '[project]\nname = "bench"\ndependencies = [\n'
        + "".join(f'  "{n}==1.0",\n' for n in names)
        + "]\n"
    )
    return {
        "Pipfile.lock": (json.dumps(pipfile, indent=4), True),
        "package.json": (json.dumps(package, indent=2), True),
        "pyproject.toml": (pyproject, False),
    }


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
        for count in counts:
            for name, (text, is_json) in lockfiles(count).items():
                path = Path(tmp) / name
                path.write_text(text)
                found = read_lockfile(path)
                located = sum(1 for c in found.components if c.source and c.source.line)
                read = best_of(3, lambda p=path: read_lockfile(p))
                decode = json.loads if is_json else tomllib.loads
                floor = best_of(3, lambda t=text, d=decode: d(t))
                print(
                    f"{name:<15} entries={count:>6} components={len(found.components)} "
                    f"with_line={located}  read {read:.3f} s  "
                    f"baseline {'json' if is_json else 'tomllib'} {floor:.3f} s  "
                    f"ratio {read / floor:.1f}x  per entry {read / count * 1e6:.1f} us"
                )


if __name__ == "__main__":
    main()
