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
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from attestations.cache import open_cache_db, remove_cache_files
from scanner import __version__
from scanner.models import Component, Finding
from scanner.registry._entries import Damaged, read_entry
from scanner.registry.answers import Answer
from scanner.registry.config import RegistryConfig
from scanner.verdict import Verdict
from scanner.verify.codec import Kept, decode, encode

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """The cache's logger. logging loads with the first warning: a warm run, as a rule, has none."""
    import logging

    return logging.getLogger("chainwatch.cache")


FILE_NAME = "verdicts.sqlite"
_SCHEMA_VERSION = 1  # PRAGMA user_version; any other is dropped and rebuilt
_SCHEMA = """
CREATE TABLE IF NOT EXISTS warm_verdict (
    id TEXT PRIMARY KEY,
    context TEXT NOT NULL,
    answers TEXT NOT NULL,
    verdict TEXT NOT NULL,
    mac TEXT NOT NULL
)
"""
_CHUNK = 500  # ids per SELECT (under SQLite's parameter limit)
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
    return f"chainwatch {__version__}|code {code_stamp()}|root {trust_root_sha256}"


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
        self._configs: dict[RegistryConfig, str] = {}
        self._entries: dict[str, tuple[str, str | None, bool] | None] = {}
        self._pending: list[tuple[str, str, str, str, str]] = []
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._rebuild()
        except OSError as exc:
            self._fail(exc)

    def lookup(self, wanted: Iterable[tuple[Component, RegistryConfig]]) -> dict[str, Kept]:
        """The still-valid warm verdicts of ``wanted``, by package URL (the rest are misses)."""
        ids = {self._id(c, config): c for c, config in wanted}
        found: dict[str, Kept] = {}
        if self._db is None or not ids:
            return found
        keys = list(ids)
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT id, answers, verdict, mac FROM warm_verdict "  # noqa: S608
                    f"WHERE context = ? AND id IN ({marks})",
                    (self._context, *chunk),
                ).fetchall()
                for row_id, answers, text, mac in rows:
                    kept = self._believe(ids[row_id], row_id, answers, text, mac)
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
        text = encode(component, Kept(verdict, squat))
        if text is None:
            return
        rows = sorted([a.entry, a.url, a.accept, a.sha256, a.content_type] for a in answers)
        used = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
        row_id = self._id(component, config)
        mac = self._row_mac(row_id, used, text)
        self._pending.append((row_id, self._context, used, text, mac))

    def close(self) -> None:
        """Write the kept verdicts in one transaction (dropping other contexts' rows); close."""
        if self._db is None:
            return
        try:
            if self._pending:
                with self._db:
                    self._db.execute(
                        "DELETE FROM warm_verdict WHERE context != ?", (self._context,)
                    )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO warm_verdict VALUES (?, ?, ?, ?, ?)",
                        self._pending,
                    )
        except sqlite3.Error as exc:
            self._fail(exc)
        finally:
            self._pending = []
            if self._db is not None:
                self._db.close()
                self._db = None

    def _believe(
        self, component: Component, row_id: str, answers: object, text: object, mac: object
    ) -> Kept | None:
        if not (isinstance(answers, str) and isinstance(text, str) and isinstance(mac, str)):
            return None
        if not hmac.compare_digest(mac, self._row_mac(row_id, answers, text)):
            return None
        try:
            for key, url, accept, sha256, content_type in json.loads(answers):
                if self._served(key, url, accept) != (sha256, content_type, True):
                    return None
        except (ValueError, TypeError, RecursionError):
            return None
        return decode(component, text)

    def _served(self, key: str, url: str, accept: str) -> tuple[str, str | None, bool] | None:
        # What the cache transport would answer for this entry without a request, if anything
        # (read once per run: the npm keys, say, serve every npm component).
        if key in self._entries:
            return self._entries[key]
        # entry_base's layout, spelt with strings: pathlib costs more than the read here.
        stem = f"{self._http}{os.sep}{key[:2]}{os.sep}{key}"
        served = None
        try:
            entry = read_entry(stem, url, accept)
        except Damaged:
            entry = None
        if entry is not None:
            usable = self._offline or entry.fresh(time.time())
            served = entry.sha256, entry.header("content-type"), usable
        self._entries[key] = served
        return served

    def _id(self, component: Component, config: RegistryConfig) -> str:
        settings = self._configs.get(config)
        if settings is None:
            settings = self._configs[config] = _settings(config)
        return self._mac("id", f"{self._context}\0{settings}\0{component!r}")

    def _row_mac(self, row_id: str, answers: str, text: str) -> str:
        return self._mac("row", f"{row_id}\0{answers}\0{text}")

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
