"""Files only their owner may read: the store and the caches hold what a fleet runs."""

from __future__ import annotations

import os
import stat
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

    SQLite gives its -wal and -shm files the mode of the database file, so they follow. A file
    an older chainwatch left readable by others is narrowed to its owner (with its companions).
    """
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            _narrow(file)
        return path
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the file: {exc.strerror or exc}") from exc
    os.close(fd)
    return path


def _narrow(path: Path) -> None:
    try:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        # Only the owner may narrow it (POSIX); Windows has no group/other bits to narrow.
        if mode & 0o077 and hasattr(os, "getuid") and info.st_uid == os.getuid():
            path.chmod(mode & 0o700)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot make the file private: {exc.strerror or exc}") from exc
