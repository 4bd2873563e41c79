"""Evidence in words: "write 0.2% -> 2.1% (RR 10.5, 95% CI 4.2-26) after gmail-mcp 1.4.2 ->
1.5.0; peers flat". Every number a verdict rests on is in its sentence."""

from __future__ import annotations

import math

from scanner.behavior.model import Shift

PEERS_FLAT_RATIO = 1.5  # peers' own rate ratio below this reads as "flat"


def pct(value: float) -> str:
    """A share as a percentage with enough digits to tell small rates apart."""
    shown = value * 100
    if shown == 0:
        return "0%"
    if shown < 0.1:
        return f"{shown:.2f}%"
    return f"{shown:.1f}%"


def num(value: float) -> str:
    """A ratio or bound: one decimal below 10, whole numbers above, "inf" when unbounded."""
    if math.isinf(value):
        return "inf"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def p_text(value: float) -> str:
    """A p-value, short."""
    return f"{value:.2g}" if value >= 1e-4 else f"{value:.0e}"


def feature_label(feature: str) -> str:
    """How a feature reads in a sentence: ``rate:write`` -> ``write``."""
    return feature.split(":", 1)[1] if ":" in feature else "action mix"


def shift_words(shift: Shift) -> str:
    """The statistics of one shift, without what it followed."""
    if shift.jsd_bits is not None:
        return f"action mix changed (JSD {shift.jsd_bits:.3f} bits, p {p_text(shift.p_value)})"
    label = feature_label(shift.feature)
    new = " (a class not seen before)" if shift.detector == "new_class" else ""
    ratio = ""
    if shift.rate_ratio is not None and not math.isinf(shift.rate_ratio):
        ratio = f"RR {shift.rate_ratio:.1f}, "
    ci = ""
    if shift.ci_low is not None and shift.ci_high is not None:
        ci = f"95% CI {num(shift.ci_low)}-{num(shift.ci_high)}"
    stats = ", ".join(part for part in (ratio.rstrip(", "), ci) if part)
    return f"{label} {pct(shift.before)} -> {pct(shift.after)}{new} ({stats})"


def peers_words(peer_ratio: float | None, peers_shifted: bool | None) -> str:
    """What the peers did over the same windows."""
    if peer_ratio is None or peers_shifted is None:
        return "no peers to compare"
    if peers_shifted:
        return f"peers shifted too (RR {num(peer_ratio)})"
    if peer_ratio < PEERS_FLAT_RATIO:
        return "peers flat"
    return f"peers RR {num(peer_ratio)}, well below the agent's"
