"""Download an artifact and hash it on the fly: the only network read outside the registry APIs."""

from __future__ import annotations

import hashlib

import httpx

from scanner.registry.interface import FetchError, FileFacts

MAX_DOWNLOAD = 200 * 1024 * 1024


async def hash_artifact(
    client: httpx.AsyncClient, url: str, *, max_bytes: int = MAX_DOWNLOAD
) -> dict[str, str]:
    """The sha256 and sha512 hex digests of the file at ``url``; FetchError when it fails."""
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    size = 0
    try:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        url, f"download failed: artifact larger than {max_bytes} bytes"
                    )
                sha256.update(chunk)
                sha512.update(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(url, f"download failed: {exc}") from exc
    return {"sha256": sha256.hexdigest(), "sha512": sha512.hexdigest()}


async def download_digests(client: httpx.AsyncClient | None, file: FileFacts) -> dict[str, str]:
    """``file`` hashed as served through ``client`` (the artifact client, never the cached one)."""
    if client is None:
        raise FetchError("download", "no HTTP client to download artifacts with")
    return await hash_artifact(client, file.url)
