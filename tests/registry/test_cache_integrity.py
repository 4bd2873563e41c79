"""The on-disk HTTP cache cannot lie: damaged or misplaced entries are refetched whole, encoded
answers are stored decoded, and a cache folder that cannot be written only costs the caching."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner._testing.hostile import Answer, HostileRegistry
from scanner.registry.http import fetch_json, make_client
from scanner.registry.interface import FetchError, OfflineMiss
from scanner.registry.pypi import SIMPLE_JSON

from .conftest import run

PATH = "/pypi/simple/mcp/"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def hostile() -> Iterator[HostileRegistry]:
    """A hostile registry on 127.0.0.1."""
    with HostileRegistry() as server:
        yield server


def _get(reg: HostileRegistry, cache: Path, path: str = PATH, *, offline: bool = False) -> Any:
    async def go() -> Any:
        async with make_client(cache_dir=cache, offline=offline) as client:
            return await fetch_json(client, reg.base_url + path, accept=SIMPLE_JSON)

    return run(go())


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.body"))


def test_a_damaged_body_is_refetched_whole_never_revalidated(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    assert _get(hostile, tmp_path)["name"] == "mcp"
    (body,) = _entries(tmp_path)
    body.write_bytes(body.read_bytes().replace(b'"mcp"', b'"evil"'))
    assert _get(hostile, tmp_path)["name"] == "mcp"
    first, second = hostile.requests
    assert "if-none-match" not in second.headers  # a 304 would have re-served the damage
    assert second.status == 200
    assert json.loads(body.read_bytes())["name"] == "mcp"  # and the entry is whole again


def test_a_damaged_body_is_not_served_offline(hostile: HostileRegistry, tmp_path: Path) -> None:
    _get(hostile, tmp_path)
    (body,) = _entries(tmp_path)
    body.write_bytes(b"{}")
    with pytest.raises(OfflineMiss):
        _get(hostile, tmp_path, offline=True)


def test_an_entry_moved_under_another_url_is_not_used(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """Someone who can write the cache copies pypi-attestations' entry over rfc8785's."""
    _get(hostile, tmp_path, "/pypi/simple/pypi-attestations/")
    _get(hostile, tmp_path, "/pypi/simple/rfc8785/")
    by_name = {json.loads(p.read_bytes())["name"]: p for p in _entries(tmp_path)}
    source, target = by_name["pypi-attestations"], by_name["rfc8785"]
    for suffix in (".body", ".json"):
        target.with_suffix(suffix).write_bytes(source.with_suffix(suffix).read_bytes())
    with pytest.raises(OfflineMiss):
        _get(hostile, tmp_path, "/pypi/simple/rfc8785/", offline=True)
    assert _get(hostile, tmp_path, "/pypi/simple/rfc8785/")["name"] == "rfc8785"


def test_gzip_answers_are_stored_decoded(hostile: HostileRegistry, tmp_path: Path) -> None:
    hostile.script(PATH, Answer(serve=PATH, encoding="gzip"))
    assert _get(hostile, tmp_path)["name"] == "mcp"
    (body,) = _entries(tmp_path)
    assert json.loads(body.read_bytes())["name"] == "mcp"
    headers = dict(json.loads(body.with_suffix(".json").read_text())["headers"])
    assert "content-encoding" not in {k.lower() for k in headers}
    assert _get(hostile, tmp_path, offline=True)["name"] == "mcp"


def test_a_corrupt_gzip_answer_is_not_stored(hostile: HostileRegistry, tmp_path: Path) -> None:
    hostile.script(PATH, Answer(serve=PATH, encoding="corrupt-gzip"))
    with pytest.raises(FetchError, match="could not decode"):
        _get(hostile, tmp_path)
    assert _entries(tmp_path) == [] and list(tmp_path.rglob("*.part")) == []


CHILD = textwrap.dedent(
    """
    import asyncio, json, logging, sys
    from pathlib import Path
    from scanner.registry.http import fetch_json, make_client
    from attestations.cache import VerificationCache
    from attestations.result import AttestationCheck

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logging.getLogger().addHandler(Keep())

    async def main():
        async with make_client(cache_dir=Path(sys.argv[2])) as client:
            return await fetch_json(client, sys.argv[1], accept="application/json")

    data = asyncio.run(main())
    with VerificationCache(Path(sys.argv[2]) / "v.sqlite") as cache:
        for i in range(200):
            cache.put(f"b{i}", "a" * 500, "p" * 500, AttestationCheck(True, "x" * 500))
    print(json.dumps({"name": data["name"], "warnings": records}))
    """
)


def _limit_file_size() -> None:
    # Writes past 64 kB fail with EFBIG, as on a full disk; the signal would kill the child.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))


def test_a_cache_folder_that_cannot_be_written_costs_only_the_caching(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """A real write failure from the kernel, in a child process limited to 64 kB files."""
    page = json.loads(hostile.body_of(PATH))
    page["files"] = page["files"] * 200  # well over 64 kB
    hostile.script(PATH, Answer(body=json.dumps(page).encode()))
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, hostile.base_url + PATH, str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["name"] == "mcp"
    warnings = " | ".join(out["warnings"])
    assert "HTTP cache" in warnings and "without storing answers" in warnings
    assert "verification cache" in warnings and "continuing without it" in warnings
    assert _entries(tmp_path / "cache") == [] and list(tmp_path.rglob("*.part")) == []
