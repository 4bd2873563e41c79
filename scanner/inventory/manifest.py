"""The agent manifest, ``chainwatch.toml``: agents, configs, lockfiles, purpose, pact, pins.

Example::

    version = 1

    [[agent]]
    id = "support-bot"                       # stable id: baselines and scores are keyed by it
    name = "Customer support bot"            # optional, defaults to id
    purpose = "Answers tickets from the CRM"
    pact = ["read", "network"]               # action classes it is expected to perform
    configs = ["claude_desktop_config.json", { path = "codex.toml", client = "codex" }]
    lockfiles = ["servers/uv.lock", "servers/package-lock.json"]

    [agent.pins]                             # policy pins: package -> exact version
    "pkg:npm/@modelcontextprotocol/server-filesystem" = "2025.8.21"

    [agent.limits]                           # optional: most calls per hour, per action class
    network = 120                            # (a class with a limit must be in the pact)

Paths are relative to the manifest's folder. A ``[policy]`` table (or a ``chainwatch-policy.toml``
beside the manifest, never both) holds the fleet's policy; ``scanner.checks.policy`` reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.inventory._decode import load_toml, read_text, shown
from scanner.models import Agent

MANIFEST_NAME = "chainwatch.toml"
POLICY_NAME = "chainwatch-policy.toml"
ACTION_CLASSES = ("read", "write", "write_destructive", "network", "exec", "unknown")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


@dataclass(frozen=True, slots=True)
class ConfigRef:
    """A config file named by the manifest, with the client that reads it when given."""

    path: Path
    client: str | None = None


@dataclass(frozen=True, slots=True)
class ManifestAgent:
    """An agent as the manifest declares it, with resolved paths."""

    agent: Agent
    configs: tuple[ConfigRef, ...]
    lockfiles: tuple[Path, ...]


def load_manifest(path: Path) -> tuple[ManifestAgent, ...]:
    """Read and validate a ``chainwatch.toml``. Raises ConfigError naming the file and problem."""
    data = load_toml(read_text(path, ConfigError), str(path), ConfigError)
    assert isinstance(data, dict)  # a TOML document is always a table
    try:
        return _agents(path, data)
    except RecursionError as exc:  # a value nested deeper than the stack allows
        raise ConfigError(str(path), "nested too deeply to read") from exc


def policy_table(path: Path) -> tuple[dict[str, Any], Path] | None:
    """The raw ``[policy]`` table of a manifest or of the policy file beside it, and its file.

    ``path`` is a manifest, a folder holding one, or a policy file. Raises ConfigError naming the
    file when it cannot be read or when both places hold a policy.
    """
    if path.is_dir():
        path = path / MANIFEST_NAME
    tables: list[tuple[dict[str, Any], Path]] = []
    for candidate in (path, path.parent / POLICY_NAME):
        if candidate.is_file() and candidate not in {t[1] for t in tables}:
            data = load_toml(read_text(candidate, ConfigError), str(candidate), ConfigError)
            assert isinstance(data, dict)  # a TOML document is always a table
            if "policy" in data:
                if not isinstance(data["policy"], dict):
                    raise ConfigError(str(candidate), "'policy' must be a table ([policy])")
                tables.append((data["policy"], candidate))
    if len(tables) > 1:
        raise ConfigError(
            str(tables[1][1]),
            f"a policy is also declared in {tables[0][1]}",
            hint="keep one: the manifest's [policy] table or the policy file",
        )
    return tables[0] if tables else None


def _agents(path: Path, data: dict[str, Any]) -> tuple[ManifestAgent, ...]:
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError(str(path), f"unsupported manifest version {shown(version)} (this is 1)")
    raw_agents = data.get("agent", [])
    if not isinstance(raw_agents, list) or not raw_agents:
        raise ConfigError(
            str(path), "no [[agent]] tables", hint="see `chainwatch inventory --help`"
        )
    base = path.parent
    agents: list[ManifestAgent] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_agents, start=1):
        agent = _agent(path, base, index, raw)
        if agent.agent.id in seen:
            raise ConfigError(str(path), f"agent id {agent.agent.id!r} is declared twice")
        seen.add(agent.agent.id)
        agents.append(agent)
    return tuple(agents)


def _agent(path: Path, base: Path, index: int, raw: Any) -> ManifestAgent:
    where = f"[[agent]] #{index}"
    if not isinstance(raw, dict):
        raise ConfigError(str(path), f"{where} is not a table")
    agent_id = raw.get("id")
    if not isinstance(agent_id, str) or not _ID.match(agent_id):
        raise ConfigError(
            str(path),
            f"{where}: 'id' must be a string of letters, digits and . _ : - "
            f"(got {shown(agent_id)})",
        )
    where = f"agent {agent_id!r}"
    name = _str(path, where, raw, "name") or agent_id
    purpose = _str(path, where, raw, "purpose")
    pact = _str_list(path, where, raw, "pact")
    unknown = [p for p in pact if p not in ACTION_CLASSES]
    if unknown:
        raise ConfigError(
            str(path),
            f"{where}: unknown action class(es) {', '.join(unknown)} in 'pact'",
            hint=f"use {', '.join(ACTION_CLASSES)}",
        )
    configs = tuple(_config_ref(path, base, where, c) for c in _list(path, where, raw, "configs"))
    lockfiles = tuple((base / p) for p in _str_list(path, where, raw, "lockfiles"))
    pins_raw = raw.get("pins", {})
    if not isinstance(pins_raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in pins_raw.items()
    ):
        raise ConfigError(str(path), f"{where}: 'pins' must map package names to version strings")
    limits = _limits(path, where, raw, pact)
    known = {"id", "name", "purpose", "pact", "configs", "lockfiles", "pins", "limits"}
    unknown_keys = set(raw) - known
    if unknown_keys:
        raise ConfigError(str(path), f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
    agent = Agent(
        id=agent_id,
        name=name,
        config_paths=tuple(str(c.path) for c in configs),
        lockfile_paths=tuple(str(p) for p in lockfiles),
        purpose=purpose,
        pact=tuple(pact),
        pins=tuple(sorted(pins_raw.items())),
        origin="manifest",
        limits=limits,
    )
    return ManifestAgent(agent, configs, lockfiles)


def _limits(
    path: Path, where: str, raw: dict[str, Any], pact: list[str]
) -> tuple[tuple[str, float], ...]:
    """``[agent.limits]``: action class -> most calls per hour, a positive number."""
    value = raw.get("limits", {})
    if not isinstance(value, dict):
        raise ConfigError(str(path), f"{where}: 'limits' must be a table ([agent.limits])")
    out: list[tuple[str, float]] = []
    for cls, limit in sorted(value.items()):
        if cls not in ACTION_CLASSES:
            raise ConfigError(
                str(path),
                f"{where}: unknown action class {shown(cls)} in 'limits'",
                hint=f"use {', '.join(ACTION_CLASSES)}",
            )
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0:
            raise ConfigError(
                str(path),
                f"{where}: limits.{cls} must be a positive number of calls per hour "
                f"(got {shown(limit)})",
            )
        if limit == float("inf"):
            raise ConfigError(str(path), f"{where}: limits.{cls} must be finite")
        if cls not in pact:
            raise ConfigError(
                str(path),
                f"{where}: limits.{cls} is set but {cls} is not in 'pact'",
                hint=f"add {cls!r} to the pact, or remove its limit",
            )
        out.append((cls, float(limit)))
    return tuple(out)


def _config_ref(path: Path, base: Path, where: str, raw: Any) -> ConfigRef:
    if isinstance(raw, str):
        return ConfigRef(base / raw)
    if isinstance(raw, dict) and isinstance(raw.get("path"), str):
        client = raw.get("client")
        if client is not None and not isinstance(client, str):
            raise ConfigError(str(path), f"{where}: config 'client' must be a string")
        return ConfigRef(base / raw["path"], client)
    raise ConfigError(str(path), f"{where}: each of 'configs' is a path or {{path, client}}")


def _str(path: Path, where: str, raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(str(path), f"{where}: '{key}' must be a string")
    return value


def _list(path: Path, where: str, raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(str(path), f"{where}: '{key}' must be a list")
    return value


def _str_list(path: Path, where: str, raw: dict[str, Any], key: str) -> list[str]:
    value = _list(path, where, raw, key)
    if not all(isinstance(v, str) for v in value):
        raise ConfigError(str(path), f"{where}: '{key}' must be a list of strings")
    return value
