"""`chainwatch demo` keeps its own store and finds its data installed or in a clone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import scanner.demo
from scanner._cli import main
from scanner.demo import DEMO_DB_NAME, default_demo_db_path, demo_data
from scanner.errors import ChainwatchError
from scanner.store import open_store
from tests.conftest import FIXTURES, REPO


@pytest.fixture
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home whose user data folder is under tmp_path (never the real one)."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return home


def test_demo_never_writes_the_user_store(user_dirs: Path, tmp_path: Path) -> None:
    user_db = tmp_path / "user.db"
    other_db = tmp_path / "other.db"
    result = CliRunner(env={"CHAINWATCH_DB": str(user_db)}).invoke(
        main, ["--db", str(other_db), "demo", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert not user_db.exists() and not other_db.exists()
    demo_db = default_demo_db_path()
    assert demo_db.name == DEMO_DB_NAME and user_dirs in demo_db.parents
    with open_store(demo_db) as store:
        assert store.count("scans") == 1
        assert store.publisher_identity("pkg:npm/sigstore") is not None
    doc = json.loads(result.output)
    assert doc["scan_id"] == 1
    # The README's table of demo outcomes is what the demo really reports.
    readme = (REPO / "README.md").read_text()
    promised = {s: int(n) for s, n in re.findall(r"^\| `([a-z-]+)` \| (\d+) \|", readme, re.M)}
    assert promised == {s: n for s, n in doc["summary"].items() if n}
    total = re.search(r"On the bundled data the (\d+) components", readme)
    assert total is not None and int(total[1]) == len(doc["components"])


def test_demo_table_names_its_store(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(main, ["demo", "--store", str(db)])
    assert result.exit_code == 0, result.output
    assert f"demo store: {db};" in " ".join(result.output.split())  # the line may wrap


def test_demo_data_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site" / "scanner"
    for name in ("demo", "registry"):
        shutil.copytree(FIXTURES / name, package / "_demo_data" / name)
    monkeypatch.setattr(scanner.demo.resources, "files", lambda _name: package)
    data = demo_data()
    assert data.fleet == package / "_demo_data" / "demo"
    assert data.registry == package / "_demo_data" / "registry"


def test_demo_data_falls_back_to_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scanner.demo.resources, "files", lambda _name: tmp_path)
    assert demo_data().fleet == FIXTURES / "demo"


def test_missing_demo_data_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "scanner"
    (package / "_demo_data" / "demo").mkdir(parents=True)
    monkeypatch.setattr(scanner.demo.resources, "files", lambda _name: package)
    with pytest.raises(ChainwatchError, match="demo data is missing"):
        demo_data()


def test_attestation_errors_reach_the_user_as_diagnostics(tmp_path: Path) -> None:
    # TrustRootError is an AttestationError, not a ChainwatchError: the CLI catches both bases.
    bad_root = tmp_path / "trusted_root.json"
    bad_root.write_text("{}")
    config = FIXTURES / "demo" / "ops" / "config.toml"
    args = ["scan", "--no-record", "--offline", "--cache-dir", str(tmp_path / "cache")]
    result = CliRunner().invoke(main, [*args, "--trust-root", str(bad_root), str(config)])
    assert result.exit_code == 3, result.output
    assert "error: trusted root" in result.output and "hint:" in result.output
