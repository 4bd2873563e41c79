"""A store holding one recorded scan of the demo fleet, checked against the loopback registry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.demo import recorded_at
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.models import Inventory
from scanner.scan import ScanOptions, run_scan, unique_components
from scanner.store import StoreTarget, open_sql_store
from tests.conftest import FIXTURES


@dataclass(frozen=True)
class Scanned:
    """A store with one scan, the registry it was checked at, and how to check again."""

    db: StoreTarget
    registry: FixtureRegistry
    inventory: Inventory
    scan_id: int
    options: ScanOptions

    @property
    def purls(self) -> list[str]:
        """The components a rescan checks, in queue order."""
        return [c.purl for c in unique_components(self.inventory)]


def demo_inventory(home: Path) -> Inventory:
    """The demo fleet's inventory (home and environment injected)."""
    return build_inventory([FIXTURES / "demo"], InventoryOptions(home=home, env={}))


@pytest.fixture
def moment() -> datetime:
    """The fixtures' recorded moment: nothing depends on today's date."""
    return recorded_at()


@pytest.fixture
def scanned(store_db: StoreTarget, tmp_path: Path, moment: datetime) -> Iterator[Scanned]:
    """The demo fleet scanned once into a new store of each backend."""
    inventory = demo_inventory(tmp_path / "home")
    with FixtureRegistry() as registry:
        options = ScanOptions(
            registry_config=registry.config(), cache_dir=tmp_path / "c", clock=lambda: moment
        )
        with open_sql_store(store_db) as store:
            result = run_scan(inventory, store, options)
        assert result.scan_id is not None
        yield Scanned(store_db, registry, inventory, result.scan_id, options)
