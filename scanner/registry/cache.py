"""A small on-disk HTTP cache as an httpx transport: revalidation by ETag / Last-Modified, offline.

hishel 2.0 was considered: its async storage needs ``anysqlite``, which is not a dependency, and an
offline mode has to answer stale entries without a request, which its RFC state machine does not.
This layer does only what chainwatch needs:

1. GET responses with status 200 are stored (unless ``Cache-Control: no-store``), keyed by URL and
   ``Accept``, as the decoded body plus a JSON header file that names the URL, ``Accept`` and the
   body's sha256 and size, written atomically once the body was read to its end. A gzip or deflate
   answer is stored decoded; another encoding is not stored. A body the caller stops reading (e.g.
   over a size limit) is never stored.
2. An entry is used only when its header file names the URL and ``Accept`` asked for and its body
   still has the recorded sha256; otherwise it is deleted and the answer fetched whole (never
   revalidated, so a damaged body is never re-served after a 304).
3. An entry within its ``max-age`` is answered without a request; otherwise the request carries
   ``If-None-Match`` / ``If-Modified-Since`` and a 304 is answered from the entry.
4. Offline, any intact entry answers, however old; no entry raises ``OfflineMiss``.
5. When the cache folder cannot be written (a full disk, no permission) the cache logs one warning
   and stops storing for the rest of the run; answers still come from the registry.

Each answer carries ``response.extensions["chainwatch_cache"]``: "miss", "hit", "revalidated",
"offline".
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from scanner.registry._cachewrite import ENCODINGS, TeeStream, write_json
from scanner.registry.config import redact
from scanner.registry.interface import OfflineMiss

LOG = logging.getLogger("chainwatch.cache")
_DROP = {
    "transfer-encoding",
    "connection",
    "keep-alive",
    "set-cookie",
    "content-encoding",
    "content-length",
}
_REFRESH = {"etag", "last-modified", "cache-control", "expires", "date", "age"}


@dataclass(frozen=True, slots=True)
class _Entry:
    status: int
    headers: list[tuple[str, str]]
    stored_at: float
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def fresh(self, now: float) -> bool:
        directives = [d.strip().lower() for d in (self.header("cache-control") or "").split(",")]
        if "no-cache" in directives or "no-store" in directives:
            return False
        for directive in directives:
            if directive.startswith("max-age="):
                try:
                    return now - self.stored_at < int(directive.split("=", 1)[1])
                except ValueError:
                    return False
        return False


class CacheTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with the on-disk cache described in the module docstring."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, cache_dir: Path | None, *, offline: bool = False
    ) -> None:
        self._inner = inner
        self._dir = cache_dir
        self._offline = offline
        self._writable = cache_dir is not None
        if cache_dir is not None:
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.write_failed(exc)

    def write_failed(self, exc: OSError) -> None:
        """Stop storing answers for the rest of the run, with one warning."""
        if self._writable:
            LOG.warning(
                "the HTTP cache in %s cannot be written (%s); continuing without storing answers",
                self._dir,
                exc.strerror or exc,
            )
        self._writable = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer from the cache, revalidate, or forward and store."""
        if request.method != "GET":
            if self._offline:
                raise OfflineMiss(redact(str(request.url)), "offline mode makes no requests")
            return await self._inner.handle_async_request(request)
        accept = request.headers.get("accept", "")
        key = self._key_for(request.url, accept)
        entry = self._load(key, request.url, accept)
        if self._offline:
            if entry is None:
                raise OfflineMiss(
                    redact(str(request.url)), "not in the cache, and --offline forbids fetching"
                )
            return self._answer(entry, "offline")
        if entry is not None and entry.fresh(time.time()):
            return self._answer(entry, "hit")
        if entry is not None:
            if etag := entry.header("etag"):
                request.headers["If-None-Match"] = etag
            if modified := entry.header("last-modified"):
                request.headers["If-Modified-Since"] = modified
        response = await self._inner.handle_async_request(request)
        if response.status_code == 304 and entry is not None:
            await response.aclose()
            entry = self._refresh(key, request.url, accept, entry, response.headers)
            return self._answer(entry, "revalidated")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if (
            response.status_code != 200
            or key is None
            or not self._writable
            or _no_store(response.headers)
            or encoding not in ENCODINGS
        ):
            response.extensions = {**response.extensions, "chainwatch_cache": "miss"}
            return response
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROP]
        assert isinstance(response.stream, httpx.AsyncByteStream)
        meta = {"status": response.status_code, "url": _plain(request.url), "accept": accept}
        stream = TeeStream(
            response.stream, self.write_failed, self._path(key), meta, headers, encoding
        )
        # The stream yields the decoded body, so the response no longer claims an encoding.
        return httpx.Response(
            response.status_code,
            headers=headers,
            stream=stream,
            extensions={**response.extensions, "chainwatch_cache": "miss"},
        )

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()

    def cached_answer(self, url: str, accept: str) -> tuple[str | None, bytes] | None:
        """(content type, body) of an entry that may answer without a request, else None.

        The fast path of ``fetch_json``: a fresh entry (or any entry, offline) is read here
        without building an httpx request and response, which a no-change rescan would otherwise
        pay for every URL.
        """
        parsed = httpx.URL(url)
        entry = self._load(self._key_for(parsed, accept), parsed, accept)
        if entry is None or not (self._offline or entry.fresh(time.time())):
            return None
        return entry.header("content-type"), entry.body

    def _key_for(self, url: httpx.URL, accept: str) -> str | None:
        if self._dir is None:
            return None
        return hashlib.sha256(f"GET {_plain(url)}\n{accept}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self._dir is not None
        return self._dir / key[:2] / key

    def _load(self, key: str | None, url: httpx.URL, accept: str) -> _Entry | None:
        if key is None:
            return None
        base = self._path(key)
        try:
            meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
            body = base.with_suffix(".body").read_bytes()
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            self._discard(base)
            return None
        entry = _check_entry(meta, body, _plain(url), accept)
        if entry is None:
            self._discard(base)  # damaged or not this question's answer: fetch it whole
        return entry

    def _discard(self, base: Path) -> None:
        for suffix in (".json", ".body"):
            try:
                base.with_suffix(suffix).unlink(missing_ok=True)
            except OSError:
                pass  # a read-only cache: the entry keeps failing its check and is never used

    def _refresh(
        self, key: str | None, url: httpx.URL, accept: str, entry: _Entry, fresh: httpx.Headers
    ) -> _Entry:
        updates = {k.lower(): v for k, v in fresh.items() if k.lower() in _REFRESH}
        headers = [(k, updates.pop(k.lower(), v)) for k, v in entry.headers]
        headers.extend(updates.items())
        updated = _Entry(entry.status, headers, time.time(), entry.body)
        if key is not None and self._writable:
            meta = _meta(entry.status, _plain(url), accept, headers, entry.body, updated.stored_at)
            try:
                write_json(self._path(key), meta)
            except OSError as exc:
                self.write_failed(exc)
        return updated

    @staticmethod
    def _answer(entry: _Entry, how: str) -> httpx.Response:
        return httpx.Response(
            entry.status,
            headers=entry.headers,
            content=entry.body,
            extensions={"chainwatch_cache": how},
        )


def _check_entry(meta: Any, body: bytes, url: str, accept: str) -> _Entry | None:
    """The entry if its header file is well formed, answers this question and matches its body."""
    if not isinstance(meta, dict):
        return None
    if meta.get("url") != url or meta.get("accept") != accept:
        return None
    if meta.get("size") != len(body) or meta.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    try:
        headers = [(str(k), str(v)) for k, v in meta["headers"]]
        return _Entry(int(meta["status"]), headers, float(meta["stored_at"]), body)
    except (KeyError, TypeError, ValueError):
        return None


def _meta(
    status: int,
    url: str,
    accept: str,
    headers: list[tuple[str, str]],
    body: bytes,
    stored_at: float,
) -> dict[str, Any]:
    return {
        "status": status,
        "url": url,
        "accept": accept,
        "headers": headers,
        "stored_at": stored_at,
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
    }


def _plain(url: httpx.URL) -> str:
    """The URL without credentials: what keys and header files name."""
    return str(url.copy_with(username=None, password=None))


def _no_store(headers: httpx.Headers) -> bool:
    return "no-store" in headers.get("cache-control", "").lower()
