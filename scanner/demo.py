"""The bundled demo: scan fixtures/demo against the loopback fixture registry, offline."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path

from scanner.errors import ChainwatchError
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.scan import Progress, ScanOptions, ScanResult, run_scan
from scanner.store import Store


def demo_dir() -> Path:
    """The demo fleet folder (``fixtures/demo`` next to the registry fixtures)."""
    # Imported here: scanner._testing is test tooling, loaded only when the demo runs.
    from scanner._testing.fixture_server import default_fixture_dir

    path = default_fixture_dir().parent / "demo"
    if not (path / "chainwatch.toml").is_file():
        raise ChainwatchError(
            f"{path}: the demo fleet is missing",
            hint="run the demo from a clone of the chainwatch repository",
        )
    return path


def recorded_at() -> datetime:
    """When the bundled registry answers were recorded: the demo's fixed clock."""
    from scanner._testing.fixture_server import default_fixture_dir

    doc = json.loads((default_fixture_dir() / "recorded.json").read_text(encoding="utf-8"))
    return datetime.fromisoformat(str(doc["recorded_at"]).replace("Z", "+00:00"))


def run_demo(store: Store | None, *, progress: Progress | None = None) -> ScanResult:
    """Scan the demo fleet against the fixture registry; nothing leaves this machine.

    The demo runs as of the moment its registry answers were recorded, so it gives the same
    result on any date (the pinned trust root is judged at that moment, not today).
    """
    from scanner._testing.fixture_server import FixtureRegistry

    fleet = demo_dir()
    moment = recorded_at()
    # An empty home: the demo must not pick up tool caches of the machine it runs on.
    with (
        tempfile.TemporaryDirectory(prefix="chainwatch-demo-") as tmp,
        FixtureRegistry() as registry,
    ):
        inventory = build_inventory([fleet], InventoryOptions(home=Path(tmp) / "home", env={}))
        options = ScanOptions(
            registry_config=registry.config(),
            cache_dir=Path(tmp) / "cache",
            clock=lambda: moment,
        )
        inputs = {
            "paths": [str(fleet)],
            "demo": True,
            "registry": "loopback fixture registry",
            "clock": f"fixed at {moment.isoformat()} (when the fixtures were recorded)",
        }
        return run_scan(inventory, store, options, inputs=inputs, progress=progress)
