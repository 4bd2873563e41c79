"""The answers a result rests on are recorded, also when a parsed page is reused from memory.

A warm verdict is believed only while every answer it was built from is unchanged, so a
component that reuses a page another component fetched must record that page too.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from scanner._testing.fixture_server import FixtureRegistry
from scanner.registry import make_client
from scanner.registry.answers import Recorder, recording
from scanner.registry.interface import FetchError
from scanner.registry.pypi import PyPIRegistry


async def _twice(registry: FixtureRegistry, cache: Path, *, offline: bool) -> list[Recorder]:
    client = make_client(cache_dir=cache, offline=offline)
    pypi = PyPIRegistry(client, registry.url("pypi", "simple/"))
    found = []
    try:
        for _ in range(2):  # the second call is answered from the registry's memory
            try:
                with recording() as used:
                    await pypi.release("pypi-attestations", "0.0.19")
            except FetchError:
                pass  # the record says so
            found.append(used)
    finally:
        await client.aclose()
    return found


def test_a_page_reused_from_memory_is_recorded_for_each_user(tmp_path: Path) -> None:
    with FixtureRegistry(cache_control="max-age=600") as registry:
        fetched, reused = asyncio.run(_twice(registry, tmp_path / "http", offline=False))
        assert len([r for r in registry.requests if "pypi-attestations" in r.path]) == 1
    assert fetched.complete and reused.complete
    assert list(fetched.answers.values()) == list(reused.answers.values())
    (answer,) = fetched.answers.values()
    assert answer.url.endswith("/pypi/simple/pypi-attestations/")
    body = next((tmp_path / "http").rglob(f"{answer.entry}.body")).read_bytes()
    assert answer.sha256 == hashlib.sha256(body).hexdigest()


def test_an_answer_the_cache_does_not_hold_spoils_the_record(tmp_path: Path) -> None:
    with FixtureRegistry() as registry:
        first, second = asyncio.run(_twice(registry, tmp_path / "http", offline=True))
    assert not first.complete and not second.complete  # offline, empty cache: nothing bound
    assert first.answers == second.answers == {}


def test_offline_answers_from_the_cache_are_recorded(tmp_path: Path) -> None:
    with FixtureRegistry() as registry:
        online, _ = asyncio.run(_twice(registry, tmp_path / "http", offline=False))
        offline, again = asyncio.run(_twice(registry, tmp_path / "http", offline=True))
    assert online.complete and offline.complete and again.complete
    assert online.answers == offline.answers == again.answers
