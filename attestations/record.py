"""Check installed distributions against their RECORD files (``path,sha256=<urlsafe b64>,size``).

What counts, following the wheel spec and the "recording installed projects" spec:

1. Every RECORD line with a hash must name an existing file with that sha256 and, when given, that
   size.
2. A line without a hash is accepted only for RECORD itself (and its signatures), ``.pyc`` files
   and the installer's own files (INSTALLER, REQUESTED); any other unhashed line is reported (it
   cannot be checked).
3. Files not listed in RECORD are reported when they sit in a directory that holds listed files
   (the distribution's package directories and its ``.dist-info``), or in a subdirectory of one
   that no other distribution in the environment claims. ``__pycache__/<module>.<tag>.pyc`` next to
   a listed ``<module>.py`` is accepted unlisted, since the interpreter writes those. Known gap:
   such a ``.pyc`` is never hashed.
4. A ``.dist-info`` without a RECORD is itself a problem: nothing can be checked, so nothing
   passes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from attestations.digests import hash_file, record_hash

_UNHASHED_OK = {"RECORD", "RECORD.jws", "RECORD.p7s", "INSTALLER", "REQUESTED"}


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One finding about one path.

    ``kind`` is hash-mismatch, size-mismatch, missing, unlisted, unhashed,
    malformed or no-record."""

    kind: str
    path: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RecordReport:
    """The outcome for one installed distribution."""

    dist_info: str
    name: str
    checked: int
    problems: tuple[RecordProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """True only when files were checked and nothing was wrong."""
        return self.checked > 0 and not self.problems


def verify_record(dist_info: Path) -> RecordReport:
    """Check one ``.dist-info`` directory's files against its RECORD."""
    return _verify(dist_info, claimed_elsewhere=frozenset())


def verify_environment(site_packages: Path) -> list[RecordReport]:
    """Check every distribution installed in ``site_packages``."""
    dist_infos = sorted(p for p in site_packages.glob("*.dist-info") if p.is_dir())
    listings = {d: _listed_paths(d) for d in dist_infos}
    reports = []
    for dist_info in dist_infos:
        others = frozenset(
            path for other, paths in listings.items() if other != dist_info for path in paths
        )
        reports.append(_verify(dist_info, claimed_elsewhere=others))
    return reports


def _verify(dist_info: Path, *, claimed_elsewhere: frozenset[Path]) -> RecordReport:
    root = dist_info.parent.resolve()
    name = dist_info.name.removesuffix(".dist-info")
    record = dist_info / "RECORD"
    try:
        text = record.read_text(encoding="utf-8")
    except OSError as exc:
        problem = RecordProblem("no-record", str(record), exc.strerror or str(exc))
        return RecordReport(str(dist_info), name, 0, (problem,))

    problems: list[RecordProblem] = []
    listed: set[Path] = set()
    checked = 0
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row:
            continue
        if len(row) != 3:
            problems.append(RecordProblem("malformed", f"RECORD:{number}", f"{len(row)} fields"))
            continue
        rel, hash_field, size_field = row
        path = (root / rel).resolve()
        listed.add(path)
        if not hash_field:
            if path.name not in _UNHASHED_OK and path.suffix != ".pyc":
                problems.append(RecordProblem("unhashed", rel, "listed without a hash"))
            continue
        algorithm, _, expected = hash_field.partition("=")
        if algorithm != "sha256" or not expected:
            problems.append(RecordProblem("malformed", rel, f"hash {hash_field!r}"))
            continue
        if not path.is_file():
            problems.append(RecordProblem("missing", rel))
            continue
        checked += 1
        actual = record_hash(hash_file(path)["sha256"])
        if actual != expected:
            problems.append(
                RecordProblem("hash-mismatch", rel, f"RECORD {expected}, file {actual}")
            )
        elif size_field and size_field.isdigit() and int(size_field) != path.stat().st_size:
            problems.append(
                RecordProblem(
                    "size-mismatch", rel, f"RECORD {size_field}, file {path.stat().st_size}"
                )
            )
    problems.extend(
        RecordProblem("unlisted", path.relative_to(root).as_posix())
        for path in _unlisted(root, listed, claimed_elsewhere)
    )
    return RecordReport(str(dist_info), name, checked, tuple(problems))


def _unlisted(root: Path, listed: set[Path], claimed: frozenset[Path]) -> Iterable[Path]:
    known = listed | claimed
    owned_dirs = {p.parent for p in listed if p.parent != root and root in p.parents}
    for directory in sorted(owned_dirs):
        if not directory.is_dir():
            continue
        for child in sorted(directory.iterdir()):
            if child.is_dir():
                if child in owned_dirs:
                    continue
                for path in sorted(p for p in child.rglob("*") if p.is_file()):
                    if path not in known and not _interpreter_cache(path, listed):
                        yield path
            elif child not in known:
                yield child


def _interpreter_cache(path: Path, listed: set[Path]) -> bool:
    if path.suffix != ".pyc" or path.parent.name != "__pycache__":
        return False
    module = path.name.split(".", 1)[0]
    return path.parent.parent / f"{module}.py" in listed


def _listed_paths(dist_info: Path) -> set[Path]:
    root = dist_info.parent.resolve()
    try:
        rows = csv.reader(io.StringIO((dist_info / "RECORD").read_text(encoding="utf-8")))
    except OSError:
        return set()
    return {(root / row[0]).resolve() for row in rows if row}
