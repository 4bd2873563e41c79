"""The public API: every exported name resolves, and the lists are sorted and complete."""

from __future__ import annotations

import attestations
import scanner


def test_scanner_exports_resolve_and_are_sorted() -> None:
    assert scanner.__all__ == sorted(scanner.__all__)
    for name in scanner.__all__:
        assert getattr(scanner, name) is not None
    assert {"build_inventory", "run_scan", "Store", "Component"} <= set(scanner.__all__)


def test_attestations_exports_resolve_and_are_sorted() -> None:
    assert attestations.__all__ == sorted(attestations.__all__)
    for name in attestations.__all__:
        assert getattr(attestations, name) is not None
