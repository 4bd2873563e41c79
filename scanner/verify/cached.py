"""Attestation checks through the verification cache, keyed by bundle, artifact and policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from attestations.cache import VerificationCache, digest_of, policy_key
from attestations.result import AttestationCheck


class CachedChecks:
    """Runs an attestation check once per bundle, artifact, trust root and policy."""

    def __init__(self, cache: VerificationCache | None, trust_root_digest: str) -> None:
        self._cache = cache
        self._root = trust_root_digest

    def check(
        self, doc: Any, artifact: str, kind: str, run: Callable[[], AttestationCheck]
    ) -> AttestationCheck:
        """The cached outcome of ``run`` for this document and artifact, else ``run()``."""
        if self._cache is None:
            return run()
        bundle = digest_of(_canonical(doc))
        policy = policy_key(trust_root=self._root, extra=kind)
        hit = self._cache.get(bundle, artifact, policy)
        if hit is not None:
            return hit
        check = run()
        self._cache.put(bundle, artifact, policy, check)
        return check


def _canonical(doc: Any) -> bytes:
    if isinstance(doc, bytes):
        return doc
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
