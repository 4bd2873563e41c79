"""resolve -> verify for one component, one verifier per ecosystem behind one interface.

Every component ends in exactly one :class:`attestations.result.Status`; only VERIFIED is a pass.
The package is light to import: ``ComponentVerifier`` (and sigstore with it) loads on first use
(PEP 562), so the warm-verdict path (``scanner.verify.warm``) never pays for it.
"""

from __future__ import annotations

import importlib
import typing

from scanner.verdict import Verdict

if typing.TYPE_CHECKING:
    from scanner.verify.component import ComponentVerifier


def __getattr__(name: str) -> object:
    """Load ``ComponentVerifier``'s module on first use."""
    if name != "ComponentVerifier":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("scanner.verify.component"), name)
    globals()[name] = value
    return value


__all__ = ["ComponentVerifier", "Verdict"]
