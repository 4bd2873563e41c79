"""Warm verdicts: an earlier run's verdict, reused only while everything it rests on is unchanged.

A verdict is a function of the component (every field, lockfile digests and identity pins
included), the registry settings, the registry answers it was built from, the trust root and the
code. A warm verdict is keyed by all of them and used only when:

1. its row's HMAC checks under the cache key kept outside the cache folder (as the attestation
   cache's rows do), so an edited or forged row is a miss, never a belief;
2. its id matches: a sha256 of the run's context (an HMAC of the chainwatch version, the
   interpreter, the code's own files and the trust root's sha256), the registry settings the
   component gets and every field of the component as read this run (``codec.component_key``);
   the row's HMAC covers the id, so a row cannot be moved to another component;
3. every registry answer it rests on (``scanner.registry.answers``) still holds: the HTTP cache
   would serve it without a request (offline: any intact entry; online: a fresh one) with the
   same body sha256 and content type, as the cache transport would. ``warm_files`` judges that,
   by the entry files' stamps where they are unchanged (a stat tier, as git's index has; its
   docstring says why that is safe) and by reading and hashing them otherwise;
4. the trust root still passes its checks at the scan's clock (``scan.py`` judges that first).

Anything else is a miss: the component is verified in full and its new verdict kept. Verdicts
that depended on the network (fetch-failed, a 404, an answer the cache did not keep) are never
kept. Where the file cannot be used the cache logs one warning and the scan goes on without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from attestations.cache import open_cache_db, remove_cache_files
from scanner import __version__
from scanner.models import Component, Finding
from scanner.registry.answers import Answer as RecordedAnswer
from scanner.registry.config import RegistryConfig
from scanner.verdict import Verdict
from scanner.verify.codec import Kept, component_key, decode, encode
from scanner.verify.warm_files import Answer, CachedAnswers, new_answer

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
        self._context = self._mac("context", context)
        self._row_key = hmac.new(key, b"row\0", "sha256")
        self._answers = CachedAnswers(http_dir, offline=offline)
        self._prefixes: dict[RegistryConfig, bytes] = {}
        self._pending: list[tuple[str, list[Answer], bytes]] = []  # (id, answers, verdict)
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._rebuild()
        except OSError as exc:
            self._fail(exc)

    def lookup(self, wanted: Iterable[tuple[Component, RegistryConfig]]) -> dict[str, Kept]:
        """The still-valid warm verdicts of ``wanted``, by package URL (the rest are misses)."""
        ids: dict[str, Component] = {}
        prefixes: dict[int, bytes] = {}  # by id(): hashing a RegistryConfig costs more
        for c, config in wanted:
            prefix = prefixes.get(id(config))
            if prefix is None:
                prefix = prefixes[id(config)] = self._prefix(config)
            ids[_digest(prefix, c)] = c
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
                for row_id, answers, data, mac in rows:
                    kept = self._believe(ids[row_id], row_id, answers, data, mac)
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
        answers: Iterable[RecordedAnswer],
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
        used = sorted(
            new_answer(a.entry, a.url, a.accept, a.sha256, a.content_type) for a in answers
        )
        self._pending.append((_digest(self._prefix(config), component), used, data))

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
        self, component: Component, row_id: str, answers: object, data: object, mac: object
    ) -> Kept | None:
        if not (isinstance(answers, bytes) and isinstance(data, bytes) and isinstance(mac, str)):
            return None
        if not hmac.compare_digest(mac, self._row_mac(row_id, answers, data)):
            return None
        try:
            used = marshal.loads(answers)
            renewed = self._answers.hold(used)
        except (ValueError, TypeError, EOFError, RecursionError):
            return None
        if renewed is None:
            return None
        kept = decode(component, data)
        if kept is not None and renewed:
            self._pending.append((row_id, used, data))  # the answers held: keep the new stamps
        return kept

    def _row(
        self, row_id: str, answers: list[Answer], data: bytes
    ) -> tuple[str, str, bytes, bytes, str]:
        # A row to write; answers kept this run get their files' stamps where settled (a cold
        # run's files are not yet: the next run stamps them).
        self._answers.stamp(answers)
        used = marshal.dumps(answers)
        return row_id, self._context, used, data, self._row_mac(row_id, used, data)

    def _prefix(self, config: RegistryConfig) -> bytes:
        prefix = self._prefixes.get(config)
        if prefix is None:
            head = f"id\0{self._context}\0{_settings(config)}\0"
            prefix = self._prefixes[config] = head.encode()
        return prefix

    def _row_mac(self, row_id: str, answers: bytes, verdict: bytes) -> str:
        # The answers' length keeps the two byte strings apart (either may hold any byte).
        mac = self._row_key.copy()  # the key already absorbed: cheaper than hmac.digest
        mac.update(b"%s\0%d\0" % (row_id.encode(), len(answers)))
        mac.update(answers)
        mac.update(verdict)
        return mac.hexdigest()

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


def _digest(prefix: bytes, component: Component) -> str:
    # A row's id. Unkeyed (cheaper) is enough: the prefix holds the context's HMAC, and the row's
    # HMAC covers the id.
    return hashlib.sha256(prefix + component_key(component)).hexdigest()


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
