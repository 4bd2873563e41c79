"""Start-up stays instant: heavy dependencies load only in the commands that need them.

The time itself is measured in bench/bench_startup.py; here, which modules a fresh interpreter
has loaded after each entry point (a structural fact, not a timing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.audit.osv_db import import_osv
from scanner.demo import recorded_at
from tests.conftest import FIXTURES, REPO

RECORDED = recorded_at().isoformat()  # the fixtures' own moment, never today's date
HEAVY = ("sigstore", "pypi_attestations", "tuf", "httpx", "sqlite_utils", "rich", "pydantic")

_PROBE = """
import json, os, sys
from datetime import datetime
watched = set(json.loads(sys.argv[2]))
sys.argv = ["chainwatch", *json.loads(sys.argv[1])]
from scanner._cli import main
# A fixed clock when given (never today's date in a test that verifies).
at = os.environ.get("PROBE_CLOCK")
obj = {"clock": lambda: datetime.fromisoformat(at)} if at else None
try:
    main(obj=obj)
except SystemExit:
    pass
# A watched name is a top-level package ("yaml") or one module ("packaging.requirements").
heavy = sorted(({m.split(".")[0] for m in sys.modules} | set(sys.modules)) & watched)
print("LOADED=" + json.dumps(heavy), file=sys.stderr)
"""


def _loaded_after(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    watched: tuple[str, ...] = HEAVY,
) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(watched)],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "HOME": str(cwd), "PATH": "", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED="))
    loaded: list[str] = json.loads(line.removeprefix("LOADED="))
    return loaded


def test_version_loads_no_heavy_dependency(tmp_path: Path) -> None:
    assert _loaded_after(["--version"], tmp_path) == []


def test_inventory_loads_neither_sigstore_nor_httpx(tmp_path: Path) -> None:
    config = tmp_path / "claude_desktop_config.json"
    config.write_text(json.dumps({"mcpServers": {"a": {"command": "npx", "args": ["x@1.0.0"]}}}))
    loaded = _loaded_after(["--db", str(tmp_path / "cw.db"), "inventory", str(config)], tmp_path)
    assert (tmp_path / "cw.db").stat().st_size > 0  # the command did run and record
    assert not {"sigstore", "pypi_attestations", "tuf", "httpx"} & set(loaded)


# What a warm offline check of a fully pinned requirements file has no use for: the YAML and
# PEP 508 parsers (configs of another kind, a requirement the pin fast path cannot take),
# packaging's platform tags, npm's semver, logging (the caches log only when they fail) and the
# tool poisoning patterns. Each loads on the first input that needs it.
NOT_ON_A_WARM_CHECK = (
    "yaml",
    "packaging.requirements",
    "packaging.specifiers",
    "packaging.markers",
    "packaging.tags",
    "packaging.utils",
    "semver",
    "logging",
    "rfc8785",
    "scanner.tools.poison",
    "scanner.tools.pinning",
    "scanner.tools.canonical",
    # Opening the store loads none of the runtime side's models (a check reads no event, token,
    # tool pin or score), and the diff loads only where an agent has an accepted baseline.
    "scanner.behavior",
    "scanner.events",
    "scanner.collector",
    "scanner.score.model",
    "scanner.score.facts",
    "scanner.tools.model",
    "scanner.checks.diff",
)


@pytest.fixture(scope="module")
def warm_check(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A check run twice: cold (verifies in full), then warm and offline; what the warm loaded.

    Both runs on a pinned, hashed requirements file. Returns the folder and the modules of
    HEAVY + NOT_ON_A_WARM_CHECK the warm run had loaded when it finished.
    """
    tmp_path = tmp_path_factory.mktemp("warm")
    page = json.loads((FIXTURES / "registry/pypi/simple/pypi-attestations.json").read_text())
    sha = next(f["hashes"]["sha256"] for f in page["files"] if f["filename"].endswith(".tar.gz"))
    (tmp_path / "requirements.txt").write_text(f"pypi-attestations==0.0.19 --hash=sha256:{sha}\n")
    (tmp_path / "chainwatch.toml").write_text(
        'version = 1\n[[agent]]\nid = "a"\nlockfiles = ["requirements.txt"]\n'
    )
    osv = tmp_path / "osv.db"
    import_osv(osv, FIXTURES / "demo/osv", now="2026-11-26T00:00:00Z")
    db = ["--db", str(tmp_path / "cw.db")]
    with FixtureRegistry() as registry:
        env = {"PIP_INDEX_URL": registry.url("pypi", "simple/"), "PROBE_CLOCK": RECORDED}
        cold = _loaded_after([*db, "scan", str(tmp_path), "--no-record"], tmp_path, env)
        assert "sigstore" in cold  # the first run did verify in full
        served = len(registry.requests)
        check = ["check", str(tmp_path), "--offline", "--osv-db", str(osv), "--no-record"]
        out = ["--format", "json", "-o", str(tmp_path / "check.json")]
        watched = HEAVY + NOT_ON_A_WARM_CHECK
        warm = _loaded_after([*db, *check, *out], tmp_path, env, watched)
        assert len(registry.requests) == served
    return tmp_path, warm


def test_a_warm_offline_check_loads_no_verifier_no_http_and_no_rich(
    warm_check: tuple[Path, list[str]],
) -> None:
    # The second run finds every verdict warm: sigstore, httpx, pydantic and the registry
    # parsers are never imported, nor rich (no progress bar in JSON) nor sqlite-utils.
    folder, warm = warm_check
    assert not set(HEAVY) & set(warm)
    doc = json.loads((folder / "check.json").read_text())
    assert [c["status"] for c in doc["components"]] == ["verified"]


def test_a_warm_offline_check_loads_no_parser_it_has_no_input_for(
    warm_check: tuple[Path, list[str]],
) -> None:
    # The same check loads none of these (bench/bench_check.py: imports were most of its
    # time). Should one come back at import time, this names it.
    folder, warm = warm_check
    assert sorted(set(NOT_ON_A_WARM_CHECK) & set(warm)) == []
    doc = json.loads((folder / "check.json").read_text())
    assert doc["exit_code"] in (0, 1) and len(doc["components"]) == 1


def test_the_parsers_left_out_do_load_when_an_input_needs_them(tmp_path: Path) -> None:
    # The other side: lazy is not absent. A YAML client config and a requirement with a
    # range (no pin fast path) load PyYAML and packaging's PEP 508 grammar on first use.
    (tmp_path / "requirements.txt").write_text("httpx>=0.27\n")
    (tmp_path / "config.yaml").write_text(
        "mcpServers:\n  a:\n    command: npx\n    args: [x@1.0.0]\n"
    )
    watched = ("yaml", "packaging.requirements")
    db = ["--db", str(tmp_path / "cw.db")]
    args = [*db, "inventory", str(tmp_path / "requirements.txt"), "--format", "json"]
    assert _loaded_after(args, tmp_path, watched=watched) == ["packaging.requirements"]
    args = [*db, "inventory", str(tmp_path / "config.yaml"), "--format", "json"]
    assert _loaded_after(args, tmp_path, watched=watched) == ["yaml"]
