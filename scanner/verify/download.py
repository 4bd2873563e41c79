"""The download check: the files a component installs, hashed as served, against the registry."""

from __future__ import annotations

from scanner.registry.interface import FileFacts, Registry
from scanner.verify.outcome import MAX_FILES_VERIFIED


async def download_mismatch(registry: Registry, files: list[FileFacts]) -> str | None:
    """The first digest a downloaded file contradicts, else None. Raises FetchError."""
    for file in files[:MAX_FILES_VERIFIED]:
        got = await registry.download(file)
        for algo, want in (("sha256", file.sha256), ("sha512", file.sha512)):
            if want and got[algo] != want.lower():
                return (
                    f"{file.filename}: downloaded {algo} {got[algo][:16]}... differs "
                    f"from the registry's {want[:16]}..."
                )
    return None
