"""Before/after windows of many tests at once, and their counts for the agent and its peers.

A test is one agent, one before window [b, t) and one after window [t2, e) in hours. Counts come
from cumulative sums, so a thousand agents times their changes cost a few array subtractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scanner.behavior.series import CLASS_INDEX, RISKY, FleetSeries, Ints

RATE_FEATURES = ("risky", "write", "write_destructive", "exec", "network")


@dataclass
class Windows:
    """The windows of many tests (appended one by one, read as arrays)."""

    agent: list[int] = field(default_factory=list)
    before: list[tuple[int, int]] = field(default_factory=list)
    after: list[tuple[int, int]] = field(default_factory=list)
    peers: list[tuple[int, ...] | None] = field(default_factory=list)  # excluded agents, or None
    peer_group: list[tuple[int, ...] | None] = field(default_factory=list)  # None: whole fleet

    def add(
        self,
        agent: int,
        before: tuple[int, int],
        after: tuple[int, int],
        peer_group: tuple[int, ...] | None,
        excluded: tuple[int, ...] | None,
    ) -> int:
        """Add one test; ``excluded`` None means no peer comparison. Returns its index."""
        self.agent.append(agent)
        self.before.append(before)
        self.after.append(after)
        self.peer_group.append(peer_group)
        self.peers.append(excluded)
        return len(self.agent) - 1


@dataclass(frozen=True)
class WindowCounts:
    """Per test: class counts before and after, for the agent and for its peers."""

    x1: Ints  # [test, class]
    x2: Ints
    y1: Ints  # peers; zero where the test has no peers
    y2: Ints
    has_peers: np.ndarray

    @staticmethod
    def rate(counts: Ints, feature: str) -> Ints:
        """Calls of ``feature`` (a class, or "risky") per test."""
        if feature == "risky":
            return np.asarray(counts[:, list(RISKY)].sum(axis=1), dtype=np.int64)
        return np.asarray(counts[:, CLASS_INDEX[feature]], dtype=np.int64)


def window_counts(series: FleetSeries, cum: Ints, windows: Windows) -> WindowCounts:
    """Count every test's windows for the agent and for its peers."""
    n = len(windows.agent)
    classes = cum.shape[1]
    if n == 0:
        empty = np.zeros((0, classes), dtype=np.int64)
        return WindowCounts(empty, empty, empty, empty, np.zeros(0, dtype=bool))
    a = np.asarray(windows.agent)
    b0, b1 = (np.asarray([w[i] for w in windows.before]) for i in (0, 1))
    a0, a1 = (np.asarray([w[i] for w in windows.after]) for i in (0, 1))
    x1 = cum[a, :, b1] - cum[a, :, b0]
    x2 = cum[a, :, a1] - cum[a, :, a0]
    fleet = cum.sum(axis=0)  # [class, hour + 1]
    groups: dict[tuple[int, ...], Ints] = {}
    y1 = np.zeros_like(x1)
    y2 = np.zeros_like(x2)
    has = np.zeros(n, dtype=bool)
    for i in range(n):
        excluded = windows.peers[i]
        if excluded is None:
            continue
        group = windows.peer_group[i]
        if group is None:
            total = fleet
        else:
            if group not in groups:
                groups[group] = cum[list(group)].sum(axis=0)
            total = groups[group]
        y1[i] = total[:, b1[i]] - total[:, b0[i]]
        y2[i] = total[:, a1[i]] - total[:, a0[i]]
        for e in excluded:
            y1[i] -= cum[e, :, b1[i]] - cum[e, :, b0[i]]
            y2[i] -= cum[e, :, a1[i]] - cum[e, :, a0[i]]
        has[i] = True
    return WindowCounts(x1, x2, y1, y2, has)
