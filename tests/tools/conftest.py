"""Tool-surface test helpers: the real tool lists and the project's own cases."""

from __future__ import annotations

from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "fixtures" / "mcp" / "tools"
REAL = sorted(TOOLS.glob("*.json"))  # copied byte for byte, see fixtures/mcp/SOURCES.md
# github/github-mcp-server's tool snapshots (one tool each; two versions of create_pull_request)
SNAPS = sorted((TOOLS / "github-mcp-server").glob("*.snap"))
OWN = TOOLS / "own"


@pytest.fixture
def math_list() -> Path:
    """The real math server signature (five tools)."""
    return TOOLS / "snyk-agent-scan__math_server_signature.json"
