"""Assertion helpers shared by the lockfile reader tests."""

from __future__ import annotations

from scanner.models import Component, Skipped


def ln(item: Component | Skipped) -> int:
    """The line an item points at (asserting there is one)."""
    assert item.source is not None and item.source.line is not None
    return item.source.line


def src(item: Component | Skipped) -> str:
    """The file an item points at."""
    assert item.source is not None
    return item.source.path


def url(c: Component, i: int = 0) -> str:
    """The URL of an artifact (asserting there is one)."""
    u = c.artifacts[i].url
    assert u is not None
    return u
