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
    "Artifact": "scanner.models",
    "AttestationError": "attestations.errors",
    "AuditSettings": "scanner.audit.setup",
    "ChainwatchError": "scanner.errors",
    "Component": "scanner.models",
    "Digest": "attestations.digests",
    "EventsWritten": "scanner.events.model",
    "EvidenceKind": "scanner.models",
    "FileFacts": "scanner.registry.interface",
    "Finding": "scanner.models",
    "GateDecision": "scanner.checks.gate",
    "GatePolicy": "scanner.checks.gate",
    "IdentityAction": "scanner.baseline",
    "IdentityEvent": "scanner.baseline",
    "IdentityUpdate": "scanner.store",
    "Installer": "scanner.models",
    "Inventory": "scanner.models",
    "InventoryOptions": "scanner.inventory.build",
    "ListedTool": "scanner.events.model",
    "NotChecked": "scanner.checks.gate",
    "PublisherIdentity": "attestations.result",
    "RegistryConfig": "scanner.registry.config",
    "RegistryHint": "scanner.models",
    "RegistrySelector": "scanner.registry.select",
    "RegistrySignature": "scanner.registry.interface",
    "RegistryUse": "scanner.registry.uses",
    "ReleaseFacts": "scanner.registry.interface",
    "Rule": "scanner.checks.gate",
    "RuntimeEvent": "scanner.events.model",
    "ScanOptions": "scanner.scan",
    "ScanRecord": "scanner.baseline",
    "ScanResult": "scanner.scan",
    "Scope": "scanner.models",
    "SeenIdentity": "scanner.baseline",
    "ServerEntry": "scanner.models",
    "ServerInventory": "scanner.models",
    "SettingsPlaces": "scanner.registry.select",
    "Severity": "scanner.models",
    "Skipped": "scanner.models",
    "SourceLocation": "scanner.models",
    "Status": "attestations.result",
    "Store": "scanner.store",
    "StoredIdentity": "scanner.store",
    "Transport": "scanner.models",
    "Trip": "scanner.checks.gate",
    "Unchecked": "scanner.checks.status",
    "Verdict": "scanner.verdict",
    "VerificationRecord": "scanner.store",
    "VersionEvidence": "scanner.models",
    "build_inventory": "scanner.inventory.build",
    "run_inventory": "scanner.record",
    "run_scan": "scanner.scan",
}

# Written out (not computed) so that tests/test_public_api.py can catch a missing or
# misplaced name.
__all__ = [
    "Agent",
    "AgentInventory",
    "Artifact",
    "AttestationError",
    "AuditSettings",
    "ChainwatchError",
    "Component",
    "Digest",
    "EventsWritten",
    "EvidenceKind",
    "FileFacts",
    "Finding",
    "GateDecision",
    "GatePolicy",
    "IdentityAction",
    "IdentityEvent",
    "IdentityUpdate",
    "Installer",
    "Inventory",
    "InventoryOptions",
    "ListedTool",
    "NotChecked",
    "PublisherIdentity",
    "RegistryConfig",
    "RegistryHint",
    "RegistrySelector",
    "RegistrySignature",
    "RegistryUse",
    "ReleaseFacts",
    "Rule",
    "RuntimeEvent",
    "ScanOptions",
    "ScanRecord",
    "ScanResult",
    "Scope",
    "SeenIdentity",
    "ServerEntry",
    "ServerInventory",
    "SettingsPlaces",
    "Severity",
    "Skipped",
    "SourceLocation",
    "Status",
    "Store",
    "StoredIdentity",
    "Transport",
    "Trip",
    "Unchecked",
    "Verdict",
    "VerificationRecord",
    "VersionEvidence",
    "build_inventory",
    "run_inventory",
    "run_scan",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scanner' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
