"""Files only their owner may read: the store and the caches hold what a fleet runs."""

from __future__ import annotations

import os
from pathlib import Path

from scanner.errors import StoreError


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing folder is left as it is."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the folder: {exc.strerror or exc}") from exc
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 when it does not exist, so SQLite never creates it 0644.

    SQLite gives its -wal and -shm files the mode of the database file, so they follow.
    """
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the file: {exc.strerror or exc}") from exc
    os.close(fd)
    return path
