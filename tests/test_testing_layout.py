"""The shipped package never imports its test servers, except `chainwatch demo`, lazily."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scanner"


def _imports_of_testing(tree: ast.AST) -> list[tuple[int, bool]]:
    """(line, at module level) of each import of scanner._testing."""
    found = []
    top = {id(node) for node in getattr(tree, "body", [])}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        if any(n == "scanner._testing" or n.startswith("scanner._testing.") for n in names):
            found.append((node.lineno, id(node) in top))
    return found


def test_only_the_demo_imports_the_test_servers_and_only_lazily() -> None:
    offenders = []
    demo_imports = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_testing" in path.relative_to(PACKAGE).parts:
            continue
        found = _imports_of_testing(ast.parse(path.read_text(encoding="utf-8")))
        if path.name == "demo.py" and path.parent == PACKAGE:
            demo_imports = found
            offenders += [f"{path}:{line} (module level)" for line, top in found if top]
        else:
            offenders += [f"{path}:{line}" for line, _ in found]
    assert offenders == []
    assert demo_imports, "the demo runs against the loopback fixture registry"
