"""A per-token token bucket, in process.

Each collector process keeps its own buckets: N collectors behind a load balancer each allow the
configured rate, so an agent may reach N times it. A shared limit belongs in the balancer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """Requests per second a token may make on average, and the burst it may make at once."""

    rate: float = 50.0
    burst: int = 100


class TokenBuckets:
    """One bucket per token id; ``take`` answers 0 (allowed) or the seconds to wait."""

    def __init__(self, limit: RateLimit, monotonic: Callable[[], float]) -> None:
        self.limit = limit
        self._now = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}  # token id -> (tokens, at)

    def take(self, key: str) -> float:
        """Take one request from ``key``'s bucket; the wait in seconds when it is empty."""
        now = self._now()
        tokens, at = self._buckets.get(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - at) * self.limit.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.limit.rate
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0
