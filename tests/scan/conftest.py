"""Helpers for scan tests: a fleet written to disk and a scan against the loopback registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.demo import recorded_at
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.models import Inventory
from scanner.scan import ScanOptions, ScanResult, run_scan
from scanner.store import Store

RECORDED = recorded_at()


async def _no_wait(seconds: float) -> None:
    """A sleep that returns at once: backoff is tested by what it asks for, not by waiting."""


@pytest.fixture
def registry() -> Iterator[FixtureRegistry]:
    """The loopback registry serving fixtures/registry."""
    with FixtureRegistry() as server:
        yield server


def fleet(
    tmp_path: Path, servers: dict[str, list[str]], lockfiles: dict[str, str] | None = None
) -> Inventory:
    """One agent whose Claude Desktop config launches ``servers`` (name -> argv)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = {
        "mcpServers": {n: {"command": argv[0], "args": argv[1:]} for n, argv in servers.items()}
    }
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(json.dumps(config))
    lines = ["version = 1", "[[agent]]", 'id = "agent"', 'configs = ["claude_desktop_config.json"]']
    if lockfiles:
        for name, text in lockfiles.items():
            (tmp_path / name).write_text(text)
        lines.append(f"lockfiles = {json.dumps(sorted(lockfiles))}")
    (tmp_path / "chainwatch.toml").write_text("\n".join(lines) + "\n")
    return build_inventory([tmp_path], InventoryOptions(home=tmp_path / "home", env={}))


def scan(
    registry: FixtureRegistry,
    inventory: Inventory,
    tmp_path: Path,
    store: Store | None = None,
    **options: object,
) -> ScanResult:
    """Scan against the loopback registry with caches under tmp_path."""
    settings: dict[str, object] = {
        "registry_config": registry.config(),
        "cache_dir": tmp_path / "cache",
        "clock": lambda: RECORDED,  # never today's date: the fixtures' own moment
        "sleep": _no_wait,  # retries back off without waiting
        **options,
    }
    opts = ScanOptions(**settings)  # type: ignore[arg-type]
    return run_scan(inventory, store, opts)
