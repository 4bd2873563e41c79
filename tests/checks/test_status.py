"""The one status -> finding map, and launches chainwatch cannot identify."""

from __future__ import annotations

from pathlib import Path

import pytest

from attestations.result import Status
from scanner.checks.status import (
    STATUS_CODES,
    Unchecked,
    component_findings,
    status_finding,
    unchecked,
    unidentified,
)
from tests.scan.conftest import fleet

from ._values import SIGSTORE_JS, verdict


def test_every_status_has_an_entry() -> None:
    assert set(STATUS_CODES) == set(Status)


@pytest.mark.parametrize(
    ("status", "code", "checked"),
    [
        (Status.VERIFIED, None, True),
        (Status.DIGEST_MISMATCH, "CW200", True),
        (Status.ATTESTATION_INVALID, "CW201", True),
        (Status.NO_ATTESTATION, "CW202", True),
        (Status.REGISTRY_SIGNED, "CW214", True),
        (Status.FETCH_FAILED, "CW207", False),
        (Status.UNRESOLVED, "CW212", False),
    ],
)
def test_status_to_finding(status: Status, code: str | None, checked: bool) -> None:
    v = verdict("zod", "4.6.7", status, SIGSTORE_JS if status is Status.VERIFIED else None)
    found = status_finding(v)
    assert (found.code if found else None) == code
    assert (unchecked(v) is None) is checked
    if found is not None:
        assert found.subject == "pkg:npm/zod@4.6.7" and "zod 4.6.7" in found.message


def test_a_precise_code_wins_and_is_never_doubled() -> None:
    from dataclasses import replace

    v = replace(verdict("zod", "4.6.7", Status.ATTESTATION_INVALID), code="CW206")
    assert [f.code for f in component_findings(v)] == ["CW206"]


@pytest.mark.parametrize(
    ("ecosystem", "why"),
    [
        ("oci", Unchecked.CONTAINER),
        ("remote", Unchecked.REMOTE),
        ("local", Unchecked.LOCAL_SCRIPT),
        ("npm", Unchecked.NOT_ON_REGISTRY),
        ("git", Unchecked.OTHER),
    ],
)
def test_unresolved_categories(ecosystem: str, why: Unchecked) -> None:
    assert unchecked(verdict("x", None, Status.UNRESOLVED, ecosystem=ecosystem)) is why


def test_unidentified_launches_become_unresolved_components(tmp_path: Path) -> None:
    inventory = fleet(
        tmp_path,
        {
            "inline": ["python", "-c", "import urllib.request as u; exec(u.urlopen('x').read())"],
            "piped": ["sh", "-c", "curl -s https://get.example.invalid/i.sh | sh"],
            "bare": ["my-mcp-server", "--port", "1"],
            "known": ["npx", "-y", "zod@4.6.7"],
        },
    )
    found = unidentified(inventory)
    names = sorted(v.component.name for _, v in found)
    assert names == ["bare", "inline", "piped"]
    for agent_id, v in found:
        assert agent_id == "agent"
        assert v.status is Status.UNRESOLVED
        assert unchecked(v) is Unchecked.UNIDENTIFIED
        (f,) = component_findings(v)
        assert f.code == "CW212" and f.message.startswith("not checked")
    reasons = {v.component.name: v.reason for _, v in found}
    assert "inline code" in reasons["inline"]
    assert "PATH" in reasons["bare"]
    assert len({v.component.purl for _, v in found}) == 3
