"""The repository's top level holds only what the project declares (a stray file, such as a store
a test created in the working folder, must not be committed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DECLARED = {
    ".ci", ".gitignore", ".pre-commit-hooks.yaml", "MANIFEST.in", "Makefile", "README.md",
    "action.yml", "attestations", "bench", "docker-compose.yml", "eval", "fixtures",
    "pyproject.toml", "scanner", "scripts", "setup.py", "tests",
}  # fmt: skip


def test_only_declared_entries_are_tracked_at_the_top_level() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing tracked to check")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.decode("utf-8", "surrogateescape")
    top = {path.split("/", 1)[0] for path in listed.split("\0") if path}
    assert top <= DECLARED, f"undeclared top-level entries tracked: {sorted(top - DECLARED)}"
    assert {"pyproject.toml", "scanner", "attestations", "fixtures", "tests", "README.md"} <= top
