"""Import rules, read from the source: checks are pure, the CLI holds no SQL or HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

SCANNER = REPO / "scanner"
# What a pure check may never reach: storage, the network, the verifier, the pipeline.
CHECKS_FORBIDDEN = (
    "sqlite3",
    "sqlite_utils",
    "httpx",
    "scanner.store",
    "scanner.registry.http",
    "scanner.registry.cache",
    "scanner.verify",
    "scanner.scan",
    "scanner._cli",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _module_file(name: str) -> Path | None:
    base = REPO / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _reach(start: Path) -> dict[str, str]:
    """Every module imported from ``start``, following scanner.* modules (name -> importer)."""
    seen: dict[str, str] = {}
    todo = [(start, start.name)]
    while todo:
        path, label = todo.pop()
        for name in _imports(path):
            if name in seen:
                continue
            seen[name] = label
            target = _module_file(name) if name.startswith("scanner.") else None
            # Package __init__ files re-export; the rule is about what a check reaches itself.
            if target is not None and target.name != "__init__.py":
                todo.append((target, name))
    return seen


@pytest.mark.parametrize("path", sorted((SCANNER / "checks").glob("*.py")), ids=lambda p: p.name)
def test_checks_import_no_store_http_or_sqlite(path: Path) -> None:
    reached = _reach(path)
    bad = {
        n: by
        for n, by in reached.items()
        if any(n == f or n.startswith(f + ".") for f in CHECKS_FORBIDDEN)
    }
    assert bad == {}


@pytest.mark.parametrize("module", sorted(p.name for p in (SCANNER / "_cli").glob("*.py")))
def test_cli_imports_no_sqlite_or_httpx(module: str) -> None:
    path = SCANNER / "_cli" / module
    direct = _imports(path)
    assert not {"sqlite3", "sqlite_utils", "httpx"} & direct
    assert "SELECT" not in path.read_text(encoding="utf-8")


def test_the_rule_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlite3\nfrom scanner.store import Store\n")
    assert {"sqlite3", "scanner.store"} <= set(_reach(sample))
