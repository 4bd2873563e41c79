"""The planted-secrets corpus: the real CLI on realistic configs leaks no secret anywhere."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "secret_leaks", REPO / "scripts" / "secret_leaks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_planted_secrets_reach_no_output_store_cache_or_log(tmp_path: Path) -> None:
    leaks = _script()
    counts = leaks.leak_counts(tmp_path)
    planted = leaks.planted()
    assert len(planted) >= 25
    # Control: the detector finds every secret where it was planted, and the scan ran.
    assert counts.pop("planted in the corpus (control)") == len(planted)
    assert counts.pop("scanned components (sanity)") >= 10
    assert counts == {
        "table output": 0,
        "json output": 0,
        "sarif, markdown and cyclonedx output": 0,
        "store (every table)": 0,
        "cache folder": 0,
        "log (stderr)": 0,
    }
