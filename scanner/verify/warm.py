"""Warm verdicts: an earlier run's verdict, reused only while everything it rests on is unchanged.

A verdict is a function of the component (every field, lockfile digests and identity pins
included), the registry settings, the registry answers it was built from, the trust root and the
code. A warm verdict is keyed by all of them and used only when:

1. its row's HMAC checks under the cache key kept outside the cache folder (as the attestation
   cache's rows do), so an edited or forged row is a miss, never a belief;
2. its id matches: an HMAC of the run's context (chainwatch version, the code's own files, the
   trust root's sha256), the component as read this run and the registry settings it gets;
3. every registry answer it rests on (``scanner.registry.answers``) is still in the HTTP cache
   with the same body sha256 and content type, and would be served without a request (offline:
   any intact entry; online: a fresh one), exactly as the cache transport would serve it;
4. the trust root still passes its checks at the scan's clock (``scan.py`` judges that first).

Anything else is a miss: the component is verified in full and its new verdict kept. Verdicts
that depended on the network (fetch-failed, a 404, an answer the cache did not keep) are never
kept. Where the file cannot be used the cache logs one warning and the scan goes on without it.

Step 3 without reading every body (a stat tier, as git's index has): hashing the ~1,000 cached
pages a fleet rests on costs more than the rest of the lookup. So each answer in a row may carry
the stamp of its entry's two files (``.json`` and ``.body``: device, inode, size, mtime and
ctime, in nanoseconds) taken, on the open files, when they were read and their body's sha256
matched the answer's, with the header's ``stored_at`` and ``max-age`` (what online freshness
needs). When both files' ``stat`` equals the stamp, they are the files that were hashed, so the
answer holds without reading them; any difference reads and hashes the entry in full as before
(a miss only if that differs), and a row that still holds gets the new stamp. Why it is safe:

- The stamp is inside the row the HMAC covers: it cannot be forged or moved to other files.
- Changing a file's bytes sets its ctime to the kernel's clock, and ctime cannot be set from
  user space (``touch``/``os.utime`` set mtime and atime, and set ctime to now); a file put in
  place by rename or copy has another inode or ctime. So an edit that keeps the size and puts
  the old mtime back still changes the stamp.
- Racy stamps (git's "racily clean" entries): a change in the same timestamp tick as the stamp
  leaves ``stat`` unchanged. A stamp is therefore kept only when every mtime and ctime in it is
  older than the moment the reading began by more than ``_RACY_NS`` (2 s, coarser than any
  local file system's granularity); a younger one is not kept, so those files are read in full
  until a later run stamps them. Entries written by a cold run are stamped by the next run.
- Only where ctime means change time (POSIX). On Windows it is the creation time, which user
  space can set, so there every answer is read and hashed.

What it does not defend against: a user able to change the kernel clock or write the raw block
device, who could as well replace the code. Wall-clock time (not the scan's injected clock) is
used here because it is what file timestamps are measured in.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import json
import marshal
import os
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attestations.cache import open_cache_db, remove_cache_files
from scanner import __version__
from scanner.models import Component, Finding
from scanner.registry._entries import Damaged, Stamp, entry_stamp, fresh_at, read_stamped
from scanner.registry.answers import Answer
from scanner.registry.config import RegistryConfig
from scanner.verdict import Verdict
from scanner.verify.codec import Kept, component_key, decode, encode

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """The cache's logger. logging loads with the first warning: a warm run, as a rule, has none."""
    import logging

    return logging.getLogger("chainwatch.cache")


FILE_NAME = "verdicts.sqlite"
_SCHEMA_VERSION = 2  # PRAGMA user_version; any other is dropped and rebuilt
_SCHEMA = """
CREATE TABLE IF NOT EXISTS warm_verdict (
    id TEXT PRIMARY KEY,
    context TEXT NOT NULL,
    answers BLOB NOT NULL,
    verdict BLOB NOT NULL,
    mac TEXT NOT NULL
)
"""
_CHUNK = 500  # ids per SELECT (under SQLite's parameter limit)
# A stamp is kept only when its files' times are older than the read by more than this: a later
# change then gets a later time even on a file system with 2 s ticks (FAT's mtime, the coarsest).
_RACY_NS = 2_000_000_000
_STAT_TIER = os.name == "posix"  # where ctime is the kernel's change time (see above)
# The code a verdict depends on: a change to any of these files is a new context.
_CODE = (
    "attestations",
    "scanner/registry",
    "scanner/verify",
    "scanner/checks",
    "scanner/checks/data",
)
_CODE_FILES = ("scanner/models.py", "scanner/verdict.py", "scanner/scan.py")


def run_context(trust_root_sha256: str) -> str:
    """What every verdict of this run depends on besides its component and answers."""
    # The interpreter too: the rows are marshal's format, which may change with it.
    python = f"{sys.implementation.cache_tag} marshal {marshal.version}"
    return f"chainwatch {__version__}|{python}|code {code_stamp()}|root {trust_root_sha256}"


