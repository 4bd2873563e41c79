"""Where a store lives: an SQLite file (a path) or a PostgreSQL server (a URL).

A URL can carry a password: ``PostgresURL`` keeps it for the driver only. Its ``str`` and
``repr`` are the redacted form, so logs, errors and ``db status`` never show credentials.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scanner.errors import StoreError
from scanner.store.paths import DB_ENV, default_db_path

SCHEMES = ("postgresql", "postgres")
# Query parameters that are safe to show; every other value is redacted (password, sslpassword,
# passfile, service names pointing at secrets, ...).
_SHOWN_PARAMS = frozenset(
    {"sslmode", "connect_timeout", "application_name", "target_session_attrs"}
)


@dataclass(frozen=True)
class PostgresURL:
    """A ``postgresql://`` URL. Printing it shows the redacted form only."""

    url: str = field(repr=False)

    def redacted(self) -> str:
        """The URL without user name, password or secret query values."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = ("***@" if "@" in parts.netloc else "") + host
        if parts.port is not None:
            netloc += f":{parts.port}"
        query = urlencode(
            [(k, v if k in _SHOWN_PARAMS else "***") for k, v in parse_qsl(parts.query)]
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))

    def secrets(self) -> tuple[str, ...]:
        """The user name and password, to scrub from a driver's error text."""
        parts = urlsplit(self.url)
        found = [parts.username, parts.password]
        found += [v for k, v in parse_qsl(self.query()) if k not in _SHOWN_PARAMS]
        return tuple(s for s in found if s and len(s) > 1)

    def query(self) -> str:
        """The URL's query string."""
        return urlsplit(self.url).query

    def scrub(self, text: str) -> str:
        """``text`` (e.g. a driver error) with this URL's credentials replaced by ``***``."""
        text = text.replace(self.url, self.redacted())
        for secret in sorted(self.secrets(), key=len, reverse=True):
            text = re.sub(re.escape(secret), "***", text)
        return text

    def __str__(self) -> str:
        return self.redacted()


StoreTarget = Path | PostgresURL


def is_url(text: str) -> bool:
    """True when ``text`` names a PostgreSQL server rather than a file."""
    return text.split("://", 1)[0].lower() in SCHEMES and "://" in text


def parse_target(text: str | StoreTarget) -> StoreTarget:
    """A path (SQLite) or a PostgreSQL URL; another ``scheme://`` is refused by name only."""
    if isinstance(text, Path | PostgresURL):
        return text
    if is_url(text):
        return PostgresURL(text)
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme:
        raise StoreError(
            f"unsupported store URL scheme {scheme.group(1)!r}",
            hint="use a file path (SQLite) or postgresql://HOST/DB",
        )
    return Path(text).expanduser()


def default_target() -> StoreTarget:
    """``$CHAINWATCH_DB`` (a path or a URL) or the default SQLite file."""
    env = os.environ.get(DB_ENV)
    if env:
        return parse_target(env)
    return default_db_path()
