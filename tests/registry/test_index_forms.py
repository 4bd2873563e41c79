"""PEP 503 HTML index pages, launch-command index options, and where tokens may go."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from scanner._testing.fixture_server import FixtureRegistry
from scanner.inventory.launch import resolve_launch
from scanner.models import Installer, Scope, ServerEntry, Transport
from scanner.registry import PyPIRegistry, RegistryAuth, make_client
from tests.registry.conftest import run

HTML_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "registry-html"


async def _project(server: FixtureRegistry, name: str) -> object:
    client = make_client(cache_dir=None)
    try:
        return await PyPIRegistry(client, server.url("pypi", "simple/")).project(name)
    finally:
        await client.aclose()


def test_html_only_index_gives_the_same_facts_as_json(fixture_registry: FixtureRegistry) -> None:
    with FixtureRegistry(HTML_FIXTURES) as html_server:
        from_html = run(_project(html_server, "rfc8785"))
        asked = [r.headers.get("accept", "") for r in html_server.requests]
    from_json = run(_project(fixture_registry, "rfc8785"))
    # JSON first; the index answers HTML, so the page is asked again for HTML and parsed.
    assert asked[0] == "application/vnd.pypi.simple.v1+json"
    assert "text/html" in asked[-1]
    assert from_html.name == from_json.name == "rfc8785"  # type: ignore[attr-defined]
    html_files = {f.filename: f for r in from_html.releases.values() for f in r.files}  # type: ignore[attr-defined]
    json_files = {f.filename: f for r in from_json.releases.values() for f in r.files}  # type: ignore[attr-defined]
    common = set(html_files) & set(json_files)
    assert "rfc8785-0.1.2-py3-none-any.whl" in common
    for name in common:
        assert html_files[name].sha256 == json_files[name].sha256
        assert html_files[name].yanked == json_files[name].yanked
        # same file path, each under its own server (the fragment with the hash is dropped)
        assert urlsplit(html_files[name].url).path == urlsplit(json_files[name].url).path
        assert not urlsplit(html_files[name].url).fragment
    assert from_html.latest in from_html.versions  # type: ignore[attr-defined]


def test_html_index_404_is_not_found(fixture_registry: FixtureRegistry) -> None:
    from scanner.registry import NotFound

    with FixtureRegistry(HTML_FIXTURES) as html_server:
        try:
            run(_project(html_server, "not-there"))
        except NotFound:
            pass
        else:
            raise AssertionError("a missing project must be NotFound")


def _entry(tmp_path: Path, *argv: str) -> ServerEntry:
    return ServerEntry(
        client="test",
        config_path=str(tmp_path / "proj" / ".vscode" / "mcp.json"),
        name="s",
        transport=Transport.STDIO,
        scope=Scope.PROJECT,
        command=argv[0],
        args=argv[1:],
    )


def test_launch_index_options_are_kept_without_credentials(tmp_path: Path) -> None:
    entry = _entry(
        tmp_path,
        "uvx",
        "--index-url",
        "https://user:s3cret@idx.example.invalid/simple/?token=s3cret#frag",
        "--index",
        "corp=https://tok@corp.example.invalid/simple/",
        "mcp",
    )
    (component,) = resolve_launch(entry).components
    hint = component.registry
    assert hint is not None
    assert hint.installer is Installer.UV_TOOL
    assert hint.index == "https://idx.example.invalid/simple/"
    assert hint.extra_indexes == ("https://corp.example.invalid/simple/",)
    assert hint.project == str(tmp_path / "proj")  # the project folder, not .vscode
    assert "s3cret" not in repr(component) and "tok@" not in repr(component)


def test_npx_registry_option_and_user_scope_has_no_project(tmp_path: Path) -> None:
    entry = ServerEntry(
        client="test",
        config_path=str(tmp_path / "home" / ".claude.json"),
        name="s",
        transport=Transport.STDIO,
        command="npx",
        args=("-y", "--registry=https://npm.example.invalid/", "zod@3.0.0"),
    )
    (component,) = resolve_launch(entry).components
    assert component.registry is not None
    assert component.registry.installer is Installer.NPM
    assert component.registry.index == "https://npm.example.invalid/"
    assert component.registry.project is None


def test_token_goes_only_under_its_own_registry_path() -> None:
    auth = RegistryAuth([("//reg.example.invalid:8443/npm/", "t-npm"), ("//other.invalid/", "t-o")])
    assert auth.token_for("https://reg.example.invalid:8443/npm/zod") == "t-npm"
    assert auth.token_for("https://reg.example.invalid:8443/npm/@s%2fp") == "t-npm"
    assert auth.token_for("https://reg.example.invalid:8443/other/zod") is None
    assert auth.token_for("https://reg.example.invalid/npm/zod") is None  # another port
    assert auth.token_for("https://files.example.invalid/npm/zod.tgz") is None
    assert "t-npm" not in repr(auth)

    def header(url: str) -> str | None:
        request = httpx.Request("GET", url)
        flow = auth.auth_flow(request)
        return next(flow).headers.get("authorization")

    assert header("https://reg.example.invalid:8443/npm/zod") == "Bearer t-npm"
    assert header("https://elsewhere.invalid/npm/zod") is None
    assert header("https://u:p@elsewhere.invalid/simple/").startswith("Basic ")  # type: ignore[union-attr]
