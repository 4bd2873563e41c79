"""Pause the cyclic garbage collector around work that builds many small acyclic values."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector while thousands of acyclic values are built.

    Reference counting still frees everything. The generation scans, which find nothing here,
    are not run while the values are built (an inventory of a large lockfile, a large check's
    JSON report): values freed inside the block are never scanned, and those that outlive it
    once, by the next collection (none at exit: ``scanner.__main__`` freezes what is left).
    The collector is process-wide: a thread that allocates meanwhile is not scanned either.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
