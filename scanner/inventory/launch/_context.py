"""Shared plumbing for the launcher modules: the per-call context, purls, versions, local files."""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, cast
from urllib.parse import quote, urlsplit, urlunsplit

from packageurl import PackageURL

from scanner.checks.codes import Code, finding
from scanner.errors import LaunchError
from scanner.inventory.launch.caches import ToolCaches
from scanner.models import (
    Component,
    EvidenceKind,
    Finding,
    Installer,
    RegistryHint,
    Scope,
    ServerEntry,
    Skipped,
    SourceLocation,
    VersionEvidence,
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


def has_separator(token: str) -> bool:
    """True when the token names a path rather than a bare command name."""
    return bool(_SEPARATORS.search(token))


def basename(token: str) -> str:
    """The last path segment, for both / and \\ separators."""
    return _SEPARATORS.split(token)[-1]


def expand(ctx: Ctx, raw: str) -> str | None:
    """Expand ``~`` and the editor variables we can know; None when a variable stays unknown."""
    text = raw
    if "${" in text:
        cfg = Path(ctx.server.config_path).parent
        workspace = ctx.server.project or (str(cfg.parent) if cfg.name == ".vscode" else None)
        known = {
            "userHome": str(ctx.home),
            "workspaceFolder": workspace,
            "workspaceRoot": workspace,
        }

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            value = _plugin_root(ctx.server) if name == "CLAUDE_PLUGIN_ROOT" else known.get(name)
            if value is None:
                raise KeyError(match.group(1))
            return value

        try:
            text = _VARIABLE.sub(sub, text)
        except KeyError:
            return None
    if text == "~" or text.startswith(("~/", "~\\")):
        text = str(ctx.home) + text[1:]
    return text


def candidates(ctx: Ctx, raw: str) -> list[Path]:
    """Where a path written in a launch command may point, most likely first."""
    if _WINDOWS_ABS.match(raw):
        return [Path(raw)]
    path = Path(raw)
    if path.is_absolute():
        return [path]
    start = launch_dir(ctx)
    bases: list[Path] = []
    if ctx.base_dir is not None:
        bases.append(ctx.base_dir if ctx.base_dir.is_absolute() else start / ctx.base_dir)
    if ctx.server.cwd:
        cwd_text = expand(ctx, ctx.server.cwd)  # "cwd": "${workspaceFolder}" is common
        if cwd_text is not None:
            cwd = Path(cwd_text)
            bases.append(cwd if cwd.is_absolute() else start / cwd)
    bases.append(start)
    return [b / path for b in bases]


def launch_dir(ctx: Ctx) -> Path:
    """The folder the client starts the server in, which relative paths resolve from.

    VS Code starts a workspace's servers in the workspace folder (the parent of ``.vscode/``);
    Claude Code starts a project's servers in that project's folder; other clients are taken to
    start them beside their config file.
    """
    config_dir = Path(ctx.server.config_path).parent
    if ctx.server.project and Path(ctx.server.project).is_absolute():
        return Path(ctx.server.project)
    if config_dir.name == ".vscode":
        return config_dir.parent
    return config_dir


def _plugin_root(server: ServerEntry) -> str | None:
    """A Claude Code plugin's folder: the nearest one above the config holding ``.claude-plugin/``.

    Claude Code sets ``${CLAUDE_PLUGIN_ROOT}`` only for plugins; elsewhere it stays unknown.
    """
    if server.client != "claude-code":
        return None
    path = Path(server.config_path)
    if path.parent.name == ".claude-plugin":
        return str(path.parent.parent)
    for folder in list(path.parents)[:4]:
        if (folder / ".claude-plugin").is_dir():
            return str(folder)
    return None


def find_file(paths: Sequence[Path]) -> tuple[Path, str | None]:
    """The first path that is a regular file and its sha256, or the first path and None."""
    for p in paths:
        digest = sha256_of(p)
        if digest is not None:
            return p, digest
    return paths[0], None


def sha256_of(path: Path) -> str | None:
    """sha256 of a regular file, None when it is missing, not a file or unreadable."""
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_HASH_BYTES:
        return None
    return _hash_file(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4096)
def _hash_file(path: str, size: int, mtime_ns: int) -> str | None:
    # Keyed by size and mtime so a changed file is hashed again. Reads at most ``size`` bytes:
    # pseudo-files that never end (procfs) cannot stall the scan.
    digest = hashlib.sha256()
    remaining = size
    try:
        with open(path, "rb") as fh:
            while remaining > 0:
                chunk = fh.read(min(_CHUNK, remaining))
                if not chunk:
                    break
                digest.update(chunk)
                remaining -= len(chunk)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def local_component(ctx: Ctx, raw: str, *, what: str = "local script") -> None:
    """A local script or binary: its content hash when present, else unresolved plus CW103."""
    expanded = expand(ctx, raw)
    name = basename(raw) or raw or "script"
    if expanded is None:
        purl = make_purl("generic", name, qualifiers={"download_url": _file_url(raw)})
        ctx.add(
            Component(
                purl=purl,
                ecosystem="local",
                name=name,
                version=None,
                evidence=VersionEvidence(
                    EvidenceKind.UNRESOLVED, detail="path has a variable we cannot expand"
                ),
                source=ctx.location,
                path=raw,
            )
        )
        ctx.flag(Code.LOCAL_SCRIPT_MISSING, purl, f"{what} {raw!r} cannot be located", path=raw)
        return
    path, digest = find_file(candidates(ctx, expanded))
    name = path.name or name
    if digest is None:
        purl = make_purl("generic", name, qualifiers={"download_url": _file_url(str(path))})
        ctx.add(
            Component(
                purl=purl,
                ecosystem="local",
                name=name,
                version=None,
                evidence=VersionEvidence(
                    EvidenceKind.UNRESOLVED, source=str(path), detail="file not found"
                ),
                source=ctx.location,
                path=str(path),
            )
        )
        ctx.flag(
            Code.LOCAL_SCRIPT_MISSING,
            purl,
            f"{what} {raw!r} not found, so it cannot be hashed",
            path=str(path),
        )
        return
    ctx.add(
        Component(
            purl=make_purl("generic", name, qualifiers={"checksum": f"sha256:{digest}"}),
            ecosystem="local",
            name=name,
            version=f"sha256:{digest}",
            evidence=VersionEvidence(
                EvidenceKind.COMMAND_PIN, source=str(path), detail="content hash at scan time"
            ),
            source=ctx.location,
            path=str(path),
        )
    )


def _file_url(path: str) -> str:
    if _WINDOWS_ABS.match(path):
        return "file:///" + quote(PureWindowsPath(path).as_posix())
    posix = PurePosixPath(path.replace("\\", "/")).as_posix()
    return ("file://" if posix.startswith("/") else "file:") + quote(posix)
