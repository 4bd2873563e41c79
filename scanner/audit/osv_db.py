"""The offline OSV database: streaming import of `all.zip` dumps or folders, and matching."""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import platformdirs

from scanner.audit.advisories import advisory_from_match, group_aliases
from scanner.audit.interface import (
    AdvisorySource,
    AuditResult,
    OsvDatabaseError,
    Package,
    incomplete,
)
from scanner.audit.osv_eval import UnorderableVersion, match_record
from scanner.audit.osv_record import MalformedRecord, parse_record

OSV_DB_ENV = "CHAINWATCH_OSV_DB"
MAX_RECORD_BYTES = 16 * 1024 * 1024  # the largest real OSV records are well under 1 MB

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (id TEXT NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_id ON affected (id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def default_osv_db_path() -> Path:
    """``$CHAINWATCH_OSV_DB`` or ``osv.db`` in the platform's user data directory."""
    if env := os.environ.get(OSV_DB_ENV):
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("chainwatch", appauthor=False)) / "osv.db"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: counts, and every record skipped with the reason."""

    source: str
    read: int
    imported: int
    replaced: int
    other_ecosystems: int  # records with no PyPI or npm package: not stored
    skipped: tuple[str, ...]


def _members(path: Path) -> Iterator[tuple[str, IO[bytes], int]]:
    """(name, open file, size) for each .json record, one at a time."""
    import zipfile  # only `chainwatch db import` reads archives; a check never loads it

    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            with file.open("rb") as fh:
                yield str(file), fh, file.stat().st_size
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise OsvDatabaseError(
            f"{path}: not a readable zip archive or folder ({exc})",
            hint="pass an OSV all.zip dump or a folder of OSV .json records",
        ) from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            with archive.open(info) as fh:
                yield f"{path}!{info.filename}", fh, info.file_size


def _load(origin: str, fh: IO[bytes], size: int) -> Any:
    if size > MAX_RECORD_BYTES:
        raise MalformedRecord(origin, None, f"{size} bytes is larger than any real record")
    try:
        return json.loads(fh.read(MAX_RECORD_BYTES + 1))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedRecord(origin, None, f"not valid JSON ({exc})") from exc


def connect(path: Path, *, write: bool) -> sqlite3.Connection:
    """Open the database; read-only unless writing, so a scan never creates or changes it."""
    if not write and not path.is_file():
        raise OsvDatabaseError(
            f"{path}: no offline OSV database",
            hint="run `chainwatch db import-osv PATH` with an OSV all.zip dump first",
        )
    try:
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
            conn.executescript(_SCHEMA)
        else:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute("SELECT 1 FROM records LIMIT 1")
    except sqlite3.Error as exc:
        raise OsvDatabaseError(f"{path}: cannot open the OSV database ({exc})") from exc
    return conn


def import_osv(db_path: Path, source: Path, *, now: str) -> ImportReport:
    """Import every record of a dump or folder in one transaction; records replace by id."""
    import zipfile  # its errors, raised by _members' archive

    read = imported = replaced = other = 0
    skipped: list[str] = []
    with closing(connect(db_path, write=True)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for origin, fh, size in _members(source):
                read += 1
                try:
                    raw = _load(origin, fh, size)
                    record = parse_record(raw, origin)
                except MalformedRecord as exc:
                    skipped.append(exc.message)
                    continue
                keys = sorted({(a.ecosystem, a.key) for a in record.affected})
                if not keys:
                    other += 1
                    continue
                old = conn.execute("DELETE FROM records WHERE id = ?", (record.id,)).rowcount
                conn.execute("DELETE FROM affected WHERE id = ?", (record.id,))
                conn.execute(
                    "INSERT INTO records VALUES (?, ?, ?, ?)",
                    (
                        record.id,
                        record.modified,
                        int(record.withdrawn is not None),
                        json.dumps(raw, separators=(",", ":")),
                    ),
                )
                conn.executemany(
                    "INSERT INTO affected VALUES (?, ?, ?)", [(record.id, e, n) for e, n in keys]
                )
                imported += 1
                replaced += old
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('imported_at', ?)", (now,))
            conn.execute("COMMIT")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            conn.execute("ROLLBACK")
            raise OsvDatabaseError(
                f"{source}: the dump broke while reading record {read} ({exc}); nothing imported",
                hint="download the dump again; the database was left as it was",
            ) from exc
        except BaseException:
            # All or nothing: a dump that breaks half-way leaves the database as it was.
            conn.execute("ROLLBACK")
            raise
    return ImportReport(str(source), read, imported, replaced, other, tuple(skipped))


class OfflineOsvSource(AdvisorySource):
    """Matches packages against an imported OSV database, with the OSV evaluator."""

    name = "offline OSV database"

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    def audit(self, packages: Sequence[Package]) -> list[AuditResult]:
        """One result per package; all incomplete when the database cannot be read."""
        try:
            conn = connect(self.db_path, write=False)
        except OsvDatabaseError as exc:
            return incomplete(packages, self.name, exc.diagnostics())
        with closing(conn):
            row = conn.execute("SELECT value FROM meta WHERE key = 'imported_at'").fetchone()
            if row is None:
                return incomplete(packages, self.name, f"{self.db_path}: nothing imported yet")
            # The report says how old the data is: an offline db is only as fresh as its import.
            label = f"{self.name} (imported {row[0]})"
            try:
                keys = [(p.ecosystem._value_, p.key) for p in packages]
                found = _records(conn, keys)
            except sqlite3.Error as exc:
                return incomplete(packages, self.name, f"{self.db_path}: read failed ({exc})")
        return [
            self.evaluate(p, label, found[key]) if key in found else AuditResult(p, label, ())
            for p, key in zip(packages, keys, strict=True)
        ]

    def evaluate(
        self, package: Package, label: str, rows: Sequence[tuple[str, str]]
    ) -> AuditResult:
        """The result for ``package`` from the (id, body) rows of the records that name it."""
        advisories, warnings, reasons = [], [], []
        for rid, body in rows:
            try:
                match = match_record(parse_record(json.loads(body), str(self.db_path)), package)
            except MalformedRecord as exc:
                warnings.append(exc.message)
                reasons.append(f"{rid} could not be evaluated")
                continue
            except UnorderableVersion as exc:
                reasons.append(exc.message)
                continue
            if match is not None:
                advisories.append(advisory_from_match(match))
        return AuditResult(
            package,
            label,
            group_aliases(package, advisories),
            complete=not reasons,
            reason="; ".join(dict.fromkeys(reasons)),
            warnings=tuple(warnings),
        )


_CHUNK = 500  # bound parameters per query: well under SQLite's oldest limit (999)


def _records(
    conn: sqlite3.Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Each (ecosystem, name) of ``keys`` that records name -> their (id, body), not withdrawn.

    A few batched queries instead of one per package: most packages of a fleet have no record.
    Per name the rows come in index order (by rowid), each record once, as a query for that one
    name returns them (tests/audit/test_osv_db_batch.py holds the two to the same results).
    """
    wanted: dict[str, dict[str, None]] = {}
    for ecosystem, name in keys:
        wanted.setdefault(ecosystem, {})[name] = None
    found: dict[tuple[str, str], dict[str, str]] = {}
    for ecosystem, names in wanted.items():
        unique = list(names)
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            rows = conn.execute(
                "SELECT a.name, r.id, r.body FROM affected a JOIN records r ON r.id = a.id "
                f"WHERE a.ecosystem = ? AND a.name IN ({', '.join('?' * len(chunk))}) "
                "AND r.withdrawn = 0 ORDER BY a.name, a.rowid",
                (ecosystem, *chunk),
            )
            for name, rid, body in rows:
                found.setdefault((ecosystem, name), {}).setdefault(rid, body)
    return {key: list(records.items()) for key, records in found.items()}
