"""Against the live registries (skipped unless ``-m online``)."""

from __future__ import annotations

import pytest

from scanner.registry import NpmRegistry, PyPIRegistry, load_config, make_client

from .conftest import run


@pytest.mark.online
def test_live_registries_answer_two_packages() -> None:
    config = load_config()

    async def go() -> None:
        async with make_client(cache_dir=None) as client:
            pypi = await PyPIRegistry(client, config.pypi_simple).project("mcp-server-fetch")
            npm = await NpmRegistry(client, config.npm, config.npm_scopes).project(
                "@modelcontextprotocol/server-filesystem"
            )
        assert pypi.latest and pypi.releases[pypi.latest].files[0].sha256
        assert npm.latest and npm.releases[npm.latest].files[0].integrity

    run(go())
