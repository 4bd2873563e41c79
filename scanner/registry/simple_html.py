"""PEP 503 HTML project pages, for indexes that do not offer the PEP 691 JSON form.

pypi-simple parses the page (links, ``data-yanked``, ``data-provenance``, hash fragments); the
result is put into PEP 691 shape and read by the same ``parse_simple`` as a JSON page, so both forms
give identical facts.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from scanner.registry.config import redact
from scanner.registry.http import RETRY_STATUSES, parse_retry_after
from scanner.registry.interface import FetchError, NotFound

# pypi_simple.ACCEPT_HTML_ONLY; spelt out so the JSON-only path never imports pypi-simple.
ACCEPT_HTML = "application/vnd.pypi.simple.v1+html, text/html;q=0.01"
HTML_TYPES = frozenset({"text/html", "application/vnd.pypi.simple.v1+html"})


def wants_html(exc: FetchError) -> bool:
    """True when a JSON request failed because the index serves only HTML (or refused JSON)."""
    return "'text/html'" in exc.problem or "v1+html" in exc.problem or "HTTP 406" in exc.problem


async def fetch_html_page(
    client: httpx.AsyncClient,
    url: str,
    name: str,
    *,
    limiter: asyncio.Semaphore | None = None,
    retries: int = 3,
    max_bytes: int = 5_000_000,
) -> dict[str, Any]:
    """GET a PEP 503 project page as the PEP 691 dict the JSON parser reads.

    Raises NotFound or FetchError. The caller parses (and binds the name) exactly as it parses
    a JSON page, so this module needs nothing from ``pypi.py``.
    """
    shown = redact(url)
    problem = "no attempt made"
    for attempt in range(retries + 1):
        try:
            if limiter is None:
                body, charset = await _get(client, url, shown, max_bytes)
            else:
                async with limiter:
                    body, charset = await _get(client, url, shown, max_bytes)
            return html_to_json(name, body, url, charset)
        except _Retry as exc:
            problem, wait = exc.args[0], exc.wait
        except httpx.TransportError as exc:
            problem, wait = f"connection failed: {type(exc).__name__}", None
        except (httpx.DecodingError, httpx.TooManyRedirects, httpx.InvalidURL) as exc:
            raise FetchError(shown, f"unusable answer: {type(exc).__name__}: {exc}") from exc
        if attempt < retries:
            await asyncio.sleep(
                min(wait if wait is not None else 0.5 * 2**attempt * random.random(), 30)
            )
    raise FetchError(shown, f"{problem} (gave up after {retries + 1} attempts)")


def html_to_json(name: str, body: bytes, url: str, charset: str | None = None) -> dict[str, Any]:
    """A PEP 503 page as the PEP 691 dict ``parse_simple`` reads. Never fetches."""
    from pypi_simple import ProjectPage, UnsupportedRepoVersionError

    try:
        page = ProjectPage.from_html(name, body, base_url=url, from_encoding=charset)
    except UnsupportedRepoVersionError as exc:
        raise FetchError(redact(url), f"unsupported repository version: {exc}") from exc
    files: list[dict[str, Any]] = []
    for pkg in page.packages:
        entry: dict[str, Any] = {"filename": pkg.filename, "url": pkg.url, "hashes": pkg.digests}
        entry["yanked"] = (pkg.yanked_reason or True) if pkg.is_yanked else False
        if pkg.provenance_url:
            entry["provenance"] = pkg.provenance_url
        files.append(entry)
    doc: dict[str, Any] = {"name": name, "files": files}
    if page.status is not None:
        doc["project-status"] = {"status": str(page.status.value)}
    return doc


class _Retry(Exception):
    def __init__(self, problem: str, wait: float | None) -> None:
        super().__init__(problem)
        self.wait = wait


async def _get(
    client: httpx.AsyncClient, url: str, shown: str, max_bytes: int
) -> tuple[bytes, str | None]:
    async with client.stream("GET", url, headers={"Accept": ACCEPT_HTML}) as response:
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status}", parse_retry_after(response.headers.get("retry-after")))
        if status in (404, 410):
            raise NotFound(f"{shown}: not found (HTTP {status})")
        if status != 200:
            raise FetchError(shown, f"unexpected HTTP {status}")
        media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in HTML_TYPES:
            raise FetchError(shown, f"answered content type {media or 'none'!r}, expected HTML")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(shown, f"body is over the {max_bytes}-byte limit; stopped reading")
            chunks.append(chunk)
        return b"".join(chunks), response.charset_encoding
