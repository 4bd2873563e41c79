"""Tool-surface pins in the store: one row per pinned component version, one per tool.

Keyed by (component purl without version, version): the server's name in a client config is
not part of the key, so renaming it keeps its pins. ``seq`` orders pinnings, so "the most
recently pinned other version" does not depend on clock or version-string order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.errors import StoreError
from scanner.tools.model import ActionClass, Hints, SurfaceKey, ToolPin, ToolSurface

if TYPE_CHECKING:
    from scanner.store.conn import Conn

_COLUMNS = (
    "name, sha256, nfc_sha256, description_sha256, input_schema_sha256, annotations_sha256,"
    " other_sha256, hints, action, canonical"
)


def load_surface(conn: Conn, key: SurfaceKey) -> ToolSurface | None:
    """The surface pinned for ``key``, or None."""
    row = conn.execute(
        "SELECT pinned_at FROM tool_surfaces WHERE component = ? AND version = ?",
        [key.component, key.version],
    ).fetchone()
    if row is None:
        return None
    cursor = conn.execute(
        f"SELECT {_COLUMNS} FROM tool_pins WHERE component = ? AND version = ? ORDER BY position",
        [key.component, key.version],
    )
    return ToolSurface(key, tuple(_pin(r, key) for r in cursor), str(row[0]))


def latest_surface(conn: Conn, component: str, *, other_than: str) -> ToolSurface | None:
    """The most recently pinned surface of ``component`` at a version other than ``other_than``."""
    row = conn.execute(
        "SELECT version FROM tool_surfaces WHERE component = ? AND version != ?"
        " ORDER BY seq DESC LIMIT 1",
        [component, other_than],
    ).fetchone()
    return None if row is None else load_surface(conn, SurfaceKey(component, str(row[0])))


def save_surface(conn: Conn, surface: ToolSurface) -> None:
    """Replace the pins of the surface's component version (the caller holds a transaction)."""
    key = surface.key
    (seq,) = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM tool_surfaces").fetchone()
    conn.execute(
        "DELETE FROM tool_surfaces WHERE component = ? AND version = ?",
        [key.component, key.version],
    )
    conn.execute(
        "INSERT INTO tool_surfaces (component, version, pinned_at, seq) VALUES (?, ?, ?, ?)",
        [key.component, key.version, surface.pinned_at, seq],
    )
    conn.executemany(
        f"INSERT INTO tool_pins (component, version, position, {_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                key.component,
                key.version,
                position,
                p.name,
                p.sha256,
                p.nfc_sha256,
                p.description,
                p.input_schema,
                p.annotations,
                p.other,
                p.hints.as_text(),
                p.action.value,
                p.canonical,
            ]
            for position, p in enumerate(surface.pins)
        ],
    )


def _pin(row: Any, key: SurfaceKey) -> ToolPin:
    try:
        hints = Hints.from_text(str(row[7]))
        action = ActionClass(row[8])
    except (ValueError, KeyError) as exc:
        # A pin we cannot read is not "no pin": that would re-pin silently over it.
        raise StoreError(
            f"tool pin {row[0]!r} of {key.component}@{key.version} is unreadable: {exc}",
            hint="the store was edited or damaged; re-pin with `chainwatch tools scan --accept`",
        ) from None
    return ToolPin(
        name=str(row[0]),
        sha256=str(row[1]),
        nfc_sha256=str(row[2]),
        description=str(row[3]),
        input_schema=str(row[4]),
        annotations=str(row[5]),
        other=str(row[6]),
        hints=hints,
        action=action,
        canonical=str(row[9]),
    )
