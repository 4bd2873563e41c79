"""A real MCP server for the SDK integration tests, written with the SDK, run over stdio.

MCPServer in the SDK's 2.x line, FastMCP in the 1.x line (the same class, renamed).
"""

from __future__ import annotations

import os

from mcp.types import ToolAnnotations

try:
    from mcp.server.mcpserver import Context, MCPServer

    server = MCPServer("notes-fixture", version="3.1.4")
except ImportError:  # the SDK's 1.x line: FastMCP takes no version, its low-level server does
    from mcp.server.fastmcp import Context, FastMCP

    server = FastMCP("notes-fixture")
    server._mcp_server.version = "3.1.4"


@server.tool(annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=False))
def search(query: str, limit: int = 5) -> str:
    """Search the notes."""
    return f"{limit} results for {len(query)} characters"


@server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True))
def delete_note(note_id: str) -> str:
    """Delete one note."""
    return f"deleted {len(note_id)}"


@server.tool()
def broken() -> str:
    """Always fails."""
    raise ValueError("this tool always fails")


@server.tool()
async def grow(ctx: Context) -> str:  # type: ignore[type-arg]
    """Add a tool and tell the client the list changed."""
    server.add_tool(lambda: "new", name="fresh", description="Added at run time.")
    await ctx.session.send_tool_list_changed()
    return "grown"


@server.tool()
def crash() -> str:
    """The server process dies mid-call."""
    os._exit(3)


if __name__ == "__main__":
    server.run("stdio")
