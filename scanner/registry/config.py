"""Registry base URLs from the user's own pip, uv and npm configuration.

Where nothing is configured, the public defaults come from packageurl-python's purl type definitions
(``PypiTypeDefinition`` / ``NpmTypeDefinition.default_repository_url``): a library that already
knows them, so no registry host is written here. We do not shell out to ``npm config get registry``:
it reads the same ``.npmrc`` files parsed below, costs a Node start-up, and would make the default
depend on whether npm is installed.

Precedence, first match wins:

* PyPI: ``UV_DEFAULT_INDEX``, ``UV_INDEX_URL``, ``PIP_INDEX_URL``; the project's ``uv.toml`` /
  ``pyproject.toml`` (``[[tool.uv.index]] default = true`` or ``[tool.uv] index-url``), found by
  walking up from ``cwd``; pip config files (``PIP_CONFIG_FILE``, the environment's ``pip.conf``,
  user, global; ``[install]`` before ``[global]``); uv's user and system ``uv.toml``; the default.
* npm: ``npm_config_registry``; ``.npmrc`` of the project, the user (``npm_config_userconfig``)
  and the global config (``npm_config_globalconfig``, else ``<node prefix>/etc/npmrc``);
  ``@scope:registry=`` lines are collected with the same precedence.

Credentials in URLs are kept for requests; ``redact`` is what any message or repr shows.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packageurl.validate import NpmTypeDefinition, PypiTypeDefinition

from scanner.errors import ConfigError
from scanner.redact import redact_url

_ENV_REF = re.compile(r"\$\{([^}]+)\}")


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
            f"npm={redact(self.npm)!r}, npm_scopes={scopes!r})"
        )


def load_config(
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    system_root: Path = Path("/"),
    global_npmrc: Path | None = None,
) -> RegistryConfig:
    """Resolve the registry URLs the user's own tools would use (see the module docstring)."""
    env = dict(os.environ if env is None else env)
    cwd = cwd or Path.cwd()
    home = home or Path(env.get("HOME") or Path.home())
    pypi, pypi_src = _pypi_index(env, cwd, home, system_root)
    npm, scopes, npm_src = _npm_registry(env, cwd, home, global_npmrc)
    pypi = _slash(pypi)
    pypi_json = pypi[: -len("simple/")] + "pypi/" if pypi.endswith("/simple/") else None
    return RegistryConfig(
        pypi_simple=pypi,
        npm=_slash(npm),
        pypi_json=pypi_json,
        npm_scopes={k: _slash(v) for k, v in scopes.items()},
        sources=(("pypi", pypi_src), ("npm", npm_src)),
    )


def _pypi_index(env: Mapping[str, str], cwd: Path, home: Path, root: Path) -> tuple[str, str]:
    for var in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        if env.get(var):
            return env[var].split()[0], f"${var}"
    for directory in (cwd, *cwd.parents):
        for path in (directory / "uv.toml", directory / "pyproject.toml"):
            found = _uv_index(path, nested=path.name == "pyproject.toml")
            if found:
                return found, str(path)
    for path in _pip_config_files(env, home, root):
        found = _pip_index(path)
        if found:
            return found, str(path)
    xdg = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    for path in (xdg / "uv" / "uv.toml", root / "etc" / "uv" / "uv.toml"):
        found = _uv_index(path, nested=False)
        if found:
            return found, str(path)
    return default_pypi_simple(), "packageurl-python default"


def _uv_index(path: Path, *, nested: bool) -> str | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read uv settings: {exc}") from exc
    settings = data.get("tool", {}).get("uv", {}) if nested else data
    if not isinstance(settings, dict):
        raise ConfigError(str(path), "uv settings are not a table")
    indexes = settings.get("index", [])
    if isinstance(indexes, list):
        for index in indexes:
            if isinstance(index, dict) and index.get("default") is True and index.get("url"):
                return str(index["url"])
    url = settings.get("index-url")
    return str(url) if url else None


def _pip_config_files(env: Mapping[str, str], home: Path, root: Path) -> Iterator[Path]:
    """pip's config files, highest precedence first."""
    if env.get("PIP_CONFIG_FILE"):
        if env["PIP_CONFIG_FILE"] == os.devnull:
            return
        yield Path(env["PIP_CONFIG_FILE"])
    yield Path(sys.prefix) / "pip.conf"
    xdg = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    yield xdg / "pip" / "pip.conf"
    yield home / "Library" / "Application Support" / "pip" / "pip.conf"
    yield home / ".pip" / "pip.conf"
    yield root / "etc" / "pip.conf"
    for directory in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep):
        yield root / directory.lstrip("/") / "pip" / "pip.conf"


def _pip_index(path: Path) -> str | None:
    if not path.is_file():
        return None
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise ConfigError(str(path), f"cannot read pip config: {exc}") from exc
    for section in ("install", "download", "global"):
        for key in ("index-url", "index_url"):
            if parser.has_option(section, key):
                value = parser.get(section, key).split()
                if value:
                    return value[0]
    return None


def _npm_registry(
    env: Mapping[str, str], cwd: Path, home: Path, global_npmrc: Path | None
) -> tuple[str, dict[str, str], str]:
    registry: tuple[str, str] | None = None
    scopes: dict[str, str] = {}
    lowered = {k.lower(): v for k, v in env.items()}
    if lowered.get("npm_config_registry"):
        registry = (lowered["npm_config_registry"], "$npm_config_registry")
    for key, value in lowered.items():
        if key.startswith("npm_config_@") and key.endswith(":registry") and value:
            scopes.setdefault(key[len("npm_config_") : -len(":registry")], value)
    for path in _npmrc_files(lowered, cwd, home, global_npmrc):
        settings = _read_npmrc(path, env)
        if registry is None and settings.get("registry"):
            registry = (settings["registry"], str(path))
        for key, value in settings.items():
            if key.startswith("@") and key.endswith(":registry") and value:
                scopes.setdefault(key[: -len(":registry")].lower(), value)
    if registry is None:
        registry = (default_npm(), "packageurl-python default")
    return registry[0], scopes, registry[1]


def _npmrc_files(
    lowered_env: Mapping[str, str], cwd: Path, home: Path, global_npmrc: Path | None
) -> Iterator[Path]:
    """Project, user and global npmrc, highest precedence first."""
    for directory in (cwd, *cwd.parents):
        if (directory / "package.json").is_file() or (directory / ".npmrc").is_file():
            yield directory / ".npmrc"
            break
    yield Path(lowered_env.get("npm_config_userconfig") or home / ".npmrc")
    if lowered_env.get("npm_config_globalconfig"):
        yield Path(lowered_env["npm_config_globalconfig"])
    elif global_npmrc is not None:
        yield global_npmrc
    else:
        node = shutil.which("node")
        if node:
            yield Path(node).resolve().parent.parent / "etc" / "npmrc"


def _read_npmrc(path: Path, env: Mapping[str, str]) -> dict[str, str]:
    """``key=value`` lines of an npmrc, with ``${VAR}`` expanded as npm does."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read npmrc: {exc}") from exc
    out: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;" or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        value = value.strip().strip('"').strip("'")
        out[key.strip().lower()] = _ENV_REF.sub(lambda m: env.get(m.group(1), ""), value)
    return out


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
