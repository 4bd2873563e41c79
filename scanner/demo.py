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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import platformdirs

from scanner.audit.osv_db import import_osv
from scanner.audit.setup import AuditSettings
from scanner.behavior.model import Attribution, FleetBehavior, Verdict
from scanner.checks.policy import Policy, parse_policy
from scanner.errors import ChainwatchError
from scanner.events.model import ImportResult
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.inventory.manifest import MANIFEST_NAME, policy_table
from scanner.scan import Progress, ScanOptions, ScanResult, run_scan
from scanner.score.model import FleetScore
from scanner.store import Store

DEMO_DB_NAME = "chainwatch-demo.db"
EVENTS_FILE = "events.jsonl"  # scripts/make_demo_events.py writes it
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


@dataclass(frozen=True, slots=True)
class EventsStory:
    """The demo's ending: its recorded runtime events imported, the scores before and after."""

    imported: ImportResult
    before: FleetScore  # as of just before the first change a behaviour shift followed
    after: FleetScore  # as of the newest event of the stream
    shifts: tuple[Attribution, ...]  # the attributed shifts, oldest first


def run_demo_events(store: Store) -> EventsStory:
    """Import the demo's recorded event stream, then score the fleet before and after.

    The stream (``fixtures/demo/events.jsonl``) follows the demo scan: twelve days of tool calls,
    in which the support bot's knowledge-base server is upgraded and a burst of writes follows.
    "Before" is the moment before the first change a shift was attributed to; both scores go
    into the history (cause ``events``), so ``chainwatch score`` shows where the score came from.
    """
    from scanner.behavior.analyse import fleet_behavior
    from scanner.events.importer import import_events
    from scanner.score.compute import fleet_score, history_points, stamp

    path = demo_data().fleet / EVENTS_FILE
    end = _newest_event(path)
    imported = import_events(store, path, at=stamp(end))
    seen: list[FleetBehavior] = []

    def behavior(
        store: Store, *, as_of: datetime, agents: Sequence[str] | None = None
    ) -> FleetBehavior:
        seen.append(fleet_behavior(store, as_of=as_of, agents=agents))  # kept for the shifts
        return seen[-1]

    after = fleet_score(store, as_of=end, behavior=behavior)
    shifts = tuple(
        sorted(
            (a for b in seen[0].agents for a in b.attributions if a.verdict is Verdict.SHIFT),
            key=lambda a: a.change.at,
        )
    )
    first = datetime.fromisoformat(shifts[0].change.at.replace("Z", "+00:00")) if shifts else end
    before = fleet_score(store, as_of=first - timedelta(seconds=1), behavior=fleet_behavior)
    store.record_scores(history_points(before, "events") + history_points(after, "events"))
    return EventsStory(imported, before, after, shifts)


def _newest_event(path: Path) -> datetime:
    """The time of the newest event in an events file (the end of the recorded stream)."""
    newest = ""
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                t = str(json.loads(line).get("time", ""))
                newest = max(newest, t)
    except (OSError, ValueError) as exc:
        raise ChainwatchError(f"{path}: the demo's event stream is unreadable: {exc}") from exc
    if not newest:
        raise ChainwatchError(f"{path}: the demo's event stream holds no events")
    return datetime.fromisoformat(newest.replace("Z", "+00:00"))
