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
"offline". Every answer served or stored is recorded for ``scanner.registry.answers``; one the
cache does not hold afterwards spoils the record.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import httpx

from scanner.registry._cachewrite import ENCODINGS, TeeStream, write_json
from scanner.registry._entries import Damaged, Entry, entry_base, entry_meta, read_entry
from scanner.registry.answers import Answer, record, recording_now, spoil
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
            spoil()
            if self._offline:
                raise OfflineMiss(redact(str(request.url)), "offline mode makes no requests")
            return await self._inner.handle_async_request(request)
        accept = request.headers.get("accept", "")
        key = self._key_for(request.url, accept)
        entry = self._load(key, request.url, accept)
        if self._offline:
            if entry is None:
                spoil()
                raise OfflineMiss(
                    redact(str(request.url)), "not in the cache, and --offline forbids fetching"
                )
            return self._answer(key, request.url, accept, entry, "offline")
        if entry is not None and entry.fresh(time.time()):
            return self._answer(key, request.url, accept, entry, "hit")
        if entry is not None:
            if etag := entry.header("etag"):
                request.headers["If-None-Match"] = etag
            if modified := entry.header("last-modified"):
                request.headers["If-Modified-Since"] = modified
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            spoil()
            raise
        if response.status_code == 304 and entry is not None:
            await response.aclose()
            entry = self._refresh(key, request.url, accept, entry, response.headers)
            return self._answer(key, request.url, accept, entry, "revalidated")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if (
            response.status_code != 200
            or key is None
            or not self._writable
            or _no_store(response.headers)
            or encoding not in ENCODINGS
        ):
            spoil()  # an answer the cache does not keep: what it said is not reproducible
            response.extensions = {**response.extensions, "chainwatch_cache": "miss"}
            return response
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROP]
        assert isinstance(response.stream, httpx.AsyncByteStream)
        plain = _plain(request.url)
        meta = {"status": response.status_code, "url": plain, "accept": accept}
        stored = key
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)

        def on_commit(sha256: str | None) -> None:
            # Runs where the body is read, so it records for the work that reads it.
            if sha256 is None:
                spoil()
            else:
                record(Answer(stored, plain, accept, sha256, content_type))

        stream = TeeStream(
            response.stream,
            self.write_failed,
            self._path(key),
            meta,
            headers,
            encoding,
            on_commit=on_commit if recording_now() else None,
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
        key = self._key_for(parsed, accept)
        entry = self._load(key, parsed, accept)
        if entry is None or not (self._offline or entry.fresh(time.time())):
            return None
        self._note(key, parsed, accept, entry)
        return entry.header("content-type"), entry.body

    def _key_for(self, url: httpx.URL, accept: str) -> str | None:
        if self._dir is None:
            return None
        return hashlib.sha256(f"GET {_plain(url)}\n{accept}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self._dir is not None
        return entry_base(self._dir, key)

    def _load(self, key: str | None, url: httpx.URL, accept: str) -> Entry | None:
        if key is None:
            return None
        base = self._path(key)
        try:
            return read_entry(base, _plain(url), accept)
        except Damaged:
            self._discard(base)  # damaged or not this question's answer: fetch it whole
            return None

    @staticmethod
    def _note(key: str | None, url: httpx.URL, accept: str, entry: Entry) -> None:
        if key is None:
            spoil()
        else:
            record(Answer(key, _plain(url), accept, entry.sha256, entry.header("content-type")))

    def _discard(self, base: Path) -> None:
        for suffix in (".json", ".body"):
            try:
                base.with_suffix(suffix).unlink(missing_ok=True)
            except OSError:
                pass  # a read-only cache: the entry keeps failing its check and is never used

    def _refresh(
        self, key: str | None, url: httpx.URL, accept: str, entry: Entry, fresh: httpx.Headers
    ) -> Entry:
        updates = {k.lower(): v for k, v in fresh.items() if k.lower() in _REFRESH}
        headers = [(k, updates.pop(k.lower(), v)) for k, v in entry.headers]
        headers.extend(updates.items())
        updated = Entry(entry.status, headers, time.time(), entry.body, entry.sha256)
        if key is not None and self._writable:
            meta = entry_meta(
                entry.status, _plain(url), accept, headers, entry.body, updated.stored_at
            )
            try:
                write_json(self._path(key), meta)
            except OSError as exc:
                self.write_failed(exc)
        return updated

    def _answer(
        self, key: str | None, url: httpx.URL, accept: str, entry: Entry, how: str
    ) -> httpx.Response:
        self._note(key, url, accept, entry)
        return httpx.Response(
            entry.status,
            headers=entry.headers,
            content=entry.body,
            extensions={"chainwatch_cache": how},
        )


def _plain(url: httpx.URL) -> str:
    """The URL without credentials: what keys and header files name."""
    return str(url.copy_with(username=None, password=None))


def _no_store(headers: httpx.Headers) -> bool:
    return "no-store" in headers.get("cache-control", "").lower()
