"""Shared test fixtures."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import settings

from scanner.store.target import PostgresURL, StoreTarget

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
PG_URL_ENV = "CHAINWATCH_TEST_PG_URL"  # an existing server to test against (databases made in it)
REQUIRE_PG_ENV = "CHAINWATCH_REQUIRE_PG"  # set in CI: a missing server fails instead of skipping

# No per-example deadline anywhere: speed is measured in bench/, and a deadline only fails on a
# loaded machine (it did, in tests/attestations/test_properties.py).
settings.register_profile("chainwatch", deadline=None)
settings.load_profile("chainwatch")


@pytest.fixture
def fixtures_dir() -> Path:
    """The repository's fixtures folder."""
    return FIXTURES


class _ExternalServer:
    """A server named by $CHAINWATCH_TEST_PG_URL: a fresh database in it per test."""

    def __init__(self, url: str) -> None:
        self.base = url
        self._names = itertools.count(1)

    def database(self) -> str:
        import psycopg

        name = f"cw_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        return urlunsplit(urlsplit(self.base)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A PostgreSQL server for the session: $CHAINWATCH_TEST_PG_URL, or one started here."""
    if os.environ.get(PG_URL_ENV):
        if not os.environ[PG_URL_ENV].startswith(("postgresql://", "postgres://")):
            pytest.fail(f"{PG_URL_ENV} must be a postgresql:// URL (its user may create databases)")
        yield _ExternalServer(os.environ[PG_URL_ENV])
        return
    from scanner._testing.postgres_server import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if os.environ.get(REQUIRE_PG_ENV):
            pytest.fail(f"{reason}, and {REQUIRE_PG_ENV} is set")
        pytest.skip(f"{reason}: install postgresql or set {PG_URL_ENV}")
    with PostgresServer.running(bindir) as server:
        yield server


def pg_url(request: pytest.FixtureRequest) -> PostgresURL:
    """A fresh PostgreSQL database for one test."""
    server = request.getfixturevalue("pg_server")
    return PostgresURL(server.database())


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each store backend in turn: the test runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def store_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreTarget:
    """A new empty store of each backend: a file path, or the URL of a fresh database."""
    if backend == "sqlite":
        return tmp_path / "cw.db"
    return pg_url(request)


def db_arg(target: StoreTarget) -> str:
    """``--db``'s value for a store: the path, or the whole URL (with its password)."""
    return target.url if isinstance(target, PostgresURL) else str(target)
