"""The supply-chain trust score's values (the contract the CLI, collector and report read).

A score is 0-100: the weighted mean of factor values, then limited by hard caps for critical
facts. Every point lost names the evidence (a finding code and subject, a change, a shift).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FactorName(StrEnum):
    """The explainable factors, each scored 0-100."""

    PROVENANCE = "provenance"
    INTEGRITY = "integrity"
    VULNERABILITIES = "vulnerabilities"
    RISK_SIGNALS = "risk_signals"
    TOOL_SURFACE = "tool_surface"
    BEHAVIOR = "behavior"


@dataclass(frozen=True, slots=True)
class Deduction:
    """Points one piece of evidence took from one factor."""

    factor: FactorName
    points: float  # taken from the factor's 100
    code: str  # the finding code (e.g. "CW400") or behaviour code behind it
    subject: str  # the component or agent it is about
    evidence: str  # in words, escaped before display


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor's value, its weight in the mean, and what it lost."""

    name: FactorName
    weight: float
    value: float  # 0-100
    deductions: tuple[Deduction, ...]
    unchecked: str | None = None  # set when the factor could not be assessed (never full marks)


@dataclass(frozen=True, slots=True)
class Cap:
    """A hard ceiling for a critical fact (malware, digest mismatch, identity change, shift)."""

    code: str
    limit: int
    subject: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Score:
    """The trust score of one agent or one component as of a time."""

    kind: str  # "agent" or "component"
    subject: str  # agent id, or package URL
    as_of: str
    value: int  # 0-100, after caps
    uncapped: float  # the weighted mean before caps
    factors: tuple[Factor, ...]
    caps: tuple[Cap, ...]  # the caps that applied (the lowest decides)

    def lost(self) -> tuple[Deduction, ...]:
        """Every deduction, largest first."""
        every = [d for f in self.factors for d in f.deductions]
        return tuple(sorted(every, key=lambda d: (-d.points, d.factor, d.subject)))


@dataclass(frozen=True, slots=True)
class ScorePoint:
    """One entry of a subject's score history."""

    kind: str
    subject: str
    at: str
    value: int
    cause: str  # what recomputed it: "scan", "rescan", "events", "score"
    uncapped: float | None = None  # the weighted mean before caps
    why: str = ""  # the lowest cap or the largest deduction, in words (empty: nothing lost)


@dataclass(frozen=True, slots=True)
class FleetScore:
    """Scores of every agent and of the components they use, as of a time."""

    as_of: str
    agents: tuple[Score, ...]  # sorted by agent
    components: tuple[Score, ...]  # sorted by subject
