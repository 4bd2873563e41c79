"""Put every stdio server of a client config behind the proxy, and take it back out.

``install`` keeps the original bytes beside the config (``NAME.chainwatch-backup``, 0600, created
exclusively: a second install is refused) and rewrites each stdio server's ``command``/``args``
to ``<proxy command> proxy --agent AGENT [...] -- <original command> <original args>``; every
other key (env, cwd, type, ...) is kept as it was. ``uninstall`` writes the backup's bytes back,
byte for byte, and only when the config is still exactly what install wrote (``force`` skips
that check). Supported: ``mcpServers`` (Claude Desktop, Cursor, ...) and ``servers`` (VS Code).
Nothing from the config but server names reaches output: env values and args may hold secrets.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.inventory._decode import load_json, read_bytes

BACKUP_SUFFIX = ".chainwatch-backup"
_SECTIONS = ("mcpServers", "servers")


@dataclass(frozen=True, slots=True)
class InstallPlan:
    """How to wrap: the proxy's own command line and the options it gets."""

    agent: str
    proxy_command: tuple[str, ...] = ("chainwatch",)
    options: tuple[str, ...] = ()  # e.g. ("--enforce", "--manifest", "/path/chainwatch.toml")


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


def _decode(data: bytes, config: Path) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(config), "file is not valid UTF-8 text") from exc
    doc = load_json(text, str(config), ConfigError)
    if not isinstance(doc, dict):
        raise ConfigError(str(config), "not a JSON object")
    return doc


def _is_wrapped(entry: dict[str, Any]) -> bool:
    args = entry.get("args")
    return isinstance(args, list) and "proxy" in args and "--agent" in args and "--" in args


def rewrite(data: bytes, config: Path, plan: InstallPlan) -> tuple[bytes, InstallResult]:
    """The wrapped config's bytes (deterministic: uninstall recomputes them to check)."""
    doc = _decode(data, config)
    wrapped: list[str] = []
    left: list[tuple[str, str]] = []
    found = False
    for section in _SECTIONS:
        servers = doc.get(section)
        if not isinstance(servers, dict):
            continue
        found = True
        for name, entry in servers.items():
            reason = _wrap(entry, plan)
            if reason:
                left.append((name, reason))
            else:
                wrapped.append(name)
    if not found:
        raise ConfigError(
            str(config), 'no "mcpServers" or "servers" object', hint="a JSON MCP client config"
        )
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    result = InstallResult(config, backup_path(config), tuple(wrapped), tuple(left))
    return text.encode("utf-8"), result


def _wrap(entry: Any, plan: InstallPlan) -> str:
    """Wrap one server entry in place; the reason it was left alone, or "" when wrapped."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    if _is_wrapped(entry):
        return "already runs behind the proxy"
    command, args = entry.get("command"), entry.get("args", [])
    if not isinstance(command, str) or not command:
        return "no stdio command (a remote server: the proxy is for stdio)"
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        return '"args" is not a list of strings'
    head, *rest = plan.proxy_command
    entry["command"] = head
    entry["args"] = [*rest, "proxy", "--agent", plan.agent, *plan.options, "--", command, *args]
    return ""


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
    _replace(config, new)
    return result


def uninstall(config: Path, *, force: bool = False) -> Path:
    """Put the backed-up bytes back; refuse when the config changed since install (unless force)."""
    backup = backup_path(config)
    original = read_bytes(backup, ConfigError)
    if not force:
        current = read_bytes(config, ConfigError)
        plan = _plan_of(_decode(current, config))
        if plan is None or rewrite(original, config, plan)[0] != current:
            raise ConfigError(
                str(config),
                "changed since `chainwatch proxy install`; restoring the backup would lose edits",
                hint=f"compare with {backup.name}; --force restores it anyway",
            )
    _replace(config, original)
    backup.unlink()
    return backup


def _plan_of(doc: dict[str, Any]) -> InstallPlan | None:
    """The plan install used, read back from the first wrapped server (None: none wrapped)."""
    for section in _SECTIONS:
        servers = doc.get(section)
        for entry in servers.values() if isinstance(servers, dict) else ():
            if isinstance(entry, dict) and _is_wrapped(entry):
                args: list[str] = entry["args"]
                at = args.index("proxy")
                if args[at + 1 : at + 2] != ["--agent"] or len(args) < at + 3:
                    continue
                options = tuple(args[at + 3 : args.index("--", at)])
                return InstallPlan(args[at + 2], (entry["command"], *args[:at]), options)
    return None


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


__all__: Sequence[str] = ("InstallPlan", "InstallResult", "backup_path", "install", "uninstall")
