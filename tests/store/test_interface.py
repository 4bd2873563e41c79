"""The Store interface is all the pipeline needs: a second backend is one class.

A small in-memory implementation (not a mock: it keeps real state) runs a real scan and a
rescan against the loopback registry, the way a PostgreSQL backend would.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attestations.result import PublisherIdentity, Status
from scanner._testing.fixture_server import FixtureRegistry
from scanner.baseline import (
    IdentityAction,
    IdentityEvent,
    IdentityUpdate,
    ScanRecord,
    SeenIdentity,
    StoredIdentity,
    VerificationRecord,
)
from scanner.models import Finding, Inventory
from scanner.scan import run_inventory
from scanner.store import Store
from scanner.tools.model import SurfaceKey, ToolSurface
from tests.scan.conftest import fleet, scan


class MemoryStore(Store):
    """Everything in dicts; enough to show the interface is complete."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.scan_rows: list[ScanRecord] = []
        self.verifications: list[tuple[int, VerificationRecord]] = []
        self.known: dict[str, StoredIdentity] = {}
        self.events: list[IdentityEvent] = []
        self.surfaces: dict[SurfaceKey, ToolSurface] = {}  # insertion order: pin order

    def close(self) -> None:
        """Nothing to release."""

    def record_scan(
        self,
        *,
        kind: str,
        started_at: str,
        finished_at: str,
        inputs: dict[str, Any],
        inventory: Inventory,
        findings: Sequence[tuple[str | None, Finding]] = (),
        verifications: Sequence[VerificationRecord] = (),
        identities: Sequence[IdentityUpdate] = (),
        summary: dict[str, int] | None = None,
    ) -> int:
        scan_id = next(self.ids)
        self.scan_rows.append(ScanRecord(scan_id, kind, started_at, finished_at, summary or {}))
        self.verifications.extend((scan_id, v) for v in verifications)
        for u in identities:
            self._remember(u, finished_at, scan_id)
        return scan_id

    def _remember(self, u: IdentityUpdate, at: str, scan_id: int | None) -> None:
        before = self.known.get(u.purl_key)
        if before is not None and before.pinned and scan_id is not None:
            return
        self.known[u.purl_key] = StoredIdentity(u.purl_key, u.identity, at, u.version, u.pinned)
        if before is None or before.identity != u.identity:
            self.events.append(
                IdentityEvent(u.purl_key, u.action, u.identity, u.version, at, scan_id)
            )

    def publisher_identity(self, purl_key: str) -> StoredIdentity | None:
        return self.known.get(purl_key)

    def publisher_identities(self) -> list[StoredIdentity]:
        return [self.known[k] for k in sorted(self.known)]

    def identity_history(self, purl_key: str | None = None) -> list[IdentityEvent]:
        return [e for e in self.events if purl_key in (None, e.purl_key)]

    def last_seen(self, purl_key: str) -> SeenIdentity | None:
        for scan_id, v in reversed(self.verifications):
            if v.purl.startswith(purl_key + "@"):
                return SeenIdentity(v.purl, Status(v.status), v.identity, scan_id)
        return None

    def set_identity(
        self,
        purl_key: str,
        identity: PublisherIdentity | None,
        *,
        action: IdentityAction,
        at: str,
        version: str | None = None,
        pinned: bool = False,
    ) -> None:
        self._remember(IdentityUpdate(purl_key, version, identity, action, pinned), at, None)

    def scans(self, limit: int = 20) -> list[ScanRecord]:
        return list(reversed(self.scan_rows))[:limit]

    def tool_surface(self, key: SurfaceKey) -> ToolSurface | None:
        return self.surfaces.get(key)

    def latest_tool_surface(self, component: str, *, other_than: str) -> ToolSurface | None:
        found = [s for k, s in self.surfaces.items() if k.component == component]
        found = [s for s in found if s.key.version != other_than]
        return found[-1] if found else None

    def save_tool_surface(self, surface: ToolSurface) -> None:
        self.surfaces.pop(surface.key, None)
        self.surfaces[surface.key] = surface


def test_a_second_backend_runs_scans_and_trust_on_first_use(tmp_path: Path) -> None:
    store = MemoryStore()
    inventory = fleet(tmp_path / "f", {"s": ["npx", "-y", "sigstore@1.0.0"]})
    with FixtureRegistry() as registry:
        first = scan(registry, inventory, tmp_path, store)
        (verdict,) = first.verdicts.values()
        assert verdict.status is Status.VERIFIED and first.scan_id == 1
        remembered = store.publisher_identity("pkg:npm/sigstore")
        assert remembered is not None and remembered.identity == verdict.identity
        seen = store.last_seen("pkg:npm/sigstore")
        assert seen is not None and seen.identity == verdict.identity
        second = scan(registry, inventory, tmp_path, store)
    assert not [f for _, f in second.findings if f.severity.rank >= 3]
    assert run_inventory(inventory, store) == 3
    assert [s.kind for s in store.scans()] == ["inventory", "scan", "scan"]
    assert [(e.action, e.scan_id) for e in store.identity_history()] == [
        (IdentityAction.FIRST_USE, 1)
    ]
