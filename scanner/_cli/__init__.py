"""Thin click layer: options -> calls -> output, exit codes. One module per command group.

``main`` (run by the console script, ``scanner.__main__:run``) is the group in
:mod:`scanner._cli.root`; the command modules register their commands on it when imported here.
Each keeps its heavy imports inside the commands, so start-up stays instant.
"""

from __future__ import annotations

# Each command module registers its commands on ``main``.
from scanner._cli import (  # noqa: F401
    behavior,
    changes,
    check,
    collector,
    db,
    events,
    inventory,
    proxy,
    report,
    scan,
    score,
    tools,
    trust,
)
from scanner._cli.root import main

__all__ = ["main"]
