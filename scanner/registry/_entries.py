"""The HTTP cache's entries on disk, read without httpx (``cache.py`` is the transport).

An entry is ``<dir>/<key[:2]>/<key>.body`` (the decoded body) plus ``<key>.json``, its header
file: status, URL, ``Accept``, headers, when it was stored, the body's sha256 and size. The
warm-verdict check (``scanner.verify.warm``) reads entries here the same way the transport does,
so both agree on what the cache would serve; it also records the files' stamps (``stamp``) to
know later, without reading them, that they are still the files it hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Entry:
    """One intact cache entry."""

    status: int
    headers: list[tuple[str, str]]
    stored_at: float
    body: bytes
    sha256: str

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (lower case), or None."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def fresh(self, now: float) -> bool:
        """Within its ``max-age`` at ``now`` (seconds since the epoch)."""
        return fresh_at(self.stored_at, self.max_age(), now)

    def max_age(self) -> int | None:
        """Its ``max-age`` in seconds; None when it is never fresh (none, no-cache, no-store)."""
        directives = [d.strip().lower() for d in (self.header("cache-control") or "").split(",")]
        if "no-cache" in directives or "no-store" in directives:
            return None
        for directive in directives:
            if directive.startswith("max-age="):
                try:
                    return int(directive.split("=", 1)[1])
                except ValueError:
                    return None
        return None


def fresh_at(stored_at: float, max_age: int | None, now: float) -> bool:
    """Whether an entry stored at ``stored_at`` with ``max_age`` is fresh at ``now``."""
    return max_age is not None and now - stored_at < max_age


class Damaged(Exception):
    """The entry's files exist but are unreadable, or do not answer the question asked."""


def entry_base(cache_dir: Path, key: str) -> Path:
    """Where the entry ``key`` lives (without suffix)."""
    return cache_dir / key[:2] / key


def read_entry(base: Path | str, url: str, accept: str) -> Entry | None:
    """The intact entry at ``base`` answering GET ``url`` with ``accept``; None when absent.

    Raises Damaged when its files are unreadable, malformed, for another question, or the body
    no longer has the recorded sha256.
    """
    read = read_stamped(base, url, accept)
    return None if read is None else read[0]


def read_stamped(base: Path | str, url: str, accept: str) -> tuple[Entry, Stamp, int] | None:
    """``read_entry``, with the files' ``stamp`` as opened (before reading) and its newest time.

    A writer that changes a file after its stamp was taken changes its ctime (and inode, when it
    renames a new file into place), so a later stamp differs unless the change came within the
    file system's timestamp granularity: the caller handles that window (``warm.py``).
    """
    stem = os.fspath(base)  # plain strings and open(): a warm check reads thousands of these
    try:
        with open(stem + ".json", "rb") as fh:
            head = os.fstat(fh.fileno())
            meta = json.loads(fh.read().decode("utf-8"))
        with open(stem + ".body", "rb") as fh:
            tail = os.fstat(fh.fileno())
            body = fh.read()
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Damaged(str(base)) from exc
    entry = check_entry(meta, body, url, accept)
    if entry is None:
        raise Damaged(str(base))
    times = (head.st_mtime_ns, head.st_ctime_ns, tail.st_mtime_ns, tail.st_ctime_ns)
    return entry, stamp(head, tail), max(times)


def entry_stamp(base: str) -> Stamp | None:
    """The ``stamp`` of the entry's files now (two ``stat`` calls); None when one is missing."""
    try:
        return stamp(os.stat(base + ".json"), os.stat(base + ".body"))
    except OSError:
        return None


# (st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns) of an entry's .json, then of its .body.
Stamp = tuple[int, int, int, int, int, int, int, int, int, int]


def stamp(head: os.stat_result, tail: os.stat_result) -> Stamp:
    """The identity of an entry's .json and .body: device, inode, size, mtime and ctime (ns)."""
    return (
        head.st_dev,
        head.st_ino,
        head.st_size,
        head.st_mtime_ns,
        head.st_ctime_ns,
        tail.st_dev,
        tail.st_ino,
        tail.st_size,
        tail.st_mtime_ns,
        tail.st_ctime_ns,
    )


def check_entry(meta: Any, body: bytes, url: str, accept: str) -> Entry | None:
    """The entry if its header file is well formed, answers this question and matches its body."""
    if not isinstance(meta, dict):
        return None
    if meta.get("url") != url or meta.get("accept") != accept:
        return None
    sha256 = hashlib.sha256(body).hexdigest()
    if meta.get("size") != len(body) or meta.get("sha256") != sha256:
        return None
    try:
        headers = [(str(k), str(v)) for k, v in meta["headers"]]
        return Entry(int(meta["status"]), headers, float(meta["stored_at"]), body, sha256)
    except (KeyError, TypeError, ValueError):
        return None


def entry_meta(
    status: int,
    url: str,
    accept: str,
    headers: list[tuple[str, str]],
    body: bytes,
    stored_at: float,
) -> dict[str, Any]:
    """The header file of an entry."""
    return {
        "status": status,
        "url": url,
        "accept": accept,
        "headers": headers,
        "stored_at": stored_at,
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
    }


__all__ = [
    "Damaged",
    "Entry",
    "Stamp",
    "check_entry",
    "entry_base",
    "entry_meta",
    "entry_stamp",
    "fresh_at",
    "read_entry",
    "read_stamped",
    "stamp",
]
