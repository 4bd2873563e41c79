"""The README's --help sections are generated from the code and must not drift."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_readme_help_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "help_docs.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_readme_has_two_command_quickstart() -> None:
    text = (REPO / "README.md").read_text()
    quick = text.split("## Quickstart", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci  # CI runs the README's test command
