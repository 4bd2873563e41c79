"""chainwatch: supply-chain guard for AI agents.

The public API loads lazily, so ``import scanner`` stays cheap for the runtime hook to come.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Agent": "scanner.models",
    "AgentInventory": "scanner.models",
    "ChainwatchError": "scanner.errors",
    "Component": "scanner.models",
    "EvidenceKind": "scanner.models",
    "Finding": "scanner.models",
    "Inventory": "scanner.models",
    "InventoryOptions": "scanner.inventory.build",
    "ScanOptions": "scanner.scan",
    "ScanResult": "scanner.scan",
    "ServerEntry": "scanner.models",
    "Severity": "scanner.models",
    "Skipped": "scanner.models",
    "Store": "scanner.store",
    "VersionEvidence": "scanner.models",
    "build_inventory": "scanner.inventory.build",
    "run_scan": "scanner.scan",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scanner' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
