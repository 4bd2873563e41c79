"""Rebuild scanner/checks/data/popular_names.tsv: the names typosquats are checked against.

Inputs (all public data):
  --pypi FILE   a ranked PyPI list: hugovk top-pypi-packages JSON ({"rows": [{"project": ...}]})
                or a TSV with columns name and rank_among_15000_most_downloaded
  --npm FILE    a ranked npm list: a JSON array of names (e.g. DataDog guarddog
                top_npm_packages.json) or a TSV with columns name and downloads_a_month
  --mcp DIR     folders whose MCP configs / lockfiles / tool caches name real MCP packages
                (the package names are read by chainwatch's own inventory)

Rerun:  PYTHONPATH=$PWD python scripts/build_typosquat_list.py --pypi P --npm N --mcp fixtures
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "scanner" / "checks" / "data" / "popular_names.tsv"
csv.field_size_limit(sys.maxsize)


def _ranked(path: Path, rank_column: str, *, descending: bool) -> list[str]:
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        rows = data["rows"] if isinstance(data, dict) else data
        return [r["project"] if isinstance(r, dict) else str(r) for r in rows]
    ranked: list[tuple[float, str]] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            value = (row.get(rank_column) or "").strip()
            if value.replace(".", "", 1).isdigit():
                ranked.append((float(value), row["name"]))
    ranked.sort(key=lambda r: -r[0] if descending else r[0])
    return [name for _, name in ranked]


_NPX = re.compile(r"^(@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*$")


def fixture_names(folders: list[Path]) -> set[tuple[str, str]]:
    """(ecosystem, name) of every PyPI / npm component chainwatch's own inventory finds there."""
    from scanner.errors import ChainwatchError
    from scanner.inventory.build import InventoryOptions, build_inventory

    found: set[tuple[str, str]] = set()
    # A fixed, empty home: no real tool cache of this machine leaks into the list.
    options = InventoryOptions(home=Path("/nonexistent-home"), env={})
    for folder in folders:
        paths = [p for p in folder.rglob("*") if p.is_file()]
        for path in paths:
            try:
                inventory = build_inventory([path], options)
            except (ChainwatchError, OSError, ValueError):
                continue  # not an input chainwatch reads
            for agent in inventory.agents:
                for c in agent.components():
                    if c.ecosystem in {"pypi", "npm"}:
                        found.add((c.ecosystem, c.name.lower()))
    return found


def _mcp_names(folders: list[Path]) -> set[tuple[str, str]]:
    names = fixture_names(folders)
    return {(e, n) for e, n in names if "mcp" in n or n.startswith("@modelcontextprotocol/")}


def main() -> None:
    """Write the trimmed list: top PyPI and npm names plus the MCP package names found."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--pypi", type=Path, required=True)
    ap.add_argument("--npm", type=Path, required=True)
    ap.add_argument("--mcp", type=Path, action="append", default=[])
    ap.add_argument("--top", type=int, default=2000, help="names per ecosystem")
    ap.add_argument("--top-mcp", type=int, default=300, help="MCP names per ecosystem")
    args = ap.parse_args()
    rows: dict[tuple[str, str], str] = {}
    for name in _ranked(args.pypi, "rank_among_15000_most_downloaded", descending=False)[
        : args.top
    ]:
        rows.setdefault(("pypi", name.lower()), "downloads")
    npm = [n for n in _ranked(args.npm, "downloads_a_month", descending=True) if _NPX.match(n)]
    for name in npm[: args.top]:
        rows.setdefault(("npm", name.lower()), "downloads")
    # Known MCP packages: the most-used names mentioning MCP, beyond the overall top.
    pypi_all = _ranked(args.pypi, "rank_among_15000_most_downloaded", descending=False)
    for name in [n for n in pypi_all if "mcp" in n.lower()][: args.top_mcp]:
        rows.setdefault(("pypi", name.lower()), "mcp")
    for name in [n for n in npm if "mcp" in n.lower()][: args.top_mcp]:
        rows.setdefault(("npm", name.lower()), "mcp")
    for key in sorted(_mcp_names(args.mcp)):
        rows.setdefault(key, "mcp")
    lines = [f"{eco}\t{name}\t{src}" for (eco, name), src in sorted(rows.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} names -> {OUT}")


if __name__ == "__main__":
    main()
