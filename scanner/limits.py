"""Time limits of a scan, in a module light enough for the CLI to read at start-up.

The CLI shows them as option defaults; importing them from ``scanner.scan`` would load sigstore
for every command, ``chainwatch --version`` included.
"""

from __future__ import annotations

REQUEST_DEADLINE = 60.0  # a 21 MB packument (the largest measured) at 1 MB/s takes 21 s
COMPONENT_DEADLINE = 180.0  # a page, up to 4 provenance documents, and their retries
