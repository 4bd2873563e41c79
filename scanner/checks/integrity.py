"""Pure integrity checks: recorded digests (lockfile) against what the registry serves."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.models import Component, Digest
from scanner.registry.interface import FileFacts, ReleaseFacts


@dataclass(frozen=True, slots=True)
class DigestComparison:
    """Outcome of comparing recorded digests with the registry's."""

    checked: int  # recorded digests we could compare
    mismatches: tuple[str, ...]  # human descriptions, empty when all matched
    uncomparable: int  # recorded digests in an algorithm the registry does not give


def _registry_hex(file: FileFacts, algorithm: str) -> str | None:
    if algorithm == "sha256":
        return file.sha256
    if algorithm == "sha512":
        return file.sha512
    return None


def compare_digests(component: Component, release: ReleaseFacts) -> DigestComparison:
    """Compare every digest the component recorded with the registry's files.

    1. An artifact with a file name is compared with the registry file of that name; a name the
       registry does not list is a mismatch (a lockfile naming a file that was never published).
    2. An artifact without a file name (requirements ``--hash``, npm integrity) must equal the
       digest of *some* file of the release.
    3. Digests in algorithms the registry does not publish are counted, not passed.
    """
    by_name = {f.filename: f for f in release.files}
    checked = uncomparable = 0
    mismatches: list[str] = []
    for artifact in component.artifacts:
        for digest in artifact.digests:
            candidates = _candidates(artifact.filename, by_name, release)
            if candidates is None:
                checked += 1
                mismatches.append(
                    f"{artifact.filename}: not a file of {release.name} "
                    f"{release.version} on the registry"
                )
                continue
            known = [h for f in candidates if (h := _registry_hex(f, digest.algorithm))]
            if not known:
                uncomparable += 1
                continue
            checked += 1
            if digest.hex.lower() not in {h.lower() for h in known}:
                mismatches.append(_describe(artifact.filename, digest, known))
    return DigestComparison(checked, tuple(mismatches), uncomparable)


def _candidates(
    filename: str | None, by_name: dict[str, FileFacts], release: ReleaseFacts
) -> list[FileFacts] | None:
    if filename is None or release.ecosystem == "npm":
        return list(release.files)
    file = by_name.get(filename)
    return None if file is None else [file]


def _describe(filename: str | None, digest: Digest, known: list[str]) -> str:
    name = filename or "artifact"
    return (
        f"{name}: recorded {digest.algorithm} {digest.hex[:16]}... but the registry serves "
        f"{', '.join(k[:16] + '...' for k in known[:3])}"
    )
