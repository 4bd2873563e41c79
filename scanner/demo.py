"""The bundled demo: scan the demo fleet against the loopback fixture registry, offline.

The data is ``fixtures/demo`` (the fleet) and ``fixtures/registry`` (the recorded registry) of the
repository, the single copy. A built wheel carries both as package data under
``scanner/_demo_data/`` (copied by ``setup.py`` at build time), so ``pip install .`` then
``chainwatch demo`` works from any folder.

The demo keeps its own store: fixture identities must never reach the user's trust list.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import platformdirs

from scanner.audit.osv_db import import_osv
from scanner.audit.setup import AuditSettings
from scanner.checks.policy import Policy, parse_policy
from scanner.errors import ChainwatchError
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.inventory.manifest import MANIFEST_NAME, policy_table
from scanner.scan import Progress, ScanOptions, ScanResult, run_scan
from scanner.store import Store

DEMO_DB_NAME = "chainwatch-demo.db"
PACKAGED = "_demo_data"  # inside the scanner package of a built wheel


@dataclass(frozen=True, slots=True)
class DemoData:
    """Where the demo fleet and its recorded registry are."""

    fleet: Path  # holds chainwatch.toml
    registry: Path  # holds responses.json


def demo_data() -> DemoData:
    """The packaged demo data of an installed wheel, else the repository's fixtures."""
    packaged = Path(str(resources.files("scanner"))) / PACKAGED
    root = packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "fixtures"
    data = DemoData(fleet=root / "demo", registry=root / "registry")
    missing = [
        p
        for p in (data.fleet / "chainwatch.toml", data.registry / "responses.json")
        if not p.is_file()
    ]
    if missing:
        raise ChainwatchError(
            f"the demo data is missing: {', '.join(map(str, missing))}",
            hint="reinstall chainwatch from a wheel or run it from a clone of the repository",
        )
    return data


def default_demo_db_path() -> Path:
    """``chainwatch-demo.db`` in the user data folder, beside (never instead of) the real store."""
    return Path(platformdirs.user_data_dir("chainwatch", appauthor=False)) / DEMO_DB_NAME


def recorded_at(registry: Path | None = None) -> datetime:
    """When the bundled registry answers were recorded: the demo's fixed clock."""
    folder = registry if registry is not None else demo_data().registry
    doc = json.loads((folder / "recorded.json").read_text(encoding="utf-8"))
    return datetime.fromisoformat(str(doc["recorded_at"]).replace("Z", "+00:00"))


ACCEPTED_POLICY = "policy-accepted.toml"  # the demo policy once its planted problems are accepted


def demo_policy(*, accepted: bool = False) -> Policy:
    """The demo policy: the manifest's [policy], or the one accepting the planted problems."""
    fleet = demo_data().fleet
    path = fleet / ACCEPTED_POLICY if accepted else fleet / MANIFEST_NAME
    found = policy_table(path)
    if found is None:
        raise ChainwatchError(f"{path}: the demo policy is missing")
    return parse_policy(found[0], found[1].name)


def run_demo(
    store: Store | None, *, progress: Progress | None = None, audit: bool = False
) -> ScanResult:
    """Scan the demo fleet against the fixture registry; nothing leaves this machine.

    The demo runs as of the moment its registry answers were recorded, so it gives the same
    result on any date (the pinned trust root is judged at that moment, not today). With
    ``audit``, the demo's OSV records (``fixtures/demo/osv``: a vulnerable and a malicious
    release, planted) are imported into a database of the run and every package is audited.
    """
    # Imported here: scanner._testing is test tooling, loaded only when the demo runs.
    from scanner._testing.fixture_server import FixtureRegistry

    data = demo_data()
    moment = recorded_at(data.registry)
    # An empty home: the demo must not pick up tool caches of the machine it runs on.
    with (
        tempfile.TemporaryDirectory(prefix="chainwatch-demo-") as tmp,
        FixtureRegistry(data.registry) as registry,
    ):
        inventory = build_inventory([data.fleet], InventoryOptions(home=Path(tmp) / "home", env={}))
        settings = None
        if audit:
            osv_db = Path(tmp) / "osv.db"
            import_osv(osv_db, data.fleet / "osv", now=moment.isoformat(timespec="seconds"))
            settings = AuditSettings(offline=True, osv_db=osv_db)
        options = ScanOptions(
            registry_config=registry.config(),
            cache_dir=Path(tmp) / "cache",
            clock=lambda: moment,
            audit=settings,
        )
        inputs = {
            "paths": [str(data.fleet)],
            "demo": True,
            "registry": "loopback fixture registry",
            "clock": f"fixed at {moment.isoformat()} (when the fixtures were recorded)",
        }
        return run_scan(inventory, store, options, inputs=inputs, progress=progress)
