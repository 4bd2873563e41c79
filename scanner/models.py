"""Frozen values that flow through chainwatch: agents, servers, components, evidence, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The digest type belongs to the attestations package (which imports nothing from scanner);
# it is re-exported here because every inventory value carries digests.
from attestations.digests import Digest as Digest


class EvidenceKind(StrEnum):
    """Where a component's version came from."""

    COMMAND_PIN = "command_pin"  # exact version written in the launch command
    LOCKFILE = "lockfile"  # exact version recorded in a lockfile or pinned manifest line
    TOOL_CACHE = "tool_cache"  # resolved from a local npx / uv tool cache (may differ at launch)
    REGISTRY_LATEST = "registry_latest"  # floating: resolved against the registry now
    UNRESOLVED = "unresolved"  # no exact version known


class Installer(StrEnum):
    """The tool that fetches a component, whose registry settings therefore apply."""

    UV = "uv"  # uv run: project, user and system uv settings
    UV_TOOL = "uv-tool"  # uvx / uv tool run: user and system uv settings only
    PIP = "pip"  # pip, pipx and lockfiles pip installs from
    NPM = "npm"  # npx, npm exec, pnpm dlx, yarn dlx, bunx


class Severity(StrEnum):
    """Finding severity, ordered from least to most severe."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Numeric order, for comparisons and gates."""
        # A table, not list(Severity).index(self): a check ranks thousands of findings.
        return _SEVERITY_RANK[self._value_]


_SEVERITY_RANK = {s.value: n for n, s in enumerate(Severity)}


class Transport(StrEnum):
    """How a client talks to an MCP server."""

    STDIO = "stdio"
    SSE = "sse"
    HTTP = "http"


class Scope(StrEnum):
    """Which layer of a client's configuration a server entry came from."""

    USER = "user"
    PROJECT = "project"
    MANAGED = "managed"
    EXPLICIT = "explicit"  # a file named on the command line or in the agent manifest


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place in an input file (1-based line, when known)."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Artifact:
    """One distributable file of a release (wheel, sdist, tarball, image manifest)."""

    filename: str | None = None
    url: str | None = None
    digests: tuple[Digest, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionEvidence:
    """Why we believe a component runs at ``version``."""

    kind: EvidenceKind
    source: str | None = None  # file, cache directory or registry that said so
    detail: str = ""  # e.g. the floating spec "@latest" or the lockfile entry


@dataclass(frozen=True, slots=True)
class RegistryHint:
    """Which installer fetches a component, from which folder, and the indexes its command names.

    URLs are stored without userinfo, query or fragment: a credential never enters a hint.
    """

    installer: Installer
    project: str | None = None  # folder whose project-level settings apply (None: none do)
    index: str | None = None  # --default-index / --index-url / -i / --registry
    extra_indexes: tuple[str, ...] = ()  # --index / --extra-index-url
    no_config: bool = False  # uv --no-config
    config_file: str | None = None  # uv --config-file


@dataclass(frozen=True, slots=True)
class Component:
    """A thing that runs, identified by a package URL.

    Packages use ``pkg:pypi``/``pkg:npm``/``pkg:oci``/``pkg:github``; a local script is
    ``pkg:generic/<name>?checksum=sha256:<hex>`` with ``path`` set; a remote server has ``url`` set.
    """

    purl: str
    ecosystem: str  # "pypi", "npm", "oci", "git", "local", "remote"
    name: str
    version: str | None
    evidence: VersionEvidence
    requirement: str | None = None  # the spec as written ("mcp-server-fetch>=1", "@latest", ...)
    artifacts: tuple[Artifact, ...] = ()
    source: SourceLocation | None = None
    path: str | None = None  # local scripts
    url: str | None = None  # remote servers
    direct: bool = True  # False for transitive lockfile entries
    dev: bool = False  # dev/test-only dependency
    attestation_identities: tuple[dict[str, str], ...] = field(default=(), hash=False)
    registry: RegistryHint | None = None  # None: the ecosystem's installer, no project folder

    @property
    def key(self) -> str:
        """Identity without version: what baselines and pins are keyed by."""
        return self.purl.split("@", 1)[0] if self.ecosystem in {"pypi", "npm"} else self.purl


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something we could not inventory or check, with the reason. Never counts as passing."""

    subject: str
    reason: str
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class ServerEntry:
    """One MCP server as a client configures it. Only environment variable *names* are kept."""

    client: str
    config_path: str
    name: str
    transport: Transport
    scope: Scope = Scope.USER
    line: int | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    env_names: tuple[str, ...] = ()
    url: str | None = None
    project: str | None = None  # per-project entries (e.g. ~/.claude.json projects.<dir>)
    cwd: str | None = None
    enabled: bool = True

    @property
    def location(self) -> SourceLocation:
        """Where the entry is written."""
        return SourceLocation(self.config_path, self.line)


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent: a named set of MCP configs and lockfiles with a declared purpose and pact."""

    id: str
    name: str
    config_paths: tuple[str, ...] = ()
    lockfile_paths: tuple[str, ...] = ()
    purpose: str | None = None
    pact: tuple[str, ...] = ()  # action classes the agent is expected to perform
    pins: tuple[tuple[str, str], ...] = ()  # (purl without version or name, exact version/digest)
    origin: str = "discovered"  # "manifest" or "discovered"
    limits: tuple[tuple[str, float], ...] = ()  # action class -> most calls per hour (manifest)


@dataclass(frozen=True, slots=True)
class Finding:
    """A fact worth a person's attention, with a stable code and its evidence."""

    code: str  # stable, e.g. "CW101"
    severity: Severity
    subject: str  # purl, server name or file
    message: str
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ServerInventory:
    """A server entry and the components its launch resolves to."""

    server: ServerEntry
    components: tuple[Component, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentInventory:
    """Everything one agent runs: servers, locked packages, and what could not be read."""

    agent: Agent
    servers: tuple[ServerInventory, ...] = ()
    packages: tuple[Component, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()  # from lockfiles and manifests

    def components(self) -> tuple[Component, ...]:
        """All components, servers first, without duplicates."""
        seen: dict[str, Component] = {}
        for s in self.servers:
            for c in s.components:
                seen.setdefault(c.purl, c)
        for c in self.packages:
            seen.setdefault(c.purl, c)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Inventory:
    """The inventory of a whole fleet."""

    agents: tuple[AgentInventory, ...] = ()
    errors: tuple[str, ...] = ()
