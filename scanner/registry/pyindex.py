"""Python package indexes as uv or pip would choose them, each with where the setting came from.

uv (its documented rules): the command line beats the environment, which beats config files.
Config files are the nearest ``uv.toml`` / ``pyproject.toml`` with a ``[tool.uv]`` table, walking up
from the project folder (a ``uv.toml`` wins over its sibling ``pyproject.toml``), then the user's
and the system's ``uv.toml``; ``--config-file`` / ``UV_CONFIG_FILE`` replaces them all and
``--no-config`` / ``UV_NO_CONFIG`` drops them. ``uvx`` and ``uv tool run`` read only the user and
system files. Extra indexes (``--index``, ``UV_INDEX``, ``[[index]]``) are consulted before the
default one, in the order given; the first that serves a name is used (``first-index``).

pip: ``--index-url`` beats ``PIP_INDEX_URL``, which beats config files. pip reads the global files
(``$XDG_CONFIG_DIRS/pip/pip.conf``, ``/etc/pip.conf``), then the user's (``~/.pip/pip.conf``,
``$XDG_CONFIG_HOME/pip/pip.conf``), then the environment's ``pip.conf``, then ``PIP_CONFIG_FILE``;
a later file overrides an earlier one and a command section (``[install]``) overrides
``[global]``. pip merges every index and takes the best version (``--extra-index-url``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.inventory import _decode


@dataclass(frozen=True, slots=True)
class Setting:
    """One index URL (may carry credentials: use it for requests only) and where it came from."""

    url: str
    source: str


@dataclass(frozen=True, slots=True)
class PythonIndexes:
    """The default index and the extra ones, in the order the installer consults them."""

    default: Setting
    extra: tuple[Setting, ...] = ()
    extra_first: bool = True  # uv asks extra indexes first; pip merges (default listed first)

    def ordered(self) -> tuple[Setting, ...]:
        """Every index, in consulting order."""
        return (*self.extra, self.default) if self.extra_first else (self.default, *self.extra)


@dataclass(frozen=True, slots=True)
class CommandIndexes:
    """Index options given in the launch command itself (already stripped of credentials)."""

    default: str | None = None  # --default-index / --index-url / -i
    extra: tuple[str, ...] = ()  # --index / --extra-index-url
    no_config: bool = False
    config_file: str | None = None


@dataclass(frozen=True, slots=True)
class _UvFile:
    path: Path
    default: str | None
    extra: tuple[str, ...] = field(default=())


def uv_indexes(
    env: Mapping[str, str],
    *,
    project: Path | None,
    home: Path,
    system_root: Path,
    default: Setting,
    command: CommandIndexes | None = None,
    tool: bool = False,
) -> PythonIndexes:
    """The indexes uv would use; ``tool`` for ``uvx`` / ``uv tool run`` (no project files)."""
    cmd = command or CommandIndexes()
    files = _uv_files(env, project=None if tool else project, home=home, root=system_root, cmd=cmd)
    extra: list[Setting] = []
    if cmd.extra:
        extra = [Setting(u, "launch command") for u in cmd.extra]
    else:
        for var in ("UV_INDEX", "UV_EXTRA_INDEX_URL"):
            extra += [Setting(_index_url(u), f"${var}") for u in env.get(var, "").split()]
    for f in files:
        extra += [Setting(u, str(f.path)) for u in f.extra]
    chosen: Setting | None = None
    if cmd.default:
        chosen = Setting(cmd.default, "launch command")
    for var in ("UV_DEFAULT_INDEX", "UV_INDEX_URL"):
        if chosen is None and env.get(var, "").split():
            chosen = Setting(_index_url(env[var].split()[0]), f"${var}")
    for f in files:
        if chosen is None and f.default:
            chosen = Setting(f.default, str(f.path))
    return PythonIndexes(chosen or default, _unique(extra), True)


def pip_indexes(
    env: Mapping[str, str],
    *,
    home: Path,
    system_root: Path,
    prefix: Path | None,
    default: Setting,
    command: CommandIndexes | None = None,
) -> PythonIndexes:
    """The indexes pip would use (``prefix``: the environment pip runs in, for its pip.conf).

    ``prefix`` None reads no environment file: chainwatch's own environment is not the one a
    server's pip runs in.
    """
    cmd = command or CommandIndexes()
    values: dict[str, Setting] = {}
    extras: dict[str, Setting] = {}
    for path in _pip_files(env, home, system_root, prefix):
        found = _pip_file(path)
        for key, value in found.items():
            target = extras if key == "extra" else values
            target[key] = Setting(value, str(path))
    chosen = values.get("install") or values.get("global")
    extra_setting = extras.get("extra")
    extra = (
        [Setting(u, extra_setting.source) for u in extra_setting.url.split()]
        if extra_setting
        else []
    )
    if env.get("PIP_INDEX_URL", "").split():
        chosen = Setting(env["PIP_INDEX_URL"].split()[0], "$PIP_INDEX_URL")
    if env.get("PIP_EXTRA_INDEX_URL", "").split():
        extra = [Setting(u, "$PIP_EXTRA_INDEX_URL") for u in env["PIP_EXTRA_INDEX_URL"].split()]
    if cmd.default:
        chosen = Setting(cmd.default, "launch command")
    if cmd.extra:
        extra = [Setting(u, "launch command") for u in cmd.extra]
    return PythonIndexes(chosen or default, _unique(extra), False)


def _uv_files(
    env: Mapping[str, str], *, project: Path | None, home: Path, root: Path, cmd: CommandIndexes
) -> list[_UvFile]:
    """uv settings files, highest precedence first."""
    if cmd.config_file or env.get("UV_CONFIG_FILE"):
        path = Path(cmd.config_file or env["UV_CONFIG_FILE"])
        return [_read_uv(path, nested=False, required=True) or _UvFile(path, None)]
    if cmd.no_config or env.get("UV_NO_CONFIG", "").lower() in {"1", "true", "yes", "on"}:
        return []
    out: list[_UvFile] = []
    if project is not None:
        out += _project_uv_file(project)
    xdg = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    user = _read_uv(xdg / "uv" / "uv.toml", nested=False)
    out += [user] if user else []
    for directory in (*(env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep), "/etc"):
        system = _read_uv(root / directory.lstrip("/") / "uv" / "uv.toml", nested=False)
        if system:  # only the first system file found is read
            out.append(system)
            break
    return out


def _project_uv_file(project: Path) -> list[_UvFile]:
    for directory in (project, *project.parents):
        found = _read_uv(directory / "uv.toml", nested=False) or _read_uv(
            directory / "pyproject.toml", nested=True
        )
        if found:
            return [found]
    return []


def _read_uv(path: Path, *, nested: bool, required: bool = False) -> _UvFile | None:
    if not path.is_file():
        if required:
            raise ConfigError(str(path), "uv config file does not exist")
        return None
    # The shared reader: a regular file within the size cap (a FIFO is refused, not waited on).
    data = _decode.load_toml(_decode.read_text(path, ConfigError), str(path), ConfigError)
    if nested and isinstance(data, dict):
        tool = data.get("tool")
        if not isinstance(tool, dict) or "uv" not in tool:
            return None  # uv skips a pyproject.toml without [tool.uv] and keeps looking up
        data = tool["uv"]
    if not isinstance(data, dict):
        raise ConfigError(str(path), "uv settings are not a table")
    default: str | None = None
    extra: list[str] = []
    for i, index in enumerate(_list(path, data.get("index", []), "index")):
        if not isinstance(index, dict) or not isinstance(index.get("url"), str):
            raise ConfigError(str(path), f"index[{i}] has no url")
        if index.get("explicit") is True:
            continue  # used only for packages pinned to it in [tool.uv.sources]
        if index.get("default") is True:
            default = default or index["url"]
        else:
            extra.append(index["url"])
    extra += [str(u) for u in _list(path, data.get("extra-index-url", []), "extra-index-url")]
    url = data.get("index-url")
    return _UvFile(path, default or (str(url) if url else None), tuple(extra))


def _list(path: Path, value: Any, key: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ConfigError(str(path), f"{key} is not a list")
    return value


def _pip_files(
    env: Mapping[str, str], home: Path, root: Path, prefix: Path | None
) -> Iterator[Path]:
    """pip's config files, lowest precedence first (a later file overrides an earlier one)."""
    if env.get("PIP_CONFIG_FILE") == os.devnull:
        return
    dirs = (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
    for directory in reversed(dirs):
        yield root / directory.lstrip("/") / "pip" / "pip.conf"
    yield root / "etc" / "pip.conf"
    yield home / ".pip" / "pip.conf"
    yield Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "pip" / "pip.conf"
    if prefix is not None:
        yield prefix / "pip.conf"
    if env.get("PIP_CONFIG_FILE"):
        yield Path(env["PIP_CONFIG_FILE"])


def _pip_file(path: Path) -> dict[str, str]:
    """``install`` / ``global`` index-url and the extra-index-url of one pip config file."""
    if not path.is_file():
        return {}
    import configparser  # loaded only when a pip config file exists

    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise ConfigError(str(path), f"cannot read pip config: {exc}") from exc
    out: dict[str, str] = {}
    for section in ("global", "install"):
        for key in ("index-url", "index_url"):
            if parser.has_option(section, key) and parser.get(section, key).split():
                out[section] = parser.get(section, key).split()[0]
        for key in ("extra-index-url", "extra_index_url"):
            if parser.has_option(section, key) and parser.get(section, key).split():
                out["extra"] = " ".join(parser.get(section, key).split())
    return out


def _index_url(value: str) -> str:
    """``name=url`` (uv's named form) -> url."""
    name, eq, url = value.partition("=")
    return url if eq and "://" not in name and "/" not in name else value


def _unique(settings: list[Setting]) -> tuple[Setting, ...]:
    seen: dict[str, Setting] = {}
    for s in settings:
        seen.setdefault(s.url.rstrip("/"), s)
    return tuple(seen.values())
