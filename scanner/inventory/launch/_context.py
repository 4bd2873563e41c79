"""Shared plumbing for the launcher modules: the per-call context, purls and versions.

Local files (paths, variables, hashes, local components) are in :mod:`._files`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from packageurl import PackageURL

from scanner.checks.codes import Code, finding
from scanner.errors import LaunchError
from scanner.inventory.launch.caches import ToolCaches
from scanner.models import (
    Component,
    Finding,
    Installer,
    RegistryHint,
    Scope,
    ServerEntry,
    Skipped,
    SourceLocation,
)
from scanner.redact import redact_text

# Files above this size are not hashed: the scan must stay fast, and nothing we launch is that big.
MAX_HASH_BYTES = 1 << 30
_CHUNK = 1 << 20
_SEPARATORS = re.compile(r"[\\/]")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WINDOWS_ABS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")

Dispatch = Callable[["Ctx", list[str]], None]


@dataclass(slots=True)
class Ctx:
    """What one resolve_launch call accumulates; launchers add to it and never raise past it."""

    server: ServerEntry
    caches: ToolCaches | None
    dispatch: Dispatch
    base_dir: Path | None = None  # overrides cwd/config dir for relative paths (uv --directory)
    depth: int = 0
    registry: RegistryHint | None = None  # set by a runner: its installer and index options
    components: list[Component] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def home(self) -> Path:
        """The user's home directory, for ``~`` (asked only when a path needs it)."""
        if self.caches is not None and self.caches.home is not None:
            return self.caches.home
        try:
            return Path.home()
        except RuntimeError:
            return Path("/")

    @property
    def location(self) -> SourceLocation:
        """Where the server entry is written."""
        return self.server.location

    def skip(self, reason: str, subject: str | None = None) -> None:
        """Record something we cannot inventory, with the reason."""
        # The entry is redacted already; this catches secrets a reason quotes from elsewhere.
        self.skipped.append(
            Skipped(
                subject=redact_text(subject) if subject else self.server.name,
                reason=redact_text(reason),
                source=self.location,
            )
        )

    def add(self, component: Component) -> None:
        """Add a component; a registry package gets the runner's registry hint."""
        hint = self.registry
        if hint is not None and component.registry is None:
            npm = hint.installer is Installer.NPM
            if component.ecosystem == ("npm" if npm else "pypi"):
                component = replace(component, registry=hint)
        self.components.append(component)

    @property
    def project_dir(self) -> str | None:
        """The folder the server runs in, whose project-level settings apply; None if unknown.

        ``uv --directory``, the entry's ``cwd``, its project key, or, for a project-scope config,
        the project folder (the parent of ``.vscode`` / ``.cursor``-style folders).
        """
        config_dir = Path(self.server.config_path).parent
        for raw in (self.base_dir, self.server.cwd, self.server.project):
            if raw:
                path = Path(raw).expanduser()
                return str(path if path.is_absolute() else config_dir / path)
        if self.server.scope is Scope.PROJECT:
            return str(config_dir.parent if config_dir.name.startswith(".") else config_dir)
        return None

    def set_registry(
        self,
        installer: Installer,
        *,
        index: str | None = None,
        extra: Sequence[str] = (),
        no_config: bool = False,
        config_file: str | None = None,
    ) -> None:
        """Record the runner and the index options its command gives (credentials dropped)."""
        self.registry = RegistryHint(
            installer,
            self.project_dir,
            clean_url(index) if index else None,
            tuple(clean_url(u) for u in extra),
            no_config,
            config_file,
        )

    def flag(self, code: Code, subject: str, message: str, **evidence: str) -> None:
        """Add a finding about this server's launch."""
        self.findings.append(
            finding(
                code,
                subject,
                message,
                server=self.server.name,
                config=str(self.location),
                # Any: mypy cannot tell the keys never include finding()'s ``severity``.
                **cast("dict[str, Any]", evidence),
            )
        )

    def redispatch(self, argv: list[str]) -> None:
        """Resolve a nested command line (``cmd /c ...``, ``python -m uv ...``)."""
        if self.depth >= 6:
            raise LaunchError("launch command nests wrappers too deeply")
        self.depth += 1
        try:
            self.dispatch(self, argv)
        finally:
            self.depth -= 1


def make_purl(
    type_: str,
    name: str,
    *,
    namespace: str | None = None,
    version: str | None = None,
    qualifiers: dict[str, str] | None = None,
) -> str:
    """Render a package URL, turning the library's ValueError into a LaunchError."""
    items = tuple(sorted(qualifiers.items())) if qualifiers else ()
    try:
        return _purl(type_, namespace, name, version, items)
    except ValueError as exc:
        raise LaunchError(f"cannot build a package URL for {name!r}: {exc}") from exc


@lru_cache(maxsize=8192)
def _purl(
    type_: str,
    namespace: str | None,
    name: str,
    version: str | None,
    qualifiers: tuple[tuple[str, str], ...],
) -> str:
    # Fleets repeat the same packages; PackageURL normalisation dominates a resolve otherwise.
    return PackageURL(
        type=type_, namespace=namespace, name=name, version=version, qualifiers=dict(qualifiers)
    ).to_string()


def clean_url(raw: str) -> str:
    """A URL without userinfo, query or fragment (uv's ``name=url`` form: the URL)."""
    name, eq, rest = raw.partition("=")
    url = rest if eq and "://" not in name and "/" not in name else raw
    parts = urlsplit(url.strip())
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment=""))


def floating_finding(ctx: Ctx, purl: str, spec: str, *, latest: bool, what: str) -> None:
    """One finding per floating launch: CW101 for latest, CW100 otherwise."""
    if latest:
        ctx.flag(Code.LATEST_TAG, purl, f"{what} is launched at 'latest'", spec=spec)
    else:
        ctx.flag(
            Code.FLOATING_LAUNCH, purl, f"{what} is launched without an exact version", spec=spec
        )


# ---------------------------------------------------------------- local files
