"""The proxied server's component, read statically from its command (nothing is run)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scanner.proxy.identity import resolve_identity

SERVER = Path(__file__).resolve().parent / "servers" / "server.py"


@pytest.mark.parametrize(
    ("command", "purl", "how"),
    [
        (("npx", "-y", "@scope/files-mcp@2.1.0"), "pkg:npm/%40scope/files-mcp@2.1.0", "pinned"),
        (("uvx", "mcp-server-fetch==2025.4.7"), "pkg:pypi/mcp-server-fetch@2025.4.7", "pinned"),
        (("uvx", "--from", "mcp-docs==1.2.0", "mcp-docs"), "pkg:pypi/mcp-docs@1.2.0", "pinned"),
        (("pipx", "run", "mcp-server-time==1.0"), "pkg:pypi/mcp-server-time@1.0", "pinned"),
        (("npx", "-y", "files-mcp"), "pkg:npm/files-mcp", "not pinned"),
        (
            ("docker", "run", "-i", "--rm", "ghcr.io/acme/files-mcp:v1.4.0"),
            "pkg:oci/files-mcp@v1.4.0?repository_url=ghcr.io/acme/files-mcp",
            "pinned",
        ),
    ],
)
def test_a_package_command_gives_its_package_url(
    command: tuple[str, ...], purl: str, how: str, tmp_path: Path
) -> None:
    found = resolve_identity(command, tmp_path)
    assert found.purl == purl
    assert how in found.reason


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ((sys.executable, str(SERVER), "v1"), "a local script (pkg:generic/server.py?checksum="),
        (("/opt/acme/bin/files-mcp", "stdio"), "unknown launcher"),
        (("python", "-m", "files_mcp"), "module not mapped to a distribution"),
        (("uvx", "--with", "extra==1", "files-mcp==2.0"), "runs 2 packages (extra, files-mcp)"),
        ((), "no server command"),
    ],
)
def test_no_single_package_falls_back_with_the_reason(
    command: tuple[str, ...], why: str, tmp_path: Path
) -> None:
    found = resolve_identity(command, tmp_path)
    assert found.purl is None
    assert why in found.reason
    assert found.reason.endswith("pinned as pkg:generic/<serverInfo.name>")


def test_a_secret_in_the_command_never_reaches_the_reason(tmp_path: Path) -> None:
    token = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
    found = resolve_identity(("/opt/acme/bin/files-mcp", f"--token={token}"), tmp_path)
    assert found.purl is None and token not in found.reason
