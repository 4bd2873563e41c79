"""Drive a real MCP client session (mcp SDK, stdio) against a server run behind the proxy."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

REPO = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).resolve().parent / "servers" / "server.py"


@dataclass
class Outcome:
    """What the client saw: server info, tools, and per call the text or the error."""

    server: tuple[str, str] = ("", "")
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)


def proxied(db: Path, variant: str, *extra: str) -> StdioServerParameters:
    """The server VARIANT launched as `python -m scanner proxy --agent a --db DB -- python ...`."""
    args = ["-m", "scanner", "proxy", "--agent", "a", "--db", str(db), *extra, "--"]
    return StdioServerParameters(
        command=sys.executable,
        args=[*args, sys.executable, str(SERVER), variant],
        env={"PYTHONPATH": str(REPO)},
        cwd=str(REPO),
    )


def proxied_command(db: Path, command: list[str], *extra: str) -> StdioServerParameters:
    """COMMAND launched as `python -m scanner proxy --agent a --db DB -- COMMAND`."""
    args = ["-m", "scanner", "proxy", "--agent", "a", "--db", str(db), *extra, "--", *command]
    return StdioServerParameters(
        command=sys.executable, args=args, env={"PYTHONPATH": str(REPO)}, cwd=str(REPO)
    )


def package_runner(folder: Path, runner: str, variant: str) -> Path:
    """An executable named RUNNER (e.g. uvx) that starts the server VARIANT, whatever its args.

    It stands in for the real runner, which would fetch the package: the proxy reads the
    command statically (the package the runner would run) and starts what is really there.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / runner
    shim.write_text(
        f"#!{sys.executable}\nimport os, sys\n"
        f"os.execv(sys.executable, [sys.executable, {str(SERVER)!r}, {variant!r}])\n"
    )
    shim.chmod(0o755)
    return shim


def direct(variant: str) -> StdioServerParameters:
    """The server VARIANT launched directly."""
    return StdioServerParameters(command=sys.executable, args=[str(SERVER), variant])


def talk(params: StdioServerParameters, calls: tuple[str, ...] = ("read_file",)) -> Outcome:
    """Initialize, list tools, call each of ``calls``; record what came back."""
    out = Outcome()

    async def run() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            out.server = (init.server_info.name, init.server_info.version or "")
            listed = await session.list_tools()
            out.tools = {
                t.name: t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools
            }
            for name in calls:
                try:
                    result = await session.call_tool(name, {"path": "notes.txt"})
                except MCPError as exc:
                    out.errors[name] = (exc.error.code, exc.error.message)
                    continue
                out.results[name] = "".join(getattr(c, "text", "") for c in result.content)

    anyio.run(run)
    return out


def findings(db: Path) -> list[tuple[str, str, str]]:
    """(code, severity, message) of every finding the proxy recorded, oldest first."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT f.code, f.severity, f.message FROM findings f JOIN scans s ON s.id = f.scan_id"
            " WHERE s.kind = 'proxy' ORDER BY f.id"
        ).fetchall()
    return [tuple(r) for r in rows]


def copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy of a store (WAL included) so each test starts from the pinned v1."""
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()
    return dst


_HELLO = (
    b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
    b'"capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}\n'
    b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'
    b'{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n'
)


def raw_tools_list(variant: str) -> bytes:
    """The exact bytes of the server's tools/list response line, without any client library."""
    with subprocess.Popen(
        [sys.executable, str(SERVER), variant], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(_HELLO)
        proc.stdin.flush()  # stdin stays open: on EOF the server would stop before answering
        line = b""
        for line in proc.stdout:
            if line.startswith(b'{"jsonrpc":"2.0","id":2') or b'"id":2,"jsonrpc"' in line:
                break
        proc.stdin.close()
        proc.wait(timeout=30)
    return line


@dataclass
class ChangeOutcome:
    """What the client saw around a server's notifications/tools/list_changed."""

    notified: bool = False
    descriptions: list[str] = field(default_factory=list)  # read_file's, per tools/list
    calls: list[str] = field(default_factory=list)  # per read_file call: its text or the error


def talk_through_change(params: StdioServerParameters) -> ChangeOutcome:
    """List, call read_file (the server changes it and notifies), call, list again, call."""
    out = ChangeOutcome()
    changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if getattr(message, "method", "") == "notifications/tools/list_changed":
            out.notified = True
            changed.set()

    async def call(session: ClientSession) -> None:
        try:
            result = await session.call_tool("read_file", {"path": "notes.txt"})
        except MCPError as exc:
            out.calls.append(f"error {exc.error.code}: {exc.error.message}")
            return
        out.calls.append("".join(getattr(c, "text", "") for c in result.content))

    async def listed(session: ClientSession) -> None:
        tools = {t.name: t.description or "" for t in (await session.list_tools()).tools}
        out.descriptions.append(tools["read_file"])

    async def run() -> None:
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write, message_handler=on_message) as session,
        ):
            await session.initialize()
            await listed(session)
            await call(session)
            with anyio.fail_after(30):
                await changed.wait()
            await call(session)  # before the client has listed the changed tools
            await listed(session)
            await call(session)

    anyio.run(run)
    return out
