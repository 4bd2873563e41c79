"""A scan of 300 components against the loopback registry with 50 ms injected latency per request.

Targets (issue 3): cold <= 3 s through concurrency; warm no-change rescan <= 0.5 s. Baseline in the
same run: the same cold scan with no injected latency (the CPU floor of resolve + verify + record).
The registry answers are real recordings; 290 of the packages are copies of real pages under bench
names (bench-py-N from mcp-server-fetch, bench-js-N from zod), the rest are real attested releases.
The served Cache-Control is max-age=600, as the public registries send for these pages.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner._testing.fixture_server import FixtureRegistry, default_fixture_dir  # noqa: E402
from scanner.demo import recorded_at  # noqa: E402
from scanner.inventory.build import InventoryOptions, build_inventory  # noqa: E402
from scanner.scan import ScanOptions, run_scan  # noqa: E402
from scanner.store import open_store  # noqa: E402

RECORDED = recorded_at()
SYNTHETIC = 145  # per ecosystem
REAL = [
    ["npx", "-y", "sigstore@1.0.0"],
    ["npx", "-y", "tuf-js@1.0.0"],
    ["npx", "-y", "sigstore@0.4.0"],
    ["uvx", "pypi-attestations==0.0.19"],
    ["uvx", "mcp-server-git==2026.10.19"],
    ["uvx", "mcp-server-time==2026.10.19"],
    ["npx", "-y", "express@5.2.1"],
    ["npx", "-y", "@modelcontextprotocol/server-everything@2026.8.31"],
    ["npx", "-y", "mcp-remote@0.15.1"],
    ["uvx", "mcp==2.3.0"],
]


def build_registry(folder: Path) -> None:
    shutil.copytree(default_fixture_dir(), folder)
    manifest = json.loads((folder / "responses.json").read_text())
    py = (folder / "pypi/simple/mcp-server-fetch.json").read_text()
    js = (folder / "npm/zod.json").read_text()
    for i in range(SYNTHETIC):
        name = f"bench-py-{i}"
        (folder / f"pypi/simple/{name}.json").write_text(
            py.replace("mcp-server-fetch", name).replace("mcp_server_fetch", name.replace("-", "_"))
        )
        manifest.append(
            {
                "path": f"/pypi/simple/{name}/",
                "file": f"pypi/simple/{name}.json",
                "content_type": "application/vnd.pypi.simple.v1+json",
            }
        )
        name = f"bench-js-{i}"
        (folder / f"npm/{name}.json").write_text(
            js.replace('"zod', f'"{name}').replace("/zod", f"/{name}")
        )
        manifest.append(
            {"path": f"/npm/{name}", "file": f"npm/{name}.json", "content_type": "application/json"}
        )
    (folder / "responses.json").write_text(json.dumps(manifest))


def build_fleet(folder: Path) -> Path:
    servers = {f"py{i}": ["uvx", f"bench-py-{i}==2026.10.24"] for i in range(SYNTHETIC)}
    servers |= {f"js{i}": ["npx", "-y", f"bench-js-{i}@4.6.7"] for i in range(SYNTHETIC)}
    servers |= {f"real{i}": argv for i, argv in enumerate(REAL)}
    config = {"mcpServers": {n: {"command": a[0], "args": a[1:]} for n, a in servers.items()}}
    folder.mkdir()
    path = folder / "claude_desktop_config.json"
    path.write_text(json.dumps(config))
    return path


def timed_scan(
    registry: FixtureRegistry, config: Path, cache: Path, db: Path
) -> tuple[float, dict[str, int], int]:
    inventory = build_inventory([config], InventoryOptions(home=config.parent / "home", env={}))
    before = len(registry.requests)
    start = time.perf_counter()
    with open_store(db) as store:
        result = run_scan(
            inventory,
            store,
            ScanOptions(
                registry_config=registry.config(),
                cache_dir=cache,
                clock=lambda: RECORDED,  # the fixtures' moment: runs on any date
            ),
        )
    return time.perf_counter() - start, result.status_counts(), len(registry.requests) - before


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_registry(root / "registry")
        config = build_fleet(root / "fleet")
        with FixtureRegistry(root / "registry", cache_control="max-age=600") as fast:
            # Warm-up: imports and the process-wide TLS context, paid once per process.
            timed_scan(fast, config, root / "cache-warmup", root / "warmup.db")
            floor, counts, _ = timed_scan(fast, config, root / "cache0", root / "floor.db")
        with FixtureRegistry(root / "registry", latency=0.05, cache_control="max-age=600") as slow:
            cold, counts, cold_requests = timed_scan(slow, config, root / "cache", root / "cw.db")
            warm, warm_counts, warm_requests = timed_scan(
                slow, config, root / "cache", root / "cw.db"
            )
        total = sum(counts.values())
        print(f"components={total} statuses={counts}")
        assert warm_counts == counts, "a no-change rescan must give the same statuses"
        print(f"baseline cold scan, no latency:  {floor:.3f} s")
        print(
            f"cold scan, 50 ms/request:        {cold:.3f} s  ({cold_requests} requests; "
            f"serial would wait {cold_requests * 0.05:.1f} s)  "
            f"ratio to baseline {cold / floor:.2f}x  "
            f"target 3.0 s: {'met' if cold <= 3.0 else 'MISSED'}"
        )
        print(
            f"warm no-change rescan:           {warm:.3f} s  ({warm_requests} requests)  "
            f"ratio warm/cold {warm / cold:.2f}  target 0.5 s: {'met' if warm <= 0.5 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
