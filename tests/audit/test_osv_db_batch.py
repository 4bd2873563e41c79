"""The offline source's batched queries give exactly the results of one query per package (the
rows of every record naming it, in index order), named or not, in more than one batch."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from scanner.audit.interface import Ecosystem, Package
from scanner.audit.osv_db import _CHUNK, OfflineOsvSource, connect, import_osv
from tests.audit.test_osv_db import NOW, every_fixture


def test_batched_lookup_equals_one_query_per_package(tmp_path: Path) -> None:
    db = tmp_path / "osv.db"
    import_osv(db, every_fixture(tmp_path), now=NOW)
    with closing(sqlite3.connect(db)) as conn:
        named = sorted(set(conn.execute("SELECT ecosystem, name FROM affected")))
    assert named
    packages = [
        Package(Ecosystem(eco), spelt, version)
        for eco, name in named
        for spelt in (name, name.upper().replace("-", "_"))  # PyPI names normalise
        for version in ("0.0.1", "1.0.0", "2.31.0", "not-a-version")
    ]
    # More unnamed packages than one batch holds, between the named ones.
    packages += [Package(Ecosystem.PYPI, f"no-record-{i}", "1.0") for i in range(_CHUNK + 7)]
    packages += [Package(Ecosystem.NPM, f"no-record-{i}", "1.0") for i in range(3)]
    packages = packages[::2] + packages[1::2]
    source = OfflineOsvSource(db)
    batched = source.audit(packages)
    with closing(connect(db, write=False)) as conn:
        label = f"{source.name} (imported {NOW})"
        one_by_one = [source.evaluate(p, label, _one_query(conn, p)) for p in packages]
    assert batched == one_by_one
    assert sum(1 for r in batched if r.advisories) > 10  # the named packages did match
    assert sum(1 for r in batched if not r.complete) > 0  # and unorderable versions stayed so


def _one_query(conn: sqlite3.Connection, package: Package) -> list[tuple[str, str]]:
    """The rows of one package as the source read them before it batched its queries."""
    rows = conn.execute(
        "SELECT DISTINCT r.id, r.body FROM affected a JOIN records r ON r.id = a.id "
        "WHERE a.ecosystem = ? AND a.name = ? AND r.withdrawn = 0",
        (package.ecosystem.value, package.key),
    )
    return list(rows)
