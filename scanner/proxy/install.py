"""Put every stdio server of a client config behind the proxy, and take it back out.

``install`` keeps the original bytes beside the config (``NAME.chainwatch-backup``, 0600, created
exclusively: a second install is refused) and rewrites each stdio server's command and args
to ``<proxy command> proxy --agent AGENT [...] -- <original command> <original args>``. Every
format the inventory reads is edited in place: JSON and JSONC (comments kept), YAML and TOML;
only the command and args values change, every other byte (keys, comments, layout) stays.
The edited text is parsed again and must equal the original document with just those values
changed, or nothing is written. ``uninstall`` writes the backup's bytes back, byte for byte,
and only when the config is still exactly what install wrote (``force`` skips that check).
Nothing from the config but server names reaches output: env values and args may hold secrets.
"""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.inventory._decode import read_bytes
from scanner.inventory.configs.formats import Format, format_for, parse
from scanner.proxy._edit import EDITORS, EditError
from scanner.proxy._wrap import Found, InstallPlan, Wrap, plan_of, servers, wrap

BACKUP_SUFFIX = ".chainwatch-backup"
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class InstallResult:
    """Which servers were wrapped, and which were left (with why)."""

    config: Path
    backup: Path
    wrapped: tuple[str, ...]
    left: tuple[tuple[str, str], ...]  # (server name, reason)


def backup_path(config: Path) -> Path:
    """Where install keeps the original bytes."""
    return config.with_name(config.name + BACKUP_SUFFIX)


@dataclass(frozen=True, slots=True)
class _Config:
    text: str  # without a BOM
    bom: bool
    fmt: Format
    data: Mapping[object, object]
    servers: list[Found]


def _format(config: Path, text: str) -> Format:
    """The format by suffix, else by content (as the inventory reads a file it cannot name)."""
    found = format_for(config)
    if found is not None:
        return found
    if text.lstrip().startswith(("{", "[", "//", "/*")):
        return Format.JSONC
    try:
        parse(text, Format.TOML, str(config))
    except ConfigError:
        return Format.YAML
    return Format.TOML


def _read(data: bytes, config: Path) -> _Config:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(config), "file is not valid UTF-8 text") from exc
    bom = text.startswith(_BOM)
    text = text.removeprefix(_BOM)
    fmt = _format(config, text)
    doc = parse(text, fmt, str(config))
    if not isinstance(doc, Mapping):
        raise ConfigError(str(config), "not an MCP client config: the top level is not a mapping")
    found = servers(doc, text, fmt, str(config))
    if not found:
        raise ConfigError(
            str(config),
            "holds no MCP servers of any known client",
            hint="name an MCP client config (mcpServers, servers, mcp_servers, extensions, ...)",
        )
    return _Config(text, bom, fmt, doc, found)


def _expected(doc: Mapping[object, object], wraps: list[Wrap]) -> object:
    """The original document with only the wrapped values changed."""
    out: Any = copy.deepcopy(doc)
    for w in wraps:
        entry = out
        for step in w.where:
            entry = entry[step]
        entry[w.key] = w.command
        if w.args is not None:
            entry["args"] = w.args
    return out


def rewrite(data: bytes, config: Path, plan: InstallPlan) -> tuple[bytes, InstallResult]:
    """The wrapped config's bytes (deterministic: uninstall recomputes them to check)."""
    read = _read(data, config)
    wraps: list[Wrap] = []
    left: list[tuple[str, str]] = []
    for server in read.servers:
        done = wrap(server, plan)
        if isinstance(done, str):
            left.append((server.name, done))
        else:
            wraps.append(done)
    text = read.text
    if wraps:
        try:
            text = EDITORS[read.fmt](read.text, wraps)
            readback = parse(text, read.fmt, str(config))
            if readback != _expected(read.data, wraps):
                raise EditError("the edited file would not read back as the wrapped servers")
        except (EditError, ConfigError, KeyError, IndexError, TypeError) as exc:
            if isinstance(exc, EditError):
                problem = str(exc)
            elif isinstance(exc, ConfigError):
                problem = f"the edited text would not parse ({exc.problem})"
            else:  # the edited document's shape differs from the original's
                problem = f"the edited file would not read back ({type(exc).__name__})"
            raise ConfigError(
                str(config),
                f"cannot rewrite this {read.fmt.value.upper()} config safely: {problem}",
                hint="wrap its servers by hand: <proxy command> proxy --agent NAME -- <command>",
            ) from None
    result = InstallResult(config, backup_path(config), tuple(w.name for w in wraps), tuple(left))
    return ((_BOM if read.bom else "") + text).encode("utf-8"), result


def install(config: Path, plan: InstallPlan) -> InstallResult:
    """Back up ``config`` (exact bytes, 0600) and write the wrapped config in its place."""
    backup = backup_path(config)
    if backup.exists() or backup.is_symlink():
        raise ConfigError(
            str(config),
            f"already installed: {backup.name} exists",
            hint="run `chainwatch proxy uninstall` first",
        )
    original = read_bytes(config, ConfigError)
    new, result = rewrite(original, config, plan)
    if not result.wrapped:
        raise ConfigError(str(config), "no stdio server to put behind the proxy; nothing changed")
    _create_private(backup, original)
    try:
        _replace(config, new)
    except OSError as exc:  # the config is untouched (atomic replace): no backup to leave behind
        backup.unlink(missing_ok=True)
        raise ConfigError(str(config), f"cannot write the config: {exc.strerror or exc}") from exc
    return result


def uninstall(config: Path, *, force: bool = False) -> Path:
    """Put the backed-up bytes back; refuse when the config changed since install (unless force)."""
    backup = backup_path(config)
    original = read_bytes(backup, ConfigError)
    if not force:
        current = read_bytes(config, ConfigError)
        plan = plan_of(_read(current, config).servers)
        if plan is None or rewrite(original, config, plan)[0] != current:
            raise ConfigError(
                str(config),
                "changed since `chainwatch proxy install`; restoring the backup would lose edits",
                hint=f"compare with {backup.name}; --force restores it anyway",
            )
    _replace(config, original)
    backup.unlink()
    return backup


def _create_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` over ``path`` atomically, keeping the file's permission bits."""
    mode = stat.S_IMODE(path.stat().st_mode)
    tmp = path.with_name(f".{path.name}.chainwatch-tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed it
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def plan_options(*, enforce: bool, manifest: Path | None, db: Path | None) -> tuple[str, ...]:
    """The proxy options install writes into each server's args (absolute paths)."""
    options: list[str] = []
    if enforce:
        options.append("--enforce")
    if manifest is not None:
        options += ["--manifest", str(manifest.resolve())]
    if db is not None:
        options += ["--db", str(db.resolve())]
    return tuple(options)


__all__: Sequence[str] = (
    "InstallPlan",
    "InstallResult",
    "backup_path",
    "install",
    "rewrite",
    "uninstall",
)
