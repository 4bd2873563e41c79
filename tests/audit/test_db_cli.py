"""`chainwatch db import-osv` on real files."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from scanner._cli import main
from tests.audit.conftest import OSV


def test_import_osv_folder_reports_counts_and_names_malformed(tmp_path):
    db = tmp_path / "osv.db"
    result = CliRunner().invoke(main, ["db", "import-osv", "--osv-db", str(db), str(OSV)])
    assert result.exit_code == 0, result.output
    assert "imported:  27 (0 replaced earlier records)" in result.stdout
    assert "skipped as malformed: 4" in result.stdout
    assert "CWTEST-malformed-kind" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone() == (27,)


def test_import_osv_env_names_the_database(tmp_path):
    db = tmp_path / "env.db"
    result = CliRunner(env={"CHAINWATCH_OSV_DB": str(db)}).invoke(
        main, ["db", "import-osv", str(OSV / "real")]
    )
    assert result.exit_code == 0, result.output
    assert db.is_file()


def test_import_osv_bad_dump_is_a_clear_error(tmp_path):
    bad = tmp_path / "all.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(
        main, ["db", "import-osv", "--osv-db", str(tmp_path / "osv.db"), str(bad)]
    )
    assert result.exit_code == 3
    assert "all.zip: not a readable zip archive or folder" in result.stderr
