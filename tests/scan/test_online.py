"""Against the live registries (your pip/npm configuration): real packages, real attestations.

Skipped unless asked for: `make test-online` (pytest -m online). A registry that strips
attestations (some mirrors do) makes these fail with no-attestation: that is the point of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from attestations.result import Status
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.scan import ScanOptions, run_scan

pytestmark = pytest.mark.online


def test_live_attested_packages_verify(tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(
        '{"mcpServers": {'
        '"py": {"command": "uvx", "args": ["sigstore==4.5.1"]},'
        '"js": {"command": "npx", "args": ["-y", "sigstore@4.1.1"]}}}'
    )
    inventory = build_inventory([config], InventoryOptions(home=tmp_path / "home", env={}))
    result = run_scan(inventory, None, ScanOptions(cache_dir=tmp_path / "cache"))
    by_name = {(v.component.ecosystem, v.component.name): v for v in result.verdicts.values()}
    for key in (("pypi", "sigstore"), ("npm", "sigstore")):
        verdict = by_name[key]
        assert verdict.status is Status.VERIFIED, f"{key}: {verdict.status} {verdict.reason}"
        assert verdict.identity is not None
        assert "sigstore/sigstore" in (verdict.identity.repository or "")
