"""Recording an inventory-only run, light enough for ``chainwatch inventory`` to stay instant.

It loads no sigstore, httpx or registry code (tests/cli/test_lazy_imports.py).
"""

from __future__ import annotations

from typing import Any

from scanner.clock import Clock, utc_now
from scanner.inventory.build import inventory_findings
from scanner.models import Inventory
from scanner.store import Store


def run_inventory(
    inventory: Inventory,
    store: Store | None,
    *,
    inputs: dict[str, Any] | None = None,
    clock: Clock = utc_now,
) -> int | None:
    """Record an inventory-only run the way ``run_scan`` records a scan; its id (None: no store)."""
    if store is None:
        return None
    now = clock().isoformat(timespec="seconds")
    return store.record_scan(
        kind="inventory",
        started_at=now,
        finished_at=now,
        inputs=inputs or {},
        inventory=inventory,
        findings=list(inventory_findings(inventory)),
        summary={
            "agents": len(inventory.agents),
            "servers": sum(len(a.servers) for a in inventory.agents),
            "components": sum(len(a.components()) for a in inventory.agents),
            "errors": sum(len(a.errors) for a in inventory.agents) + len(inventory.errors),
        },
    )
