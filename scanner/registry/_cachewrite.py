"""The cache's write path: a body stream that decodes, passes on and stores what it reads.

Kept apart from ``cache.py`` (the read path and the transport) to keep both small.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, BinaryIO

import httpx

_DECODED_PIECE = 1 << 20  # inflate at most this much per step, whatever one chunk expands to
ENCODINGS = ("identity", "gzip", "x-gzip", "deflate")  # what is decoded and stored


class TeeStream(httpx.AsyncByteStream):
    """Decodes the body, passes it on, and stores it only when it was read to its end."""

    def __init__(
        self,
        inner: httpx.AsyncByteStream,
        on_error: Callable[[OSError], None],
        base: Path,
        meta: dict[str, Any],
        headers: list[tuple[str, str]],
        encoding: str,
        *,
        on_commit: Callable[[str | None], None] | None = None,
    ) -> None:
        self._inner = inner
        # Told the stored body's sha256 once it is stored, or None when it will not be.
        self._on_commit = on_commit
        self._on_error = on_error
        self._base = base
        self._meta = meta
        self._headers = headers
        self._decoder = _decoder(encoding)
        self._tmp: str | None = None
        self._fh: BinaryIO | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._open()
        digest = hashlib.sha256()
        size = 0
        async for raw in self._inner:
            for piece in self._decode(raw):
                digest.update(piece)
                size += len(piece)
                self._write(piece)
                yield piece
        for piece in self._flush():
            digest.update(piece)
            size += len(piece)
            self._write(piece)
            yield piece
        self._commit(digest.hexdigest(), size)

    def _decode(self, raw: bytes) -> list[bytes]:
        if self._decoder is None:
            return [raw] if raw else []
        pieces = []
        data = raw
        try:
            while data:
                piece = self._decoder.decompress(data, _DECODED_PIECE)
                data = self._decoder.unconsumed_tail
                if piece:
                    pieces.append(piece)
        except zlib.error as exc:
            raise httpx.DecodingError(f"corrupt compressed body: {exc}") from exc
        return pieces

    def _flush(self) -> list[bytes]:
        if self._decoder is None:
            return []
        try:
            tail = self._decoder.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(f"corrupt compressed body: {exc}") from exc
        if not self._decoder.eof:
            raise httpx.DecodingError("compressed body ends early")
        return [tail] if tail else []

    def _open(self) -> None:
        try:
            self._base.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(dir=self._base.parent, suffix=".part")
            self._fh = os.fdopen(fd, "wb")
        except OSError as exc:
            self._give_up(exc)

    def _write(self, piece: bytes) -> None:
        if self._fh is None:
            return
        try:
            self._fh.write(piece)
        except OSError as exc:
            self._give_up(exc)

    def _commit(self, sha256: str, size: int) -> None:
        if self._fh is None or self._tmp is None:
            return
        try:
            self._fh.close()
            self._fh = None
            os.replace(self._tmp, self._base.with_suffix(".body"))
            self._tmp = None
            meta = {**self._meta, "headers": self._headers, "stored_at": time.time()}
            write_json(self._base, {**meta, "sha256": sha256, "size": size})
        except OSError as exc:
            self._give_up(exc)
            return
        self._told(sha256)

    def _told(self, sha256: str | None) -> None:
        if self._on_commit is not None:
            self._on_commit(sha256)
            self._on_commit = None

    def _give_up(self, exc: OSError) -> None:
        self._drop()
        self._told(None)
        self._on_error(exc)

    def _drop(self) -> None:
        if self._fh is not None:
            try:
                self._fh.close()
            except OSError:
                pass  # closing flushes; on a full disk that fails too, and the file goes anyway
            self._fh = None
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None

    async def aclose(self) -> None:
        """Close the upstream body; drop a partly read body instead of storing it."""
        self._drop()
        self._told(None)  # no-op once the body was stored
        await self._inner.aclose()


def _decoder(encoding: str) -> Any:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def write_json(base: Path, meta: dict[str, Any]) -> None:
    """Write an entry's header file atomically; OSError when the folder cannot take it."""
    fd, tmp = tempfile.mkstemp(dir=base.parent, suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(meta, fh)
        os.replace(tmp, base.with_suffix(".json"))
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


__all__ = ["ENCODINGS", "TeeStream", "write_json"]
