"""Honest dependencies: every imported distribution is declared, every declared one is used."""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_import_rules import MODULES, PACKAGES, ROOT, imports_of

# Declared but never imported, each for a stated reason.
NOT_IMPORTED = {
    # httpcore imports sniffio on every request when present; absent, the failed import walks
    # sys.path each time (see the comment in pyproject.toml).
    "sniffio": "speeds up httpcore",
}


def declared(*, extras: bool = False) -> set[str]:
    """The runtime dependencies in pyproject.toml (and the optional extras but dev), by name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    if extras:  # e.g. fastapi and uvicorn: imported only by `chainwatch serve` (collector extra)
        lines += [
            r for name, rs in project["optional-dependencies"].items() if name != "dev" for r in rs
        ]
    return {canonicalize_name(Requirement(r).name) for r in lines}


def imported_top_levels() -> dict[str, str]:
    """Third-party top-level modules the packages import -> one module that imports it."""
    out: dict[str, str] = {}
    for module, (source, is_package) in MODULES.items():
        for imp in imports_of(module, source, is_package=is_package):
            top = imp.module.split(".")[0]
            if top and top not in PACKAGES and top not in sys.stdlib_module_names:
                out.setdefault(top, module)
    return out


def distributions_of(top: str) -> set[str]:
    """The installed distributions that provide a top-level module."""
    found = importlib.metadata.packages_distributions().get(top, [])
    return {canonicalize_name(d) for d in found}


def undeclared(deps: set[str]) -> list[str]:
    """Imported third-party modules whose distribution is not in ``deps``."""
    out = []
    for top, importer in sorted(imported_top_levels().items()):
        dists = distributions_of(top)
        assert dists, f"{importer} imports {top}, which no installed distribution provides"
        if not dists & deps:
            out.append(f"{top} (from {', '.join(sorted(dists))}; imported by {importer})")
    return out


def test_every_imported_package_is_declared() -> None:
    missing = undeclared(declared(extras=True))
    assert not missing, "add to [project] dependencies: " + "; ".join(missing)


def test_every_declared_package_is_imported() -> None:
    used = {d for top in imported_top_levels() for d in distributions_of(top)}
    unused = declared() - used - set(NOT_IMPORTED)
    assert not unused, f"declared but never imported: {sorted(unused)}"


def test_the_check_sees_a_missing_declaration() -> None:
    # attestations/sigbundle.py and scanner/tools/canonical.py import rfc8785: without its
    # line the check must name it (and one of its importers).
    missing = undeclared(declared(extras=True) - {"rfc8785"})
    assert len(missing) == 1
    assert missing[0] in {
        f"rfc8785 (from rfc8785; imported by {m})"
        for m in ("attestations.sigbundle", "scanner.tools.canonical")
    }


def test_an_extra_only_import_is_caught_without_its_extra() -> None:
    # scanner/collector imports fastapi and uvicorn, declared only in the collector extra;
    # scanner/store/postgres.py imports psycopg and psycopg_pool (the postgres extra).
    missing = undeclared(declared())
    assert {m.split(" ")[0] for m in missing} == {
        *("fastapi", "jsonschema_rs", "uvicorn"),
        *("psycopg", "psycopg_pool"),
    }
