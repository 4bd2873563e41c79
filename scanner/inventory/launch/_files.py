"""Local files a launch command names: paths, ``${VAR}`` expansion, hashes, local components."""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from scanner.checks.codes import Code
from scanner.inventory.launch._context import Ctx, make_purl
from scanner.models import (
    Component,
    EvidenceKind,
    ServerEntry,
    VersionEvidence,
)

# Files above this size are not hashed: the scan must stay fast, and nothing we launch is that big.
MAX_HASH_BYTES = 1 << 30
_CHUNK = 1 << 20
_SEPARATORS = re.compile(r"[\\/]")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WINDOWS_ABS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


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
