"""resolve -> verify for one component, one verifier per ecosystem behind one interface.

Every component ends in exactly one :class:`attestations.result.Status`; only VERIFIED is a pass.
"""

from __future__ import annotations

from scanner.verdict import Verdict
from scanner.verify.component import ComponentVerifier

__all__ = ["ComponentVerifier", "Verdict"]
