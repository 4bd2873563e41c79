"""The end-to-end proxy tests need the mcp SDK's 2.x line (extra ``chainwatch[mcp]``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import pytest

try:
    _MCP = version("mcp")
except PackageNotFoundError:
    _MCP = ""

# The test servers use the 2.x low-level server API; test_relay.py needs no SDK and always runs.
collect_ignore = [] if _MCP.split(".")[0] == "2" else ["test_end_to_end.py", "test_install.py"]


@pytest.fixture(autouse=True)
def _patient_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the proxy 10 s, not the SDK's 2 s, to finish recording after the client closes.

    The proxy drains its parser before exiting; on a loaded test machine that can outlast the
    SDK client's grace period, after which the client kills it mid-write (seen once in a full
    run). Real clients have their own grace periods; the tests should not depend on load.
    """
    if _MCP.split(".")[0] == "2":
        import mcp.client.stdio

        monkeypatch.setattr(mcp.client.stdio, "PROCESS_TERMINATION_TIMEOUT", 10.0)
