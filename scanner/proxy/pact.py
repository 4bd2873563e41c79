"""The agent's pact (action classes it may call) from the manifest, for --enforce."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import ConfigError
from scanner.inventory.manifest import MANIFEST_NAME, load_manifest


def agent_pact(manifest: Path | None, agent: str, *, required: bool) -> frozenset[str] | None:
    """The pact of ``agent`` in ``manifest`` (default ./chainwatch.toml).

    ``required`` (under --enforce): fail closed; a missing agent or an empty pact is an error
    rather than a proxy that allows everything.
    """
    path = manifest or Path(MANIFEST_NAME)
    for entry in load_manifest(path):
        if entry.agent.id == agent:
            if required and not entry.agent.pact:
                raise ConfigError(
                    str(path),
                    f"agent {agent!r} declares no pact; --enforce would refuse every call",
                    hint='add e.g. pact = ["read"] to its [[agent]] table',
                )
            return frozenset(entry.agent.pact) if entry.agent.pact else None
    if required:
        raise ConfigError(
            str(path), f"no agent {agent!r} in the manifest; --enforce needs its pact"
        )
    return None
