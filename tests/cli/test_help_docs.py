"""The README's generated sections (--help, codes, discovery paths) must not drift, and what it
promises about CI and the quickstart must be what the repository does."""

from __future__ import annotations

import re
import subprocess
import sys

from scanner.checks.codes import Code
from scanner.inventory.configs.clients import CLIENTS
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def _section(name: str) -> str:
    return README.split(f"<!-- {name}:begin -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0]


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
    assert "make lint" in ci  # ... and the lint the README promises
    # After `make demo`, the README says how to run the installed command.
    assert ".venv/bin/chainwatch" in quick


def test_make_lint_runs_ruff_and_strict_mypy() -> None:
    makefile = (REPO / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in lint and "ruff format --check" in lint and "mypy" in lint
    assert "strict = true" in (REPO / "pyproject.toml").read_text()


def test_every_finding_code_is_documented() -> None:
    codes = _section("codes")
    assert all(f"`{code.value}`" in codes for code in Code)


def test_client_count_is_the_client_table() -> None:
    count = re.search(r"\*\*Inventory\*\* of (\d+) MCP clients", README)
    assert count is not None and int(count[1]) == len(CLIENTS)


def test_every_discovery_path_is_documented() -> None:
    clients = _section("clients")
    for spec in CLIENTS.values():
        for where in spec.paths:
            assert f"| {spec.name} | `{where.template}` |" in clients
