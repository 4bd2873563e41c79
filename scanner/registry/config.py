"""Registry base URLs from the user's own uv, pip and npm configuration.

Each installer's own rules apply (``pyindex`` for uv and pip, ``npmrc`` for npm): a uv-launched
server follows uv's settings, a pip-launched one pip's, an npx one npm's; project-level files come
from the scanned project's folder, never from chainwatch's working directory.

Where nothing is configured, the public defaults come from packageurl-python's purl type definitions
(``PypiTypeDefinition`` / ``NpmTypeDefinition.default_repository_url``): a library that already
knows them, so no registry host is written here. We do not shell out to ``npm config get registry``:
it reads the same ``.npmrc`` files parsed here, costs a Node start-up, and would make the default
depend on whether npm is installed.

Credentials in URLs and npm tokens are kept for requests; ``redact`` is what any message or repr
shows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packageurl.validate import NpmTypeDefinition, PypiTypeDefinition

from scanner.models import Installer, RegistryHint
from scanner.redact import redact_url
from scanner.registry.npmrc import NpmSettings, npm_settings
from scanner.registry.pyindex import (
    CommandIndexes,
    PythonIndexes,
    Setting,
    pip_indexes,
    uv_indexes,
)

DEFAULT_SOURCE = "packageurl-python default"


def default_pypi_simple() -> str:
    """The public PyPI Simple API root, from packageurl-python's type definition."""
    return _slash(str(PypiTypeDefinition.default_repository_url)) + "simple/"


def default_npm() -> str:
    """The public npm registry root, from packageurl-python's type definition."""
    return _slash(str(NpmTypeDefinition.default_repository_url))


def redact(url: str) -> str:
    """The URL with user info and query values replaced by ``***`` (see scanner.redact)."""
    return redact_url(url)


@dataclass(frozen=True, slots=True, repr=False)
class RegistryConfig:
    """Where each registry lives. URLs end with ``/`` and may carry credentials."""

    pypi_simple: str
    npm: str
    pypi_json: str | None = None
    npm_scopes: dict[str, str] = field(default_factory=dict, hash=False)
    sources: tuple[tuple[str, str], ...] = ()  # (setting, where it came from)
    pypi_extra: tuple[str, ...] = ()  # further indexes (uv asks them before pypi_simple)
    pypi_extra_first: bool = True
    npm_tokens: tuple[tuple[str, str], ...] = field(default=(), hash=False)  # never shown

    def pypi_indexes(self) -> tuple[str, ...]:
        """Every Python index, in the order the installer consults them."""
        if self.pypi_extra_first:
            return (*self.pypi_extra, self.pypi_simple)
        return (self.pypi_simple, *self.pypi_extra)

    def npm_for(self, name: str) -> str:
        """The registry that serves ``name`` (a scoped name may have its own)."""
        if name.startswith("@") and "/" in name:
            return self.npm_scopes.get(name.split("/", 1)[0].lower(), self.npm)
        return self.npm

    def __repr__(self) -> str:
        scopes = {k: redact(v) for k, v in self.npm_scopes.items()}
        json_url = redact(self.pypi_json) if self.pypi_json else None
        return (
            f"RegistryConfig(pypi_simple={redact(self.pypi_simple)!r}, pypi_json={json_url!r}, "
            f"npm={redact(self.npm)!r}, npm_scopes={scopes!r}, "
            f"pypi_extra={[redact(u) for u in self.pypi_extra]!r}, "
            f"npm_tokens_for={[k for k, _ in self.npm_tokens]!r})"
        )


def load_config(
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    system_root: Path = Path("/"),
    global_npmrc: Path | None = None,
    hint: RegistryHint | None = None,
    prefix: Path | None = None,
) -> RegistryConfig:
    """The registries ``hint``'s installer would use (default: pip and npm, project ``cwd``).

    ``cwd`` is the project folder for project-level files; None reads no project-level file.
    """
    env = dict(os.environ if env is None else env)
    home = home or Path(env.get("HOME") or Path.home())
    hint = hint or RegistryHint(Installer.PIP, str(cwd) if cwd else None)
    project = Path(hint.project) if hint.project else cwd
    command = CommandIndexes(hint.index, hint.extra_indexes, hint.no_config, hint.config_file)
    is_npm = hint.installer is Installer.NPM
    python = _python(hint.installer, env, project, home, system_root, prefix, command, is_npm)
    npm = npm_settings(
        env,
        project=project,
        home=home,
        default=Setting(default_npm(), DEFAULT_SOURCE),
        global_npmrc=global_npmrc,
        command_registry=hint.index if is_npm else None,
    )
    return make_config(python, npm)


def _python(
    installer: Installer,
    env: Mapping[str, str],
    project: Path | None,
    home: Path,
    root: Path,
    prefix: Path | None,
    command: CommandIndexes,
    is_npm: bool,
) -> PythonIndexes:
    command = CommandIndexes() if is_npm else command
    if installer in (Installer.UV, Installer.UV_TOOL):
        return uv_indexes(
            env,
            project=project,
            home=home,
            system_root=root,
            default=Setting(default_pypi_simple(), DEFAULT_SOURCE),
            command=command,
            tool=installer is Installer.UV_TOOL,
        )
    return pip_indexes(
        env,
        home=home,
        system_root=root,
        prefix=prefix,
        default=Setting(default_pypi_simple(), DEFAULT_SOURCE),
        command=command,
    )


def make_config(python: PythonIndexes, npm: NpmSettings) -> RegistryConfig:
    """One RegistryConfig from resolved Python indexes and npm settings."""
    pypi = _slash(python.default.url)
    pypi_json = pypi[: -len("simple/")] + "pypi/" if pypi.endswith("/simple/") else None
    sources = [("pypi", python.default.source)]
    sources += [(f"pypi extra {redact(s.url)}", s.source) for s in python.extra]
    sources.append(("npm", npm.registry.source))
    sources += [(f"npm {scope}", s.source) for scope, s in sorted(npm.scopes.items())]
    return RegistryConfig(
        pypi_simple=pypi,
        npm=_slash(npm.registry.url),
        pypi_json=pypi_json,
        npm_scopes={k: _slash(v.url) for k, v in npm.scopes.items()},
        sources=tuple(sources),
        pypi_extra=tuple(_slash(s.url) for s in python.extra),
        pypi_extra_first=python.extra_first,
        npm_tokens=npm.tokens,
    )


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
