"""Shared fixtures for the audit tests: real OSV records and the records written per rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

OSV = Path(__file__).resolve().parents[2] / "fixtures" / "osv"
REAL = OSV / "real"
RULES = OSV / "rules"


def load(record_id: str) -> dict[str, Any]:
    """One record by id, from the real records or the rule records."""
    for folder in (REAL, RULES):
        path = folder / f"{record_id}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    raise FileNotFoundError(record_id)


def all_records() -> list[dict[str, Any]]:
    """Every record kept under fixtures/osv (real and rule records)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(OSV.glob("*/*.json"))]


@pytest.fixture
def osv_dir() -> Path:
    """fixtures/osv."""
    return OSV
