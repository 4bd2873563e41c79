"""The values behaviour analysis produces (the contract the score and the report read).

Times are RFC 3339 UTC strings, as everywhere in the store. Rates are per call unless the name
says per hour. Nothing here is a pass by default: an agent without enough data says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Maturity(StrEnum):
    """Whether an agent has enough history to be judged at all."""

    MATURE = "mature"
    NOT_ENOUGH_DATA = "not_enough_data"  # reported as such, never as a pass


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What one agent does, over a window of its runtime events."""

    agent: str
    start: str
    end: str
    calls: int  # tool_call events in the window
    days: float  # days the window spans with events
    maturity: Maturity
    maturity_reason: str  # e.g. "120 calls over 2.0 days; needs 200 calls over 3 days"
    mix: tuple[tuple[str, float], ...]  # action class -> share of calls, sorted by class
    tool_rates: tuple[tuple[str, float], ...]  # tool -> calls per hour, sorted by tool
    risky_per_call: float  # write + write_destructive + exec share of calls
    risky_per_hour: float
    error_rate: float  # share of calls whose outcome is an error
    external_follow_share: float  # share of calls that follow an external-input event
    first_seen_tools: tuple[tuple[str, str], ...] = ()  # (tool, first time) new in the window
    first_seen_hosts: tuple[tuple[str, str], ...] = ()  # (host, first time) new in the window


class Verdict(StrEnum):
    """What the before/after test at one change event concluded."""

    SHIFT = "shift"  # a shift followed the change (and peers did not shift with it)
    NO_SHIFT = "no_shift"
    FLEET_WIDE = "fleet_wide"  # the agent shifted, but so did its peers: not this change
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True, slots=True)
class Shift:
    """A detected change in one feature of one agent's behaviour, with its statistics."""

    agent: str
    feature: str  # "mix", "rate:write", "rate:exec", "rate:risky", "tool:<name>", ...
    detector: str  # "g_test", "binomial", "did", "cusum", "new_class"
    at: str  # the change point (or the change event's time when tested there)
    before: float  # the feature's value before (a rate, or 0 for mix)
    after: float
    p_value: float
    q_value: float | None  # Benjamini-Hochberg adjusted, when tested among many
    rate_ratio: float | None = None
    ci_low: float | None = None  # 95% CI of the rate ratio
    ci_high: float | None = None
    jsd_bits: float | None = None  # window-weighted JSD, for mix shifts
    peers_shifted: bool | None = None  # None when the agent has no peers
    evidence: str = ""  # in words: "write 0.2% -> 2.1% (RR 10.5, 95% CI 4.2-26)"


@dataclass(frozen=True, slots=True)
class ChangeRef:
    """The change event a test was run at (a stored ChangeEvent, or one derived from runtime
    events: a server version change or a tools_changed event seen by the hook or proxy)."""

    agent: str
    component: str  # package URL without version (or pkg:generic/<server name>)
    kind: str  # "upgrade", "downgrade", "added", "tool_surface", "identity", ...
    before: str | None
    after: str | None
    at: str
    cause: str  # "scan", "rescan", "hook", "proxy"
    change_id: int | None = None  # the stored change event's id, when it has one

    def label(self) -> str:
        """How evidence names the change, e.g. ``gmail-mcp 1.4.2 -> 1.5.0``."""
        name = self.component.rsplit("/", 1)[-1]
        if self.before and self.after:
            return f"{name} {self.before} -> {self.after}"
        return f"{name} {self.kind} {self.after or self.before or ''}".rstrip()


@dataclass(frozen=True, slots=True)
class Attribution:
    """The before/after test at one change event, and its verdict in words."""

    change: ChangeRef
    verdict: Verdict
    shifts: tuple[Shift, ...]  # the shifts that followed (empty unless verdict is SHIFT)
    evidence: str  # e.g. "write 0.2% -> 2.1% (RR 10.5, 95% CI 4.2-26) after gmail-mcp
    # 1.4.2 -> 1.5.0; peers flat"


@dataclass(frozen=True, slots=True)
class PactViolation:
    """Calls of an action class the agent's pact does not allow, or a rate above its limit."""

    agent: str
    action_class: str
    calls: int
    first_at: str
    last_at: str
    limit_per_hour: float | None  # None: the class is not in the pact at all
    observed_per_hour: float | None
    message: str


@dataclass(frozen=True, slots=True)
class AgentBehavior:
    """Everything behaviour analysis says about one agent as of a time."""

    agent: str
    as_of: str
    fingerprint: Fingerprint
    attributions: tuple[Attribution, ...]  # one per change event tested, oldest first
    alarms: tuple[Shift, ...]  # continuous-alarm shifts not tied to any change event
    pact_violations: tuple[PactViolation, ...]
    pact_source: str = ""  # where the pact came from ("scan 12", "manifest ..."); "" when none


@dataclass(frozen=True, slots=True)
class FleetBehavior:
    """Behaviour analysis of every agent with runtime events."""

    as_of: str
    agents: tuple[AgentBehavior, ...]  # sorted by agent
