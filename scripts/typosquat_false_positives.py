"""Run the typosquat check over every real package name in the fixtures and print what it flags.

Names come from chainwatch's own inventory of every file under the folders given (configs,
lockfiles, tool caches), the recorded registry answers (fixtures/registry) and the packages named
by real OSV advisories (JSON ones). Every one of them is a real published name, so anything
flagged is a false positive, or a real name that does look like a popular one.

    PYTHONPATH=$PWD python scripts/typosquat_false_positives.py fixtures /work/shared/fixtures

With ``--ranked pypi=FILE`` / ``--ranked npm=FILE`` (the same ranked inputs the list is built
from) it also checks the next ``--beyond`` names below the list's cut-off: real, popular names
that are not on the list, the hardest honest case.
"""

from __future__ import annotations

import argparse
import json
import runpy
from pathlib import Path

from scanner.checks.typosquat import canonical, shipped_lists

_ECOSYSTEMS = {"PyPI": "pypi", "npm": "npm"}


def _osv_names(folder: Path) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for path in folder.rglob("*.json"):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if not isinstance(doc, dict) or str(doc.get("id", "")).startswith("CWTEST"):
            continue  # the project's own made-up rule tests, not real names
        for affected in doc.get("affected", []):
            pkg = affected.get("package", {}) if isinstance(affected, dict) else {}
            eco = _ECOSYSTEMS.get(pkg.get("ecosystem", ""))
            if eco and isinstance(pkg.get("name"), str):
                out.add((eco, pkg["name"]))
    return out


def _registry_names(folder: Path) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for path in (folder / "registry" / "pypi" / "simple").glob("*.json"):
        out.add(("pypi", path.stem))
    for path in (folder / "registry" / "npm").rglob("*.json"):
        rel = path.relative_to(folder / "registry" / "npm")
        if rel.parts[0] != "-":
            out.add(("npm", str(rel.with_suffix(""))))
    return out


def main() -> None:
    """Print every flagged name with its target and technique, then the counts."""
    build = runpy.run_path(str(Path(__file__).with_name("build_typosquat_list.py")))
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--ranked", action="append", default=[], help="ECOSYSTEM=FILE")
    ap.add_argument("--top", type=int, default=2000, help="the list's cut-off per ecosystem")
    ap.add_argument("--beyond", type=int, default=5000, help="names checked below the cut-off")
    args = ap.parse_args()
    names: set[tuple[str, str]] = set(build["fixture_names"](args.folders))
    for folder in args.folders:
        names |= _osv_names(folder) | _registry_names(folder)
    for spec in args.ranked:
        eco, _, path = spec.partition("=")
        column, descending = (
            ("downloads_a_month", True)
            if eco == "npm"
            else ("rank_among_15000_most_downloaded", False)
        )
        ranked = build["_ranked"](Path(path), column, descending=descending)
        names |= {(eco, n) for n in ranked[args.top : args.top + args.beyond]}
    lists = shipped_lists()
    unique = {(eco, canonical(eco, n)) for eco, n in names}
    flagged = []
    for eco, name in sorted(unique):
        squat = lists[eco].check(name)
        if squat is not None:
            flagged.append((eco, name, squat.target, squat.technique, squat.distance))
    listed = sum(1 for eco, n in unique if n in lists[eco].names)
    for row in flagged:
        print("\t".join(str(x) for x in row))
    print(f"{len(unique)} real names ({listed} on the list), {len(flagged)} flagged")


if __name__ == "__main__":
    main()
