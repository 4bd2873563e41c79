"""Imports run one way: rules as data, checked against the imports every module really writes.

Each module of ``scanner`` and ``attestations`` is parsed (AST, never imported); every ``import``
and ``from ... import`` counts, including those inside functions (a lazy import is still a
dependency). Imports under ``if TYPE_CHECKING:`` do not run and are left out.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scanner", "attestations")
NETWORK = (
    *("httpx", "requests", "urllib.request", "http.client", "socket", "aiohttp", "tuf"),
    *("uvicorn", "fastapi", "starlette"),  # serving counts too
)
SQL = ("sqlite3", "sqlite_utils", "psycopg", "psycopg_pool")
_SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA)\s", re.I)


@dataclass(frozen=True)
class Rule:
    """Modules matching ``subject`` must not import ``forbidden`` (unless ``allowed`` says so)."""

    name: str
    subject: tuple[str, ...]  # module prefixes the rule applies to
    forbidden: tuple[str, ...] = ()  # module prefixes they must not import
    stdlib_only: bool = False  # only the standard library and the subject itself
    exempt: tuple[str, ...] = ()  # importing modules the rule names as exceptions
    no_sql_text: bool = False  # no string literal that reads as SQL
    why: str = ""


RULES = (
    Rule(
        "attestations-independent",
        subject=("attestations",),
        forbidden=("scanner",),
        why="attestations owns its digest type and base error; scanner builds on it",
    ),
    Rule(
        "checks-pure",
        subject=("scanner.checks",),
        forbidden=(*SQL, *NETWORK, "scanner.store", "scanner.verify", "scanner.scan"),
        why="checks are pure functions over typed values: no store, no HTTP, no sqlite3",
    ),
    Rule(
        "score-pure",
        subject=("scanner.score",),
        forbidden=(*SQL, *NETWORK, "scanner.store", "scanner.verify", "scanner.scan"),
        # compute.py and surfaces.py read the store as of a time; the rest is values in and out.
        exempt=("scanner.score.compute", "scanner.score.surfaces"),
        why="the score is a pure function of values; compute.py and surfaces.py read the store",
    ),
    Rule(
        "network-in-registry-layer",
        subject=PACKAGES,
        forbidden=NETWORK,
        # scanner.audit: the vulnerability sources of a later issue. trustroot: the TUF refresh.
        # scanner._testing: the loopback fixture registry (tests and the demo), serving only.
        # scanner.runtime.hook_http: the in-agent hook POSTs batches to the collector; it must
        # stay standard library only, so it uses urllib rather than the registry layer's httpx.
        exempt=(
            "scanner.registry",
            "scanner.audit",
            "scanner._testing",
            "attestations.trustroot",
            "scanner.runtime.hook_http",
            # scanner.collector: `chainwatch serve` (FastAPI on uvicorn) receives events.
            "scanner.collector",
        ),
        why="only the registry layer (and later the audit sources) touches the network",
    ),
    Rule(
        "cli-thin",
        subject=("scanner._cli",),
        forbidden=(*SQL, *NETWORK),
        no_sql_text=True,
        why="the CLI parses options, calls the library and prints; no SQL, no HTTP",
    ),
    Rule(
        "runtime-stdlib-only",
        subject=("scanner.runtime",),
        stdlib_only=True,
        why="the runtime hook (scanner/runtime/, to come) loads inside agents: stdlib only",
    ),
    Rule(
        "rescan-workers-through-the-library",
        subject=("scanner.rescan_queue",),
        forbidden=(*SQL, *NETWORK, "scanner._cli", "scanner.collector"),
        why="rescan workers verify through scan.py and reach the queue through store methods",
    ),
    Rule(
        "sql-in-store",
        subject=PACKAGES,
        forbidden=SQL,
        # attestations.cache: the verification cache is its own small sqlite file;
        # scanner.audit.osv_db: the offline advisory database is its own sqlite file too;
        # scanner.runtime.hook_spool: the in-agent hook's spool, a sqlite3 file (stdlib only, so
        # it cannot go through the store; `events import` moves it into the store).
        # scanner.verify.warm: the warm-verdict cache, a sqlite file beside the HTTP cache.
        exempt=(
            "scanner.store",
            "attestations.cache",
            "scanner.verify.warm",
            "scanner.audit.osv_db",
            "scanner.runtime.hook_spool",
        ),
        why="SQL lives in the store",
    ),
)


@dataclass(frozen=True)
class Import:
    """One imported module name, where it was written."""

    module: str
    line: int


@dataclass(frozen=True)
class Breach:
    """One import (or SQL text) that a rule forbids."""

    rule: str
    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"[{self.rule}] {self.importer}:{self.line} imports {self.imported}"


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (its ``else`` branch does run)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(module: str, source: str, *, is_package: bool = False) -> list[Import]:
    """The modules ``source`` imports at run time, with relative imports made absolute."""
    out: list[Import] = []
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join([*parts[:keep], *([base] if base else [])])
            out.append(Import(base, node.lineno))
            # `from scanner import store` imports the submodule scanner.store.
            out.extend(Import(f"{base}.{a.name}", node.lineno) for a in node.names if a.name != "*")
    return out


def sql_texts_of(source: str) -> list[tuple[str, int]]:
    """String literals that read as SQL statements."""
    return [
        (node.value, node.lineno)
        for node in _runtime_nodes(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _SQL_TEXT.match(node.value)
    ]


def _is_stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


def breaches(rule: Rule, module: str, source: str, *, is_package: bool = False) -> list[Breach]:
    """What ``module`` (with this ``source``) does that ``rule`` forbids."""
    if not _under(module, rule.subject) or _under(module, rule.exempt):
        return []
    found: list[Breach] = []
    for imp in imports_of(module, source, is_package=is_package):
        if rule.stdlib_only:
            bad = not (_is_stdlib(imp.module) or _under(imp.module, rule.subject))
        else:
            bad = _under(imp.module, rule.forbidden)
        if bad:
            found.append(Breach(rule.name, module, imp.module, imp.line))
    # `from scanner.store import Store` also yields scanner.store.Store: report the module once.
    found = [
        b
        for b in found
        if not any(o.line == b.line and b.imported.startswith(o.imported + ".") for o in found)
    ]
    if rule.no_sql_text:
        found.extend(
            Breach(rule.name, module, f"SQL text {text[:40]!r}", line)
            for text, line in sql_texts_of(source)
        )
    return found


def project_modules() -> dict[str, tuple[str, bool]]:
    """Every module of the packages: name -> (source, is_package)."""
    out: dict[str, tuple[str, bool]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            out[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return out


MODULES = project_modules()

# Rules the code on this branch still breaks, each waiting for a named change. When that change
# merges the case passes, strict xfail turns it red, and the merger deletes the entry.
PENDING: dict[str, str] = {}


def _case(rule: Rule) -> object:
    reason = PENDING.get(rule.name)
    if reason is None:
        return pytest.param(rule, id=rule.name)
    return pytest.param(rule, id=rule.name, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("rule", [_case(r) for r in RULES])
def test_rule_holds(rule: Rule) -> None:
    found = [b for m, (s, p) in MODULES.items() for b in breaches(rule, m, s, is_package=p)]
    assert not found, f"{rule.why}:\n" + "\n".join(map(str, found))


def test_every_module_was_read() -> None:
    assert {"scanner._cli", "scanner.checks.identity", "attestations.digests"} <= set(MODULES)
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    assert len(MODULES) == len(files) > 50


# The checker itself must be able to fail: synthetic modules that breach each kind of rule.

_BY_NAME = {r.name: r for r in RULES}


@pytest.mark.parametrize(
    ("rule", "module", "source", "imported"),
    [
        (
            "attestations-independent",
            "attestations.x",
            "from scanner.models import D",
            "scanner.models",
        ),
        ("attestations-independent", "attestations.x", "import scanner.errors", "scanner.errors"),
        ("attestations-independent", "attestations.x", "from scanner import errors", "scanner"),
        ("checks-pure", "scanner.checks.x", "def f():\n    import sqlite3\n", "sqlite3"),
        ("checks-pure", "scanner.checks.x", "from ..store import Store", "scanner.store"),
        ("checks-pure", "scanner.checks.x", "from .. import verify", "scanner.verify"),
        ("network-in-registry-layer", "scanner.scan", "import httpx", "httpx"),
        (
            "network-in-registry-layer",
            "attestations.npm",
            "from urllib.request import urlopen",
            "urllib.request",
        ),
        ("cli-thin", "scanner._cli", "import sqlite_utils", "sqlite_utils"),
        ("runtime-stdlib-only", "scanner.runtime.hook", "import click", "click"),
        (
            "runtime-stdlib-only",
            "scanner.runtime.hook",
            "from scanner.models import X",
            "scanner.models",
        ),
        ("sql-in-store", "scanner.scan", "import sqlite3", "sqlite3"),
    ],
)
def test_a_breach_is_caught(rule: str, module: str, source: str, imported: str) -> None:
    found = breaches(_BY_NAME[rule], module, source)
    assert imported in {b.imported for b in found}


def test_sql_text_in_the_cli_is_caught() -> None:
    source = 'def f(store):\n    return store.rows("SELECT * FROM scans")\n'
    found = breaches(_BY_NAME["cli-thin"], "scanner._cli", source)
    assert [b.line for b in found] == [2]


def test_what_the_rules_allow_passes() -> None:
    assert (
        breaches(
            _BY_NAME["runtime-stdlib-only"], "scanner.runtime.hook", "import json\nfrom . import x"
        )
        == []
    )
    assert (
        breaches(_BY_NAME["network-in-registry-layer"], "scanner.registry.http", "import httpx")
        == []
    )
    type_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import httpx\n"
    assert breaches(_BY_NAME["network-in-registry-layer"], "scanner.verify", type_only) == []
    # ...but the else branch of a TYPE_CHECKING test runs.
    runs = "if TYPE_CHECKING:\n    pass\nelse:\n    import httpx\n"
    assert breaches(_BY_NAME["network-in-registry-layer"], "scanner.verify", runs) != []


def test_relative_imports_resolve() -> None:
    names = {i.module for i in imports_of("scanner.checks.identity", "from ..store import db")}
    assert names == {"scanner.store", "scanner.store.db"}
    names = {i.module for i in imports_of("scanner.checks", "from . import codes", is_package=True)}
    assert names == {"scanner.checks", "scanner.checks.codes"}


def test_a_breaching_module_fails_the_rule_test() -> None:
    """The whole check, run on a project that holds one deliberate breach, reports it."""
    modules = {**MODULES, "attestations.leak": ("from scanner.models import Digest\n", False)}
    rule = _BY_NAME["attestations-independent"]
    found = [b for m, (s, p) in modules.items() for b in breaches(rule, m, s, is_package=p)]
    assert [str(b) for b in found] == [
        "[attestations-independent] attestations.leak:1 imports scanner.models"
    ]


def private_imports(module: str, source: str, *, is_package: bool = False) -> list[Import]:
    """Imports of another distribution's private modules (``sigstore._internal``, ...)."""
    found = imports_of(module, source, is_package=is_package)
    # `from pkg._x import name` also yields pkg._x.name: keep the module only.
    found = [
        i
        for i in found
        if not any(o.line == i.line and i.module.startswith(o.module + ".") for o in found)
    ]
    return [
        imp
        for imp in found
        if not _under(imp.module, PACKAGES)
        and not _is_stdlib(imp.module)
        and any(
            part.startswith("_") and not part.startswith("__") for part in imp.module.split(".")
        )
    ]


def test_private_apis_of_dependencies_live_in_compat_modules() -> None:
    found = [
        f"{m}:{imp.line} imports {imp.module}"
        for m, (s, p) in MODULES.items()
        if not m.endswith("_compat")
        for imp in private_imports(m, s, is_package=p)
    ]
    assert not found, "move these into the dependency's *_compat module:\n" + "\n".join(found)


def test_a_private_import_is_caught() -> None:
    found = private_imports("attestations.npm", "from sigstore._internal.sct import verify_sct")
    assert [i.module for i in found] == [
        "sigstore._internal.sct",
    ]
    assert private_imports("attestations.npm", "from sigstore.verify import Verifier") == []
