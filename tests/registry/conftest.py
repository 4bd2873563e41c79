"""The loopback fixture registry as a pytest fixture, and small helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from scanner._testing.fixture_server import FixtureRegistry

T = TypeVar("T")


@pytest.fixture
def fixture_registry() -> Iterator[FixtureRegistry]:
    """A running registry on 127.0.0.1 serving fixtures/registry (faults cleared per test)."""
    with FixtureRegistry() as registry:
        yield registry


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a fresh event loop."""
    return asyncio.run(coro)
