"""Where the store lives by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_ENV = "CHAINWATCH_DB"


def default_db_path() -> Path:
    """``$CHAINWATCH_DB`` or ``chainwatch.db`` in the platform's user data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("chainwatch", appauthor=False)) / "chainwatch.db"
