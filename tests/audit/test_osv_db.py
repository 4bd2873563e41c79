"""The offline OSV database on real SQLite files: streaming import from a zip or a folder,
replacement by id, atomicity, malformed records named, and matching."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from scanner.audit.interface import Ecosystem, OsvDatabaseError, Package
from scanner.audit.osv_db import OfflineOsvSource, import_osv
from scanner.models import Severity
from tests.audit.conftest import OSV, load

P, N = Ecosystem.PYPI, Ecosystem.NPM
NOW = "2026-03-01T00:00:00Z"
MALFORMED = {
    "CWTEST-malformed-two-keys",
    "CWTEST-malformed-kind",
    "CWTEST-malformed-no-introduced",
    "CWTEST-malformed-fixed-and-last",
}


def make_zip(path: Path, records: dict[str, object]) -> Path:
    """An all.zip-shaped dump: one <id>.json member per record."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rid, record in records.items():
            zf.writestr(f"{rid}.json", record if isinstance(record, str) else json.dumps(record))
    return path


def every_fixture(tmp_path: Path) -> Path:
    records = {p.stem: json.loads(p.read_text()) for p in sorted(OSV.glob("*/*.json"))}
    return make_zip(tmp_path / "all.zip", records)


def test_import_zip_counts_and_names_malformed_records(tmp_path):
    db = tmp_path / "osv.db"
    report = import_osv(db, every_fixture(tmp_path), now=NOW)
    total = len(list(OSV.glob("*/*.json")))
    assert report.read == total
    assert report.imported == total - len(MALFORMED)
    assert report.replaced == 0
    assert len(report.skipped) == len(MALFORMED)
    for rid in MALFORMED:
        assert any(rid in s and "all.zip!" in s for s in report.skipped), rid


def test_import_folder_matches_zip(tmp_path):
    zip_db, dir_db = tmp_path / "a.db", tmp_path / "b.db"
    import_osv(zip_db, every_fixture(tmp_path), now=NOW)
    report = import_osv(dir_db, OSV, now=NOW)
    assert report.imported == import_osv(tmp_path / "c.db", tmp_path / "all.zip", now=NOW).imported

    def rows(db):
        with sqlite3.connect(db) as conn:
            return sorted(conn.execute("SELECT id, ecosystem, name FROM affected"))

    assert rows(zip_db) == rows(dir_db)


def _audit(db, *packages):
    return OfflineOsvSource(db).audit(list(packages))


def test_offline_matching_real_and_rule_records(tmp_path):
    db = tmp_path / "osv.db"
    import_osv(db, every_fixture(tmp_path), now=NOW)
    req, py_, mal, clean, withdrawn = _audit(
        db,
        Package(P, "Requests", "2.30.0"),
        Package(P, "py", "1.11.0"),
        Package(N, "01template1", "0.0.7"),
        Package(P, "requests", "2.31.0"),
        Package(P, "flask-caching", "1.10.1"),
    )
    (adv,) = req.advisories
    assert adv.id == "PYSEC-2023-74" and "CWTEST-alias-of-pysec-2023-74" in adv.aliases
    assert adv.fixed == ("2.31.0",) and adv.severity is Severity.MEDIUM
    assert py_.advisories[0].id == "PYSEC-2022-42969" and py_.advisories[0].fixed == ()
    assert mal.advisories[0].is_malware and mal.advisories[0].severity is Severity.CRITICAL
    assert clean.clean and withdrawn.clean
    assert clean.source == f"offline OSV database (imported {NOW})"
    assert all(r.complete for r in (req, py_, mal, clean, withdrawn))


def test_second_import_replaces_by_id(tmp_path):
    db = tmp_path / "osv.db"
    import_osv(db, every_fixture(tmp_path), now=NOW)
    assert _audit(db, Package(P, "py", "1.11.0"))[0].advisories
    withdrawn = load("PYSEC-2022-42969") | {"withdrawn": "2026-02-01T00:00:00Z"}
    report = import_osv(db, make_zip(tmp_path / "u.zip", {"u": withdrawn}), now=NOW)
    assert (report.imported, report.replaced) == (1, 1)
    assert _audit(db, Package(P, "py", "1.11.0"))[0].clean
    # the records the second dump did not carry are still there
    assert _audit(db, Package(P, "requests", "2.30.0"))[0].advisories


