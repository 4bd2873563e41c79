"""A small on-disk HTTP cache as an httpx transport: revalidation by ETag / Last-Modified, offline.

hishel 2.0 was considered: its async storage needs ``anysqlite``, which is not a dependency, and an
offline mode has to answer stale entries without a request, which its RFC state machine does not.
This layer does only what chainwatch needs:

1. GET responses with status 200 are stored (unless ``Cache-Control: no-store``), keyed by URL and
   ``Accept``, as raw bytes plus a JSON header file, written atomically once the body was read to
   its end. A body the caller stops reading (e.g. over a size limit) is never stored.
2. An entry within its ``max-age`` is answered without a request; otherwise the request carries
   ``If-None-Match`` / ``If-Modified-Since`` and a 304 is answered from the entry.
3. Offline, any entry answers, however old; no entry raises ``OfflineMiss``.

Each answer carries ``response.extensions["chainwatch_cache"]``: "miss", "hit", "revalidated",
"offline".
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx

from scanner.registry.config import redact
from scanner.registry.interface import OfflineMiss

_DROP = {"transfer-encoding", "connection", "keep-alive", "set-cookie"}
_REFRESH = {"etag", "last-modified", "cache-control", "expires", "date", "age"}


@dataclass(frozen=True, slots=True)
class _Entry:
    status: int
    headers: list[tuple[str, str]]
    stored_at: float
    body: Path

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
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer from the cache, revalidate, or forward and store."""
        if request.method != "GET":
            if self._offline:
                raise OfflineMiss(redact(str(request.url)), "offline mode makes no requests")
            return await self._inner.handle_async_request(request)
        key = self._key(request)
        entry = self._load(key)
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
            entry = self._refresh(key, entry, response.headers)
            return self._answer(entry, "revalidated")
        if response.status_code != 200 or key is None or _no_store(response.headers):
            response.extensions = {**response.extensions, "chainwatch_cache": "miss"}
            return response
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROP]
        assert isinstance(response.stream, httpx.AsyncByteStream)
        stream = _TeeStream(response.stream, self._path(key), response.status_code, headers)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
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
        key = self._key_for(httpx.URL(url), accept)
        entry = self._load(key)
        if entry is None or not (self._offline or entry.fresh(time.time())):
            return None
        try:
            return entry.header("content-type"), entry.body.read_bytes()
        except OSError:
            return None

    def _key(self, request: httpx.Request) -> str | None:
        return self._key_for(request.url, request.headers.get("accept", ""))

    def _key_for(self, url: httpx.URL, accept: str) -> str | None:
        if self._dir is None:
            return None
        plain = str(url.copy_with(username=None, password=None))
        return hashlib.sha256(f"GET {plain}\n{accept}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self._dir is not None
        return self._dir / key[:2] / key

    def _load(self, key: str | None) -> _Entry | None:
        if key is None:
            return None
        base = self._path(key)
        try:
            meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
            body = base.with_suffix(".body")
            if not body.is_file():
                return None
            headers = [(str(k), str(v)) for k, v in meta["headers"]]
            return _Entry(int(meta["status"]), headers, float(meta["stored_at"]), body)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or damaged: treat as a miss, the next answer replaces it

    def _refresh(self, key: str | None, entry: _Entry, fresh: httpx.Headers) -> _Entry:
        updates = {k.lower(): v for k, v in fresh.items() if k.lower() in _REFRESH}
        headers = [(k, updates.pop(k.lower(), v)) for k, v in entry.headers]
        headers.extend(updates.items())
        updated = _Entry(entry.status, headers, time.time(), entry.body)
        if key is not None:
            _write_meta(self._path(key), updated.status, updated.headers, updated.stored_at)
        return updated

    @staticmethod
    def _answer(entry: _Entry, how: str) -> httpx.Response:
        return httpx.Response(
            entry.status,
            headers=entry.headers,
            content=entry.body.read_bytes(),
            extensions={"chainwatch_cache": how},
        )


class _TeeStream(httpx.AsyncByteStream):
    """Passes the body through and commits it to the cache only when read to its end."""

    def __init__(
        self, inner: httpx.AsyncByteStream, base: Path, status: int, headers: list[tuple[str, str]]
    ) -> None:
        self._inner = inner
        self._base = base
        self._status = status
        self._headers = headers
        self._tmp: str | None = None
        self._fh: BinaryIO | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._base.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=self._base.parent, suffix=".part")
        self._fh = os.fdopen(fd, "wb")
        async for chunk in self._inner:
            self._fh.write(chunk)
            yield chunk
        self._fh.close()
        os.replace(self._tmp, self._base.with_suffix(".body"))
        _write_meta(self._base, self._status, self._headers, time.time())
        self._tmp = None

    async def aclose(self) -> None:
        """Close the upstream body; drop a partly read body instead of storing it."""
        if self._fh is not None:
            self._fh.close()
        if self._tmp is not None and os.path.exists(self._tmp):
            os.unlink(self._tmp)
        self._tmp = None
        await self._inner.aclose()


def _write_meta(base: Path, status: int, headers: list[tuple[str, str]], stored_at: float) -> None:
    meta = {"status": status, "headers": headers, "stored_at": stored_at}
    fd, tmp = tempfile.mkstemp(dir=base.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    os.replace(tmp, base.with_suffix(".json"))


def _no_store(headers: httpx.Headers) -> bool:
    return "no-store" in headers.get("cache-control", "").lower()
