"""Errors of the attestations package: its own base, so it depends on nothing in ``scanner``."""

from __future__ import annotations


class AttestationError(Exception):
    """Base of every error the attestations package raises on purpose (the CLI catches it)."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def diagnostics(self) -> str:
        """A text for a person: what happened and what to do about it."""
        text = self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class TrustRootError(AttestationError):
    """The sigstore trust root is missing, unreadable or stale."""
