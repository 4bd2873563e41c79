"""The verifier interface: one implementation per ecosystem, chosen by the registry kind."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from sigstore.verify import Verifier as SigstoreVerifier

from scanner.models import Component
from scanner.registry.interface import Registry, ReleaseFacts
from scanner.verdict import Verdict
from scanner.verify.cached import CachedChecks


@dataclass(frozen=True)
class VerifyContext:
    """What every ecosystem verifier shares: the sigstore verifier and the result cache."""

    sigstore: SigstoreVerifier
    cached: CachedChecks


class Verifier(ABC):
    """Verifies one release's attestations for one ecosystem.

    Raises FetchError (the component is fetch-failed) or AttestationError (invalid); returns
    a verdict for everything the registry serves.
    """

    def __init__(self, context: VerifyContext) -> None:
        self._ctx = context

    @abstractmethod
    async def verify(
        self, registry: Registry, component: Component, release: ReleaseFacts
    ) -> Verdict:
        """The verdict on ``release`` (already resolved and digest-checked) of ``component``."""
