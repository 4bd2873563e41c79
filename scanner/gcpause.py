"""Pause the cyclic garbage collector around work that builds many small acyclic values."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector while thousands of acyclic values are built.

    Reference counting still frees everything; only the generation scans, which find nothing
    here, are skipped (an inventory of a large lockfile, a large check's JSON report).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
