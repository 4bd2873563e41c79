"""Tool pins in a real SQLite store: round trip, replacement, ordering, damaged rows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scanner.errors import StoreError
from scanner.store import open_store
from scanner.tools import SurfaceKey, parse_tool_list, pin_surface
from tests.conftest import FIXTURES

MATH = FIXTURES / "mcp" / "tools" / "snyk-agent-scan__math_server_signature.json"


def _surface(version: str, at: str, drop: str | None = None):
    doc = json.loads(MATH.read_text())
    doc["tools"] = [t for t in doc["tools"] if t["name"] != drop]
    surface, _ = pin_surface(
        parse_tool_list(json.dumps(doc), "m"), SurfaceKey("pkg:pypi/math", version), at
    )
    return surface


def test_round_trip_and_replace(store_db):
    db = store_db
    first = _surface("1.0", "2026-01-01T00:00:00+00:00")
    with open_store(db) as store:
        assert store.tool_surface(first.key) is None
        store.save_tool_surface(first)
    with open_store(db) as store:  # a new connection reads what the first wrote
        assert store.tool_surface(first.key) == first
        fewer = _surface("1.0", "2026-01-02T00:00:00+00:00", drop="add")
        store.save_tool_surface(fewer)
        assert store.tool_surface(first.key) == fewer
        assert len(fewer.pins) == len(first.pins) - 1


def test_latest_other_version_is_the_last_pinned_not_the_highest(store_db):
    with open_store(store_db) as store:
        for version in ("2.0", "1.0", "3.0"):
            store.save_tool_surface(_surface(version, "2026-01-01T00:00:00+00:00"))
        latest = store.latest_tool_surface("pkg:pypi/math", other_than="3.0")
        assert latest is not None and latest.key.version == "1.0"
        assert store.latest_tool_surface("pkg:pypi/other", other_than="") is None


def test_an_empty_surface_is_a_pin(store_db):
    with open_store(store_db) as store:
        empty = _surface("1.0", "t")
        empty = type(empty)(empty.key, (), "t")
        store.save_tool_surface(empty)
        assert store.tool_surface(empty.key) == empty


def test_a_damaged_pin_is_an_error_not_a_missing_pin(store_db):
    with open_store(store_db) as store:
        store.save_tool_surface(_surface("1.0", "t"))
        # Damaged behind chainwatch's back (any SQL client); the store's own connection does it.
        store.conn.execute("UPDATE tool_pins SET hints = 'garbage' WHERE name = 'add'")
    with open_store(store_db) as store, pytest.raises(StoreError, match="unreadable"):
        store.tool_surface(SurfaceKey("pkg:pypi/math", "1.0"))


def test_a_store_from_before_tool_pins_is_migrated(tmp_path: Path):
    from scanner.store.migrations import MIGRATIONS

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
        )
        for version, sql in MIGRATIONS:
            if "tool_pins" in sql:
                break
            lines = [x for x in sql.splitlines() if not x.strip().startswith("--")]
            for statement in "\n".join(lines).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'then')", [version])
    with open_store(db) as store:
        surface = _surface("1.0", "t")
        store.save_tool_surface(surface)
        assert store.tool_surface(surface.key) == surface


def test_the_interface_is_enough_for_a_tool_scan(tmp_path: Path):
    from scanner.tools.run import run_tool_scan
    from tests.store.test_interface import MemoryStore

    store = MemoryStore()
    first = run_tool_scan(MATH, "pkg:pypi/math@1.0", store, at="t")
    again = run_tool_scan(MATH, "pkg:pypi/math@1.0", store, at="t")
    assert first.baseline is None and again.baseline == first.key and again.changes == ()
