"""Scores as JSON documents and as lines of text (the CLI, the collector and the gate use these).

Evidence is text from configs, registries and runtime events: the CLI cleans every line before
it reaches a terminal (``Output.data``); JSON escapes it by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from scanner.score.model import FleetScore, Score, ScorePoint
from scanner.score.weights import model_data

TOP = 5  # deductions shown per subject in the text view


def score_json(score: Score, history: Sequence[ScorePoint] = ()) -> dict[str, Any]:
    """One score with every factor, deduction and cap, the largest losses first."""
    doc = asdict(score)
    doc["unchecked"] = [f.name.value for f in score.factors if f.unchecked is not None]
    doc["lost"] = [asdict(d) for d in score.lost()]
    doc["history"] = [asdict(p) for p in history]
    return doc


def fleet_json(
    fleet: FleetScore, history: Mapping[str, Sequence[ScorePoint]] | None = None
) -> dict[str, Any]:
    """The fleet's scores, the model that made them and each agent's history."""
    history = history or {}
    return {
        "as_of": fleet.as_of,
        "model": model_data(),
        "agents": [score_json(s, history.get(s.subject, ())) for s in fleet.agents],
        "components": [score_json(s) for s in fleet.components],
    }


def causes(score: Score, limit: int = 3) -> list[str]:
    """The biggest causes of lost points in words: caps first, then the largest deductions."""
    out = [f"capped at {c.limit} ({c.code}): {c.evidence}" for c in score.caps[:limit]]
    for d in score.lost():
        if len(out) >= limit:
            break
        about = "" if d.subject == score.subject else f" {d.subject}"
        out.append(f"-{d.points:.3g} {d.factor.value} ({d.code}{about}): {d.evidence}")
    return out


def score_lines(score: Score, history: Sequence[ScorePoint] = (), *, top: int = TOP) -> list[str]:
    """A score for a person: the value, caps, factors, top deductions, the last change."""
    head = f"{score.subject}: {score.value}/100 as of {score.as_of}"
    if score.caps:
        head += f" (capped; weighted mean {score.uncapped:.1f})"
    previous = _previous(score, history)
    if previous is not None:
        head += f"; was {previous.value} as of {previous.at} ({previous.cause})"
    lines = [head]
    lines += [f"  cap {c.limit} ({c.code}) {c.subject}: {c.evidence}" for c in score.caps]
    factors = "  ".join(
        f"{f.name.value} {f.value:.0f}{'*' if f.unchecked is not None else ''}"
        for f in score.factors
    )
    lines.append(f"  factors: {factors}")
    lines += [
        f"    * {f.name.value} not assessed: {f.unchecked}" for f in score.factors if f.unchecked
    ]
    lost = score.lost()
    if lost:
        lines.append(f"  top deductions ({min(top, len(lost))} of {len(lost)}):")
        for d in lost[:top]:
            lines.append(f"    -{d.points:.3g} {d.factor.value} {d.code} {d.subject}: {d.evidence}")
    return lines


def _previous(score: Score, history: Sequence[ScorePoint]) -> ScorePoint | None:
    """The newest history point up to the score's time with another value (where it came from)."""
    for p in reversed(history):
        if p.at <= score.as_of and p.value != score.value:
            return p
    return None