def test_broken_dump_leaves_database_as_it_was(tmp_path):
    db = tmp_path / "osv.db"
    import_osv(db, every_fixture(tmp_path), now=NOW)
    before = db.read_bytes()
    good = make_zip(
        tmp_path / "g.zip", {f"R{i}": load("PYSEC-2024-43") | {"id": f"R{i}"} for i in range(20)}
    )
    raw = bytearray(good.read_bytes())
    # Corrupt the compressed data of a late member: the CRC check fails half-way through.
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("R15.json")
    start = info.header_offset + 30 + len(info.filename) + 10
    raw[start : start + 20] = bytes(20)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(raw))
    with pytest.raises(OsvDatabaseError, match="broken.zip"):
        import_osv(db, broken, now=NOW)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM records WHERE id LIKE 'R%'").fetchone() == (0,)
    assert _audit(db, Package(P, "py", "1.11.0"))[0].advisories
    assert len(db.read_bytes()) == len(before)


def test_not_a_zip_is_a_clear_error(tmp_path):
    bad = tmp_path / "all.zip"
    bad.write_text("not a zip")
    with pytest.raises(OsvDatabaseError, match=r"all\.zip: not a readable zip"):
        import_osv(tmp_path / "osv.db", bad, now=NOW)


def test_member_that_is_not_json_is_skipped_by_name(tmp_path):
    dump = make_zip(tmp_path / "all.zip", {"bad": "{not json", "ok": load("PYSEC-2024-43")})
    report = import_osv(tmp_path / "osv.db", dump, now=NOW)
    assert report.imported == 1
    (skipped,) = report.skipped
    assert "all.zip!bad.json" in skipped and "not valid JSON" in skipped


def test_other_ecosystems_are_counted_not_stored(tmp_path):
    folder = tmp_path / "dump"
    folder.mkdir()
    other = load("PYSEC-2024-43") | {"id": "GO-TEST-1"}
    other["affected"] = [{"package": {"ecosystem": "Go", "name": "x"}, "versions": ["1"]}]
    (folder / "GO-TEST-1.json").write_text(json.dumps(other))
    report = import_osv(tmp_path / "osv.db", folder, now=NOW)
    assert (report.imported, report.other_ecosystems) == (0, 1)


def test_missing_or_empty_database_is_incomplete_never_clean(tmp_path):
    pkg = Package(P, "requests", "2.31.0")
    (missing,) = _audit(tmp_path / "none.db", pkg)
    assert not missing.complete and "import-osv" in missing.reason
    assert not (tmp_path / "none.db").exists()  # a scan never creates it
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    (unreadable,) = _audit(empty, pkg)
    assert not unreadable.complete and not unreadable.clean


def test_unorderable_component_version_is_incomplete(tmp_path):
    db = tmp_path / "osv.db"
    import_osv(db, every_fixture(tmp_path), now=NOW)
    (result,) = _audit(db, Package(P, "requests", "not-a-version"))
    assert not result.complete and "cannot be ordered" in result.reason


def test_malformed_version_in_a_stored_record_warns_by_name(tmp_path):
    db = tmp_path / "osv.db"
    import_osv(db, every_fixture(tmp_path), now=NOW)
    (result,) = _audit(db, Package(P, "cw-malformed-version", "0.5"))
    assert not result.complete
    assert any("CWTEST-malformed-version" in w for w in result.warnings)


def test_import_streams_one_record_at_a_time(tmp_path):
    # 2,000 records of ~60 KB each (~120 MB of JSON): peak Python memory stays far below it.
    big = load("PYSEC-2024-43")
    big["details"] = "x" * 60_000
    dump = tmp_path / "big.zip"
    with zipfile.ZipFile(dump, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(2000):
            zf.writestr(f"B{i}.json", json.dumps(big | {"id": f"B{i}"}))
    tracemalloc.start()
    try:
        report = import_osv(tmp_path / "osv.db", dump, now=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.imported == 2000
    assert peak < 20 * 1024 * 1024, peak


def test_folder_copy_of_fixtures_imports(tmp_path):
    shutil.copytree(OSV, tmp_path / "osv")
    assert import_osv(tmp_path / "osv.db", tmp_path / "osv", now=NOW).imported > 10
