"""Registry selection: each setting -> the registry actually asked, on real loopback registries.

Three fixture registries (A, B, C) run on 127.0.0.1. Each case writes settings that point at them,
resolves a real launch command to its component, picks the registry as the scan does and fetches
the project: the server that received the request is the registry used. C is only ever named by
chainwatch's own working directory, which must never decide anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.inventory.launch import resolve_launch
from scanner.models import Scope, ServerEntry, Transport
from scanner.registry import (
    RegistryAuth,
    RegistryKind,
    RegistrySelector,
    SettingsPlaces,
    make_client,
    make_registry,
)
from tests.registry.conftest import run

LABELS = ("A", "B", "C")


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FixtureRegistry]]:
    """Three loopback registries serving the same recordings."""
    started = {label: FixtureRegistry().start() for label in LABELS}
    try:
        yield started
    finally:
        for server in started.values():
            server.stop()


@dataclass(frozen=True)
class Case:
    """One setting: the files and variables written, the launch, and who must be asked."""

    setting: str
    argv: tuple[str, ...]
    expect: str
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # "home/.npmrc" -> text with {A} etc.
    project_scope: bool = True
    token: str | None = None  # the Authorization header the asked registry must receive


UV = ("uvx", "mcp")
NPX = ("npx", "-y", "zod")
CASES = [
    Case("UV_DEFAULT_INDEX (beats PIP_INDEX_URL)", UV, "A",
         env={"UV_DEFAULT_INDEX": "{A:pypi}", "PIP_INDEX_URL": "{B:pypi}"}),
    Case("UV_INDEX_URL (deprecated name)", UV, "A", env={"UV_INDEX_URL": "{A:pypi}"}),
    Case("PIP_INDEX_URL is ignored by uvx", UV, "B", env={"PIP_INDEX_URL": "{A:pypi}"},
         files={"home/.config/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("UV_INDEX (extra, asked before the default)", UV, "A", env={"UV_INDEX": "corp={A:pypi}"},
         files={"home/.config/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("uvx --index-url (launch command)", ("uvx", "--index-url", "{A:pypi}", "mcp"), "A",
         env={"UV_DEFAULT_INDEX": "{B:pypi}"}),
    Case("uvx --default-index (launch command)", ("uvx", "--default-index", "{A:pypi}", "mcp"),
         "A", env={"UV_DEFAULT_INDEX": "{B:pypi}"}),
    Case("uv --index-url tool run (global option)",
         ("uv", "--index-url", "{A:pypi}", "tool", "run", "mcp"), "A",
         env={"UV_DEFAULT_INDEX": "{B:pypi}"}),
    Case("uv.toml [[index]] default (project, uv run)", ("uv", "run", "--with", "mcp", "mcp"), "A",
         files={"project/uv.toml": '[[index]]\nurl = "{A:pypi}"\ndefault = true\n',
                "home/.config/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("pyproject.toml [tool.uv] index-url (project, uv run)",
         ("uv", "run", "--with", "mcp", "mcp"), "A",
         files={"project/pyproject.toml": '[tool.uv]\nindex-url = "{A:pypi}"\n',
                "home/.config/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("project uv.toml is ignored by uvx (a tool command)", UV, "B",
         files={"project/uv.toml": 'index-url = "{A:pypi}"\n',
                "home/.config/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("user uv.toml", UV, "A", files={"home/.config/uv/uv.toml": 'index-url = "{A:pypi}"\n',
                                         "etc/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("system uv.toml", UV, "A", files={"etc/uv/uv.toml": 'index-url = "{A:pypi}"\n'}),
    Case("UV_CONFIG_FILE replaces discovered files", UV, "A",
         env={"UV_CONFIG_FILE": "{root}/own-uv.toml"},
         files={"own-uv.toml": 'index-url = "{A:pypi}"\n',
                "home/.config/uv/uv.toml": 'index-url = "{B:pypi}"\n'}),
    Case("uv --no-config drops config files", ("uvx", "--no-config", "mcp"), "A",
         env={"UV_DEFAULT_INDEX": "{A:pypi}"},
         files={"home/.config/uv/uv.toml": '[[index]]\nurl = "{B:pypi}"\n'}),
    Case("PIP_INDEX_URL (pipx; uv settings ignored)", ("pipx", "run", "mcp"), "A",
         env={"PIP_INDEX_URL": "{A:pypi}", "UV_DEFAULT_INDEX": "{B:pypi}"}),
    Case("pipx run --index-url (launch command)", ("pipx", "run", "--index-url", "{A:pypi}", "mcp"),
         "A", env={"PIP_INDEX_URL": "{B:pypi}"}),
    Case("pipx --pip-args '--index-url' (launch command)",
         ("pipx", "run", "--pip-args=--index-url {A:pypi}", "mcp"), "A",
         env={"PIP_INDEX_URL": "{B:pypi}"}),
    Case("PIP_CONFIG_FILE (loaded last)", ("pipx", "run", "mcp"), "A",
         env={"PIP_CONFIG_FILE": "{root}/own-pip.conf"},
         files={"own-pip.conf": "[global]\nindex-url = {A:pypi}\n",
                "home/.config/pip/pip.conf": "[global]\nindex-url = {B:pypi}\n"}),
    Case("user pip.conf over /etc/pip.conf", ("pipx", "run", "mcp"), "A",
         files={"home/.config/pip/pip.conf": "[global]\nindex-url = {A:pypi}\n",
                "etc/pip.conf": "[global]\nindex-url = {B:pypi}\n"}),
    Case("pip.conf [install] over [global]", ("pipx", "run", "mcp"), "A",
         files={"home/.pip/pip.conf": "[install]\nindex-url = {A:pypi}\n",
                "home/.config/pip/pip.conf": "[global]\nindex-url = {B:pypi}\n"}),
    Case("environment pip.conf (sys.prefix)", ("pipx", "run", "mcp"), "A",
         files={"venv/pip.conf": "[global]\nindex-url = {A:pypi}\n",
                "home/.config/pip/pip.conf": "[global]\nindex-url = {B:pypi}\n"}),
    Case("XDG_CONFIG_DIRS pip.conf", ("pipx", "run", "mcp"), "A",
         files={"etc/xdg/pip/pip.conf": "[global]\nindex-url = {A:pypi}\n"}),
    Case("npm_config_registry", NPX, "A", env={"npm_config_registry": "{A:npm}"},
         files={"home/.npmrc": "registry={B:npm}\n"}),
    Case("npx --registry (launch command)", ("npx", "-y", "--registry", "{A:npm}", "zod"), "A",
         env={"npm_config_registry": "{B:npm}"}),
    Case("project .npmrc", NPX, "A",
         files={"project/package.json": "{{}}", "project/.npmrc": "registry={A:npm}\n",
                "home/.npmrc": "registry={B:npm}\n"}),
    Case("user .npmrc over global npmrc", NPX, "A",
         files={"home/.npmrc": "registry={A:npm}\n", "etc/npmrc": "registry={B:npm}\n"}),
    Case("global npmrc", NPX, "A", files={"etc/npmrc": "registry={A:npm}\n"}),
    Case("@scope:registry", ("npx", "-y", "@modelcontextprotocol/sdk"), "A",
         files={"home/.npmrc": "registry={B:npm}\n@modelcontextprotocol:registry={A:npm}\n"}),
    Case("//host/:_authToken=${NPM_TOKEN} goes to its own registry only", NPX, "A",
         env={"NPM_TOKEN": "tok-for-A"}, token="Bearer tok-for-A",
         files={"home/.npmrc": "registry={A:npm}\n//{A:dart}:_authToken=${{NPM_TOKEN}}\n"
                "//{B:dart}:_authToken=tok-for-B\n"}),
    Case("user-scope server: no project files, cwd's files ignored", NPX, "B",
         project_scope=False, files={"home/.npmrc": "registry={B:npm}\n"}),
]  # fmt: skip


def _fill(text: str, servers: dict[str, FixtureRegistry], root: Path) -> str:
    values: dict[str, str] = {"root": str(root)}
    for label, server in servers.items():
        values[f"{label}:pypi"] = server.url("pypi", "simple/")
        values[f"{label}:npm"] = server.url("npm")
        values[f"{label}:dart"] = urlsplit(server.url("npm")).netloc + "/npm/"
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("{{", "{").replace("}}", "}")


def _asked(case: Case, servers: dict[str, FixtureRegistry], root: Path) -> tuple[str, str | None]:
    """Run the case; (label of the one server asked, the Authorization header it got)."""
    for rel, text in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(text, servers, root))
    # chainwatch's own working directory names C for everything: it must never be chosen.
    (root / "cwd" / "uv.toml").write_text(f'index-url = "{_fill("{C:pypi}", servers, root)}"\n')
    (root / "cwd" / ".npmrc").write_text(f"registry={_fill('{C:npm}', servers, root)}\n")
    (root / "cwd" / "package.json").write_text("{}")
    env = {
        "XDG_CONFIG_DIRS": "/etc/xdg",
        **{k: _fill(v, servers, root) for k, v in case.env.items()},
    }
    folder = root / "project" if case.project_scope else root / "home"
    entry = ServerEntry(
        client="test",
        config_path=str(folder / ".mcp.json"),
        name="server",
        transport=Transport.STDIO,
        scope=Scope.PROJECT if case.project_scope else Scope.USER,
        command=case.argv[0],
        args=tuple(_fill(a, servers, root) for a in case.argv[1:]),
    )
    component = resolve_launch(entry).components[-1]
    places = SettingsPlaces(
        env=env,
        home=root / "home",
        system_root=root,
        global_npmrc=root / "etc" / "npmrc",
        prefix=root / "venv",
    )
    config = RegistrySelector(places).config_for(component)
    for server in servers.values():
        server.requests.clear()

    async def fetch() -> None:
        client = make_client(cache_dir=None, transport=None)
        client.auth = RegistryAuth(config.npm_tokens)
        try:
            await make_registry(RegistryKind(component.ecosystem), client, config).project(
                component.name
            )
        finally:
            await client.aclose()

    run(fetch())
    asked = [label for label, s in servers.items() if s.requests]
    assert len(asked) == 1, f"{case.setting}: asked {asked}"
    label = asked[0]
    for other in LABELS:
        if other != label:
            assert not servers[other].requests
    return label, servers[label].requests[0].headers.get("authorization")


@pytest.mark.parametrize("case", CASES, ids=[c.setting for c in CASES])
def test_setting_picks_the_registry(
    case: Case,
    servers: dict[str, FixtureRegistry],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for sub in ("home", "project", "etc", "venv", "cwd"):
        (tmp_path / sub).mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    label, auth = _asked(case, servers, tmp_path)
    with capsys.disabled():
        print(
            f"\n  {case.setting:<58} -> {label}" + (f" (auth: {auth.split()[0]})" if auth else "")
        )
    assert label == case.expect
    assert auth == case.token
