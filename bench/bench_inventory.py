"""Inventory of 50 agents x 10 servers plus lockfiles totalling 20,000 entries, on one core.

Target (issue 2): under 1 s. Baseline in the same run: only reading and decoding the same files
(json/tomllib), the floor any inventory must pay; the ratio shows what the inventory adds.
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

from scanner.inventory.build import InventoryOptions, build_inventory  # noqa: E402

AGENTS, SERVERS, LOCK_ENTRIES = 50, 10, 20_000
SHA = "a" * 64
SRI = "sha512-" + "A" * 86 + "=="


def _server(i: int, j: int) -> dict[str, object]:
    kind = j % 5
    if kind == 0:
        return {"command": "npx", "args": ["-y", f"@bench/server-{j}@1.{i}.0", "/tmp"]}
    if kind == 1:
        return {"command": "uvx", "args": [f"mcp-bench-{j}=={i}.0.1"]}
    if kind == 2:
        return {
            "command": "docker",
            "args": ["run", "-i", "--rm", "-e", "TOKEN", f"ghcr.io/bench/s{j}@sha256:{SHA}"],
        }
    if kind == 3:
        return {"url": f"https://mcp{j}.example.invalid/sse", "type": "sse"}
    return {
        "command": "npx",
        "args": ["-y", "mcp-remote@0.1.0", f"https://r{j}.example.invalid/mcp"],
    }


def build_fleet(root: Path) -> Path:
    per_lock = LOCK_ENTRIES // (AGENTS * 2)
    lines = ["version = 1"]
    for i in range(AGENTS):
        d = root / f"agent{i}"
        d.mkdir()
        servers = {f"s{j}": _server(i, j) for j in range(SERVERS)}
        (d / "mcp.json").write_text(json.dumps({"mcpServers": servers}, indent=2))
        packages = {"": {"name": f"agent{i}", "version": "1.0.0"}}
        for k in range(per_lock):
            packages[f"node_modules/pkg-{k}"] = {
                "version": f"1.0.{i}",
                "resolved": f"https://npm.registry.invalid/pkg-{k}.tgz",
                "integrity": SRI,
            }
        (d / "package-lock.json").write_text(
            json.dumps({"name": f"agent{i}", "lockfileVersion": 3, "packages": packages})
        )
        uv = ["version = 1", 'requires-python = ">=3.11"', ""]
        for k in range(per_lock):
            uv += [
                "[[package]]",
                f'name = "pypkg-{k}"',
                f'version = "2.0.{i}"',
                'source = { registry = "https://pypi.registry.invalid/simple" }',
                f'sdist = {{ url = "https://files.registry.invalid/p{k}.tar.gz", '
                f'hash = "sha256:{SHA}", size = 10 }}',
                "",
            ]
        (d / "uv.lock").write_text("\n".join(uv))
        lines += [
            "[[agent]]",
            f'id = "agent{i}"',
            'configs = ["mcp.json"]'.replace("mcp", f"agent{i}/mcp"),
            f'lockfiles = ["agent{i}/package-lock.json", "agent{i}/uv.lock"]',
            "",
        ]
    manifest = root / "chainwatch.toml"
    manifest.write_text("\n".join(lines))
    return manifest


def parse_floor(root: Path) -> float:
    start = time.perf_counter()
    for d in sorted(root.glob("agent*")):
        json.loads((d / "mcp.json").read_bytes())
        json.loads((d / "package-lock.json").read_bytes())
        tomllib.loads((d / "uv.lock").read_text())
    return time.perf_counter() - start


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = build_fleet(root)
        options = InventoryOptions(home=root / "nohome")
        build_inventory([manifest], options)  # warm imports and the page cache
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            inv = build_inventory([manifest], options)
            runs.append(time.perf_counter() - start)
        floor = min(parse_floor(root) for _ in range(3))
        servers = sum(len(a.servers) for a in inv.agents)
        locked = sum(len(a.packages) for a in inv.agents)
        errors = sum(len(a.errors) for a in inv.agents) + len(inv.errors)
        best = min(runs)
        print(f"agents={len(inv.agents)} servers={servers} locked_entries={locked} errors={errors}")
        print(f"inventory best of 3: {best:.3f} s  (runs: {', '.join(f'{r:.3f}' for r in runs)})")
        print(
            f"baseline (decode only): {floor:.3f} s  ratio inventory/baseline: {best / floor:.2f}x"
        )
        print(f"target 1.000 s: {'met' if best < 1.0 else 'MISSED'} ({best / 1.0:.2f} of budget)")


if __name__ == "__main__":
    main()
