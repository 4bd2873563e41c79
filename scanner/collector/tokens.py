"""Per-agent bearer tokens: 32 random bytes, shown once, stored as a SHA-256 digest.

A token reads ``cwt_<id>_<secret>``. The id (not secret) finds the stored record; the digest of
the whole token is then compared in constant time. The token itself is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_TOKEN = re.compile(r"^cwt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
AGENT_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,256}$")


@dataclass(frozen=True)
class AgentToken:
    """A stored token: which agent it writes for, and its digest (never the token)."""

    token_id: str
    agent: str
    digest: str  # hex SHA-256 of the whole token text
    created_at: str
    revoked_at: str | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_token(agent: str, *, at: str) -> tuple[str, AgentToken]:
    """A fresh token for ``agent`` and the record to store; the token is shown once and dropped."""
    token_id = secrets.token_hex(6)
    token = f"cwt_{token_id}_{secrets.token_urlsafe(32)}"
    return token, AgentToken(token_id, agent, _digest(token), at)


def token_id_of(token: str) -> str | None:
    """The id part of a well-formed token, or None (a malformed token is never looked up)."""
    match = _TOKEN.match(token)
    return match.group(1) if match else None


def token_matches(record: AgentToken, token: str) -> bool:
    """True when ``token`` is the one ``record`` was made from and it is not revoked."""
    same = hmac.compare_digest(record.digest, _digest(token))
    return same and record.revoked_at is None
