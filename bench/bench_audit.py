"""Matching 1,000 components against an offline OSV database of 50,000 records.

The records are the real and rule records under fixtures/osv, replicated with new ids and
package names to 50,000 (about ten records per package name, like the PyPI and npm parts of the
real dump). Figures: import time (streamed from an all.zip), then time per component for the
indexed lookup (by ecosystem and normalised name) and, as the baseline in the same run, a naive
full scan that parses and evaluates every record for each component (on a sample of components,
since it is slow; both give the same advisories for that sample).
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.audit.advisories import advisory_from_match, group_aliases  # noqa: E402
from scanner.audit.interface import Ecosystem, Package  # noqa: E402
from scanner.audit.osv_db import OfflineOsvSource, import_osv  # noqa: E402
from scanner.audit.osv_eval import UnorderableVersion, match_record  # noqa: E402
from scanner.audit.osv_record import MalformedRecord, parse_record  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "osv"
RECORDS = 50_000
COMPONENTS = 1_000
BASELINE_SAMPLE = 10
VERSIONS = {"PyPI": ["0.1.10", "1.0", "1.11.0", "2.30.0", "4.36.1"], "npm": ["1.0.0", "1.3.1"]}


def _templates() -> list[dict]:
    out = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        raw = json.loads(path.read_text())
        try:
            record = parse_record(raw, str(path))
        except MalformedRecord:
            continue
        if record.affected:
            out.append(raw)
    return out


def _dump(path: Path, templates: list[dict]) -> list[tuple[str, str]]:
    """Write the synthetic all.zip; return the (ecosystem, name) keys it covers."""
    names: set[tuple[str, str]] = set()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(RECORDS):
            raw = json.loads(json.dumps(templates[n % len(templates)]))
            suffix = f"s{n // (len(templates) * 10)}"  # ten replicas of each template per name
            raw["id"] = f"{raw['id']}-{n}"
            raw["aliases"] = [f"{a}-{n}" for a in raw.get("aliases", [])]
            for entry in raw["affected"]:
                if "package" in entry:
                    entry["package"]["name"] = f"{entry['package']['name']}-{suffix}"
                    names.add((entry["package"]["ecosystem"], entry["package"]["name"]))
            zf.writestr(f"{raw['id']}.json", json.dumps(raw))
    return sorted(names)


def _components(names: list[tuple[str, str]]) -> list[Package]:
    rng = random.Random(7)
    out = []
    for i in range(COMPONENTS):
        if i % 2:  # half the components have no record at all
            eco = rng.choice(["PyPI", "npm"])
            out.append(Package(Ecosystem(eco), f"unknown-package-{i}", "1.0.0"))
            continue
        eco, name = rng.choice(names)
        out.append(Package(Ecosystem(eco), name, rng.choice(VERSIONS[eco])))
    return out


def _naive(db: Path, package: Package) -> tuple[str, ...]:
    """Baseline: parse and evaluate every record in the database for one component."""
    found = []
    with sqlite3.connect(db) as conn:
        for (body,) in conn.execute("SELECT body FROM records WHERE withdrawn = 0"):
            try:
                match = match_record(parse_record(json.loads(body), "bench"), package)
            except (MalformedRecord, UnorderableVersion):
                continue
            if match is not None:
                found.append(advisory_from_match(match))
    return tuple(a.id for a in group_aliases(package, found))


def main() -> None:
    """Print the figures."""
    templates = _templates()
    with tempfile.TemporaryDirectory() as tmp:
        dump, db = Path(tmp) / "all.zip", Path(tmp) / "osv.db"
        names = _dump(dump, templates)
        t0 = time.perf_counter()
        report = import_osv(db, dump, now="2026-01-01T00:00:00Z")
        t_import = time.perf_counter() - t0
        print(f"templates: {len(templates)} real and rule records; dump: {report.read} records")
        print(
            f"import (streamed from all.zip, one transaction): {t_import:.2f} s "
            f"({report.read / t_import:,.0f} records/s), db {db.stat().st_size / 1e6:.1f} MB"
        )

        components = _components(names)
        source = OfflineOsvSource(db)
        source.audit(components[:10])  # warm the page cache and the parse caches
        t0 = time.perf_counter()
        results = source.audit(components)
        t_indexed = time.perf_counter() - t0
        hits = sum(1 for r in results if r.advisories)
        print(
            f"indexed: {COMPONENTS} components in {t_indexed:.3f} s = "
            f"{t_indexed / COMPONENTS * 1e3:.3f} ms/component ({hits} with advisories)"
        )

        sample = [c for c in components if not c.name.startswith("unknown")][:BASELINE_SAMPLE]
        t0 = time.perf_counter()
        naive = [_naive(db, c) for c in sample]
        t_naive = (time.perf_counter() - t0) / len(sample)
        by = {r.package: tuple(a.id for a in r.advisories) for r in results}
        same = all(by[c] == n for c, n in zip(sample, naive, strict=True))
        print(
            f"baseline (full scan per component, {len(sample)} sampled): "
            f"{t_naive * 1e3:.1f} ms/component; same advisories: {same}"
        )
        print(f"ratio: indexed is {t_naive / (t_indexed / COMPONENTS):,.0f}x faster per component")


if __name__ == "__main__":
    main()
