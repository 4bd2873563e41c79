"""Files -> agents -> servers -> components. No network, nothing executed.

A path given on the command line is one of:
- a ``chainwatch.toml`` (or a folder holding one): its agents;
- an MCP client config: one agent per file;
- a lockfile or manifest: one agent per file ("packages" of that agent).
``--discover`` adds one agent per client config found under the user's home and project folders.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import ChainwatchError, ConfigError
from scanner.gcpause import no_cyclic_gc
from scanner.inventory.configs.discover import ConfigLocation, discover
from scanner.inventory.launch.caches import ToolCaches
from scanner.inventory.lockfiles.read import LOCKFILE_NAMES, is_lockfile, read_lockfile
from scanner.inventory.manifest import MANIFEST_NAME, ConfigRef, load_manifest
from scanner.models import (
    Agent,
    AgentInventory,
    Component,
    Finding,
    Inventory,
    Scope,
    ServerInventory,
    Skipped,
)
from scanner.redact import redact_text


@dataclass(frozen=True, slots=True)
class InventoryOptions:
    """Where to look besides the named paths."""

    discover: bool = False
    home: Path = field(default_factory=Path.home)
    platform: str = sys.platform
    project_dirs: tuple[Path, ...] = ()
    system_root: Path | None = None
    env: Mapping[str, str] | None = None
    client: str | None = None  # the client that reads config files named directly


@dataclass(frozen=True, slots=True)
class _Plan:
    agent: Agent
    configs: tuple[ConfigRef | ConfigLocation, ...]
    lockfiles: tuple[Path, ...]


def build_inventory(paths: Sequence[Path], options: InventoryOptions | None = None) -> Inventory:
    """Inventory every agent named by ``paths`` (and discovered, if asked)."""
    options = options or InventoryOptions()
    plans, errors = _plan(paths, options)
    caches = ToolCaches.default(
        options.home, options.platform, options.env if options.env is not None else os.environ
    )
    # Lockfiles become many small acyclic frozen values: measured in bench/bench_inventory.py,
    # the collector's scans were about a tenth of the time.
    with no_cyclic_gc():
        agents = tuple(_inventory_agent(plan, caches) for plan in plans)
    return Inventory(agents=agents, errors=tuple(errors))


def _plan(paths: Sequence[Path], options: InventoryOptions) -> tuple[list[_Plan], list[str]]:
    plans: list[_Plan] = []
    errors: list[str] = []
    for path in paths:
        manifest = path / MANIFEST_NAME if path.is_dir() else path
        try:
            if manifest.name == MANIFEST_NAME and manifest.is_file():
                plans.extend(
                    _Plan(m.agent, m.configs, m.lockfiles) for m in load_manifest(manifest)
                )
            elif path.is_dir():
                plans.extend(_folder_plans(path, options))
            elif not path.exists():
                raise ConfigError(str(path), "no such file")
            elif is_lockfile(path):
                plans.append(_Plan(_file_agent(path, lockfile=True), (), (path,)))
            else:
                ref = ConfigRef(path, options.client)
                plans.append(_Plan(_file_agent(path, lockfile=False), (ref,), ()))
        except ChainwatchError as exc:
            errors.append(exc.diagnostics())
    if options.discover:
        # A folder that is not there finds nothing, which must not read as "no MCP servers".
        for where, what in [
            (options.home, "home"),
            *((p, "project") for p in options.project_dirs),
        ]:
            if not where.is_dir():
                errors.append(
                    ConfigError(
                        str(where), f"{what} folder to discover from does not exist"
                    ).diagnostics()
                )
        found = discover(
            options.home,
            platform=options.platform,
            project_dirs=options.project_dirs,
            env=options.env,
            system_root=options.system_root,
        )
        plans.extend(_Plan(_discovered_agent(loc), (loc,), ()) for loc in found)
    return plans, errors


# A manifest is read only when its ecosystem has no lockfile beside it: the lock is what installs.
_PYTHON_LOCKS = ("uv.lock", "pylock.toml", "poetry.lock", "Pipfile.lock")
_NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock")


def _folder_plans(folder: Path, options: InventoryOptions) -> list[_Plan]:
    """A project folder without a manifest: its project-scope client configs and its lockfiles.

    Each config is one agent (as with --discover); the folder's lockfiles are one more agent.
    """
    nowhere = folder / ".chainwatch-no-home"  # only project-scope locations, never the user's
    configs = discover(
        nowhere, platform=options.platform, project_dirs=(folder,), env={}, system_root=nowhere
    )
    plans = [_Plan(_discovered_agent(loc), (loc,), ()) for loc in configs]
    present = {name for name in LOCKFILE_NAMES if (folder / name).is_file()}
    if present & set(_PYTHON_LOCKS):
        present -= {"pyproject.toml"}
    if present & set(_NPM_LOCKS):
        present -= {"package.json"}
    locks = tuple(folder / name for name in LOCKFILE_NAMES if name in present)
    if locks:
        agent = Agent(
            id=_agent_id(f"{folder.resolve().name or 'root'}:packages", str(folder.resolve())),
            name=f"{folder} (lockfiles)",
            lockfile_paths=tuple(str(p) for p in locks),
            origin="folder",
        )
        plans.append(_Plan(agent, (), locks))
    if not plans:
        raise ConfigError(
            str(folder),
            f"no {MANIFEST_NAME}, no project-scope MCP config and no lockfile in this folder",
            hint="name the config or lockfile files, or add an agent manifest",
        )
    return plans


def _file_agent(path: Path, *, lockfile: bool) -> Agent:
    return Agent(
        id=_agent_id(path.name, str(path.resolve())),
        name=str(path),
        config_paths=() if lockfile else (str(path),),
        lockfile_paths=(str(path),) if lockfile else (),
        origin="file",
    )


def _discovered_agent(loc: ConfigLocation) -> Agent:
    label = f"{loc.client}:{loc.scope.value}"
    return Agent(
        id=_agent_id(label, str(loc.path)),
        name=f"{loc.client} ({loc.scope.value}) {loc.path}",
        config_paths=(str(loc.path),),
        origin="discovered",
    )


def _agent_id(label: str, key: str) -> str:
    # Stable across runs for the same file: baselines are keyed by agent id.
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    safe = "".join(c if c.isalnum() or c in "._:-" else "-" for c in label)
    return f"{safe}-{digest}"


def _inventory_agent(plan: _Plan, caches: ToolCaches) -> AgentInventory:
    servers: list[ServerInventory] = []
    packages: list[Component] = []
    skipped: list[Skipped] = []
    errors: list[str] = []
    findings: list[Finding] = []
    if plan.configs:
        # The client config readers and the launch command resolvers load with the first
        # config: an agent made of lockfiles (a CI check of a requirements file) needs neither.
        from scanner.inventory.configs.read import read_config_detailed
        from scanner.inventory.launch.resolve import resolve_launch
    for ref in plan.configs:
        client, scope, project = _ref_details(ref)
        try:
            result = read_config_detailed(ref.path, client, scope=scope, project=project)
        except ChainwatchError as exc:
            # A parser's message may quote the file (a YAML error shows the line): redact it.
            errors.append(redact_text(exc.diagnostics()))
            continue
        # One bad server entry is skipped with its reason; the rest of the file stands.
        skipped.extend(Skipped(str(ref.path), redact_text(p)) for p in result.problems)
        for entry in result.entries:
            if not entry.enabled:
                skipped.append(
                    Skipped(entry.name, "server is disabled in its config", entry.location)
                )
                continue
            launched = resolve_launch(entry, caches=caches)
            servers.append(
                ServerInventory(entry, launched.components, launched.skipped, launched.findings)
            )
    for lockfile in plan.lockfiles:
        try:
            locked = read_lockfile(lockfile)
        except ChainwatchError as exc:
            errors.append(redact_text(exc.diagnostics()))
            continue
        packages.extend(locked.components)
        skipped.extend(locked.skipped)
        findings.extend(locked.findings)
    return AgentInventory(
        plan.agent, tuple(servers), tuple(packages), tuple(skipped), tuple(errors), tuple(findings)
    )


def _ref_details(ref: ConfigRef | ConfigLocation) -> tuple[str | None, Scope, str | None]:
    if isinstance(ref, ConfigLocation):
        return ref.client, ref.scope, ref.project
    return ref.client, Scope.EXPLICIT, None


def inventory_findings(inventory: Inventory) -> Iterable[tuple[str, Finding]]:
    """Findings the inventory itself raises (floating launches, unpinned requirements...)."""
    for ai in inventory.agents:
        for si in ai.servers:
            for f in si.findings:
                yield ai.agent.id, f
        for f in ai.findings:
            yield ai.agent.id, f