def code_stamp() -> str:
    """A digest of the verifying code's files (name, size, mtime), so a changed file is a miss."""
    root = Path(__file__).resolve().parent.parent.parent
    parts: list[str] = []
    try:
        for folder in _CODE:
            with os.scandir(root / folder) as entries:
                for e in entries:
                    if e.name.endswith((".py", ".json", ".tsv")) and e.is_file():
                        st = e.stat()
                        parts.append(f"{folder}/{e.name}:{st.st_size}:{st.st_mtime_ns}")
        for name in _CODE_FILES:
            st = (root / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:
        # Code that cannot be listed (a zip import): a stamp no other run shares, so no reuse.
        return secrets.token_hex(16)
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:32]


class WarmVerdicts:
    """Get and keep verdicts in a SQLite file (WAL) beside the HTTP cache, under ``key``."""

    def __init__(
        self, path: Path, key: bytes, *, http_dir: Path, offline: bool, context: str
    ) -> None:
        self.path = path
        self._key = key
        self._http = http_dir
        self._offline = offline
        self._context = self._mac("context", context)
        self._prefixes: dict[RegistryConfig, bytes] = {}
        self._read: dict[str, _Read | None] = {}  # entry key -> read in full this run
        self._stats: dict[str, Stamp | None] = {}  # entry key -> its stamp now
        self._pending: list[tuple[str, list[list[Any]], bytes]] = []  # (id, answers, verdict)
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._rebuild()
        except OSError as exc:
            self._fail(exc)

    def lookup(self, wanted: Iterable[tuple[Component, RegistryConfig]]) -> dict[str, Kept]:
        """The still-valid warm verdicts of ``wanted``, by package URL (the rest are misses)."""
        with _no_cyclic_gc():
            return self._lookup(wanted)

    def _lookup(self, wanted: Iterable[tuple[Component, RegistryConfig]]) -> dict[str, Kept]:
        ids: dict[str, Component] = {}
        prefixes: dict[int, bytes] = {}  # by id(): hashing a RegistryConfig costs more
        for c, config in wanted:
            prefix = prefixes.get(id(config))
            if prefix is None:
                prefix = prefixes[id(config)] = self._prefix(config)
            ids[hmac.digest(self._key, prefix + component_key(c), "sha256").hex()] = c
        found: dict[str, Kept] = {}
        if self._db is None or not ids:
            return found
        keys = list(ids)
        now = _now()  # online freshness, as the cache transport judges it
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT id, answers, verdict, mac FROM warm_verdict "  # noqa: S608
                    f"WHERE context = ? AND id IN ({marks})",
                    (self._context, *chunk),
                ).fetchall()
                for row_id, answers, data, mac in rows:
                    kept = self._believe(ids[row_id], row_id, answers, data, mac, now)
                    if kept is not None:
                        found[ids[row_id].purl] = kept
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def keep(
        self,
        component: Component,
        config: RegistryConfig,
        verdict: Verdict,
        answers: Iterable[Answer],
        squat: Finding | None,
    ) -> None:
        """Remember ``verdict`` (written on ``close``); one that would not decode is not kept.

        ``squat``: the component's typosquat finding, reused with the verdict.
        """
        if self._db is None:
            return
        data = encode(component, Kept(verdict, squat))
        if data is None:
            return
        rows: list[list[Any]] = sorted(
            [a.entry, a.url, a.accept, a.sha256, a.content_type, None, None, None] for a in answers
        )
        self._pending.append((self._id(component, config), rows, data))

    def close(self) -> None:
        """Write the kept verdicts in one transaction (dropping other contexts' rows); close."""
        if self._db is None:
            return
        try:
            if self._pending:
                written = [self._row(*pending) for pending in self._pending]
                with self._db:
                    self._db.execute(
                        "DELETE FROM warm_verdict WHERE context != ?", (self._context,)
                    )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO warm_verdict VALUES (?, ?, ?, ?, ?)", written
                    )
        except sqlite3.Error as exc:
            self._fail(exc)
        finally:
            self._pending = []
            if self._db is not None:
                self._db.close()
                self._db = None

    def _believe(
        self,
        component: Component,
        row_id: str,
        answers: object,
        data: object,
        mac: object,
        now: float,
    ) -> Kept | None:
        if not (isinstance(answers, bytes) and isinstance(data, bytes) and isinstance(mac, str)):
            return None
        if not hmac.compare_digest(mac, self._row_mac(row_id, answers, data)):
            return None
        restamped = False
        try:
            used = marshal.loads(answers)
            for answer in used:
                key, url, accept, sha256, content_type, stamp, stored_at, max_age = answer
                if stamp is not None and stamp == self._stat(key):
                    # The files hashed when the stamp was kept: same body, same header.
                    if not (self._offline or fresh_at(stored_at, max_age, now)):
                        return None
                    continue
                read = self._served(key, url, accept)
                if read is None or read[:3] != (sha256, content_type, True):
                    return None
                if read[3] is not None and read[3] != stamp:
                    answer[5:] = read[3:]
                    restamped = True
        except (ValueError, TypeError, EOFError, RecursionError):
            return None
        kept = decode(component, data)
        if kept is not None and restamped:
            self._pending.append((row_id, used, data))  # the answers held: stamp them anew
        return kept

    def _stat(self, key: str) -> Stamp | None:
        # The entry's stamp now (once per run), or None where the stat tier is not used.
        if key in self._stats:
            return self._stats[key]
        now = entry_stamp(self._stem(key)) if _STAT_TIER else None
        self._stats[key] = now
        return now

    def _served(self, key: str, url: str, accept: str) -> _Read | None:
        # What the cache transport would answer for this entry without a request, if anything
        # (read once per run: the npm keys, say, serve every npm component).
        if key in self._read:
            return self._read[key]
        served: _Read | None = None
        began = _now_ns()  # before the files are opened: see "racy stamps" above
        try:
            read = read_stamped(self._stem(key), url, accept)
        except Damaged:
            read = None
        if read is not None:
            entry, stamp, newest = read
            usable = self._offline or entry.fresh(_now())
            content_type = entry.header("content-type")
            served = (entry.sha256, content_type, usable, None, None, None)
            if _STAT_TIER and newest < began - _RACY_NS:  # settled: its stamp can be kept
                served = (
                    entry.sha256,
                    content_type,
                    usable,
                    stamp,
                    entry.stored_at,
                    entry.max_age(),
                )
        self._read[key] = served
        return served

    def _row(
        self, row_id: str, answers: list[list[Any]], data: bytes
    ) -> tuple[str, str, bytes, bytes, str]:
        # A row to write; answers kept this run get the stamp of the files that hold their body
        # now, if it is settled (a cold run's files are not yet: the next run stamps them).
        for answer in answers:
            key, url, accept, sha256, content_type, stamp = answer[:6]
            if stamp is None and _STAT_TIER:
                read = self._served(key, url, accept)
                if read is not None and read[:2] == (sha256, content_type):
                    answer[5:] = read[3:]
        used = marshal.dumps(answers)
        return row_id, self._context, used, data, self._row_mac(row_id, used, data)

    def _stem(self, key: str) -> str:
        # entry_base's layout, spelt with strings: pathlib costs more than the read here.
        return f"{self._http}{os.sep}{key[:2]}{os.sep}{key}"

    def _id(self, component: Component, config: RegistryConfig) -> str:
        # An HMAC of the context, the registry settings and every field of the component.
        message = self._prefix(config) + component_key(component)
        return hmac.digest(self._key, message, "sha256").hex()

    def _prefix(self, config: RegistryConfig) -> bytes:
        prefix = self._prefixes.get(config)
        if prefix is None:
            head = f"id\0{self._context}\0{_settings(config)}\0"
            prefix = self._prefixes[config] = head.encode()
        return prefix

    def _row_mac(self, row_id: str, answers: bytes, verdict: bytes) -> str:
        # The answers' length keeps the two byte strings apart (either may hold any byte).
        message = b"row\0%s\0%d\0" % (row_id.encode(), len(answers))
        return hmac.digest(self._key, message + answers + verdict, "sha256").hex()

    def _mac(self, purpose: str, message: str) -> str:
        return hmac.digest(self._key, f"{purpose}\0{message}".encode(), "sha256").hex()

    def _open(self) -> sqlite3.Connection:
        return open_cache_db(
            self.path, table="warm_verdict", version=_SCHEMA_VERSION, schema=_SCHEMA
        )

    def _rebuild(self) -> None:
        _log().warning("%s is not a usable verdict cache; rebuilding it", self.path)
        try:
            remove_cache_files(self.path)
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        _log().warning("verdict cache %s unusable (%s); continuing without it", self.path, exc)
        if self._db is not None:
            self._db.close()
            self._db = None


# An entry read in full: body sha256, content type, served without a request, and its stamp,
# stored_at and max-age (three Nones: the files are not settled, so no stamp is kept).
_Read = tuple[str, str | None, bool, Stamp | None, float | None, int | None]


def _now() -> float:
    """Wall-clock time, as the cache transport judges freshness by it."""
    return time.time()


def _now_ns() -> int:
    """Wall-clock time in nanoseconds: what file timestamps are measured against."""
    return time.time_ns()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector while rows become many small acyclic frozen values.

    Reference counting still frees everything; only generation scans that find nothing are
    skipped (as ``scanner.inventory.build`` does for lockfiles).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _settings(config: RegistryConfig) -> str:
    # The URLs a verdict's answers came from, without npm tokens (they choose no answer).
    return json.dumps(
        [
            config.pypi_simple,
            config.pypi_json,
            list(config.pypi_extra),
            config.pypi_extra_first,
            config.npm,
            sorted(config.npm_scopes.items()),
        ]
    )


__all__ = ["FILE_NAME", "WarmVerdicts", "code_stamp", "run_context"]
