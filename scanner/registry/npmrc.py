"""npm's registry, scoped registries and per-registry tokens, as npm itself would read them.

Precedence, first match wins: the launch command (``--registry``), ``npm_config_*`` environment
variables, the project's ``.npmrc`` (in the nearest folder above the project that holds a
``package.json`` or ``node_modules``, else the project folder itself), the user's
(``npm_config_userconfig`` or ``~/.npmrc``) and the global one (``npm_config_globalconfig`` or
``<node prefix>/etc/npmrc``). ``${VAR}`` is expanded from the environment as npm does.

``//host[:port]/path/:_authToken=...`` lines are tokens: they are kept apart from the settings and
only ever go, as an ``Authorization`` header, to URLs under that same ``//host/path/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scanner.errors import ConfigError
from scanner.inventory import _decode
from scanner.registry.pyindex import Setting

_ENV_REF = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True, slots=True, repr=False)
class NpmSettings:
    """The registry, the ``@scope`` registries and the tokens (never shown: see ``__repr__``)."""

    registry: Setting
    scopes: dict[str, Setting] = field(default_factory=dict, hash=False)
    tokens: tuple[tuple[str, str], ...] = ()  # (nerf dart "//host/path/", token)

    def __repr__(self) -> str:
        scopes = {k: v.source for k, v in self.scopes.items()}
        keys = [k for k, _ in self.tokens]
        return f"NpmSettings(registry={self.registry.source!r}, scopes={scopes}, tokens_for={keys})"


def nerf_dart(url: str) -> str:
    """npm's credential key of a URL: ``//host[:port]/path/`` without scheme or userinfo."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return f"//{host.lower()}{path}"


def npm_settings(
    env: Mapping[str, str],
    *,
    project: Path | None,
    home: Path,
    default: Setting,
    global_npmrc: Path | None = None,
    command_registry: str | None = None,
) -> NpmSettings:
    """Resolve npm's settings (see the module docstring)."""
    lowered = {k.lower(): v for k, v in env.items()}
    registry: Setting | None = None
    if command_registry:
        registry = Setting(command_registry, "launch command")
    elif lowered.get("npm_config_registry"):
        registry = Setting(lowered["npm_config_registry"], "$npm_config_registry")
    scopes: dict[str, Setting] = {}
    for key, value in lowered.items():
        if key.startswith("npm_config_@") and key.endswith(":registry") and value:
            scopes.setdefault(key[len("npm_config_") : -len(":registry")], Setting(value, key))
    tokens: dict[str, str] = {}
    for path in npmrc_files(lowered, project, home, global_npmrc):
        settings = _read_npmrc(path, env)
        if registry is None and settings.get("registry"):
            registry = Setting(settings["registry"], str(path))
        for key, value in settings.items():
            if key.startswith("@") and key.endswith(":registry") and value:
                scopes.setdefault(key[: -len(":registry")], Setting(value, str(path)))
            elif key.startswith("//") and key.endswith(":_authtoken") and value:
                dart = key[: -len(":_authtoken")]
                tokens.setdefault(dart if dart.endswith("/") else dart + "/", value)
    return NpmSettings(registry or default, scopes, tuple(sorted(tokens.items())))


def npmrc_files(
    lowered_env: Mapping[str, str], project: Path | None, home: Path, global_npmrc: Path | None
) -> Iterator[Path]:
    """Project, user and global npmrc, highest precedence first."""
    if project is not None:
        root = next(
            (
                d
                for d in (project, *project.parents)
                if (d / "package.json").is_file() or (d / "node_modules").is_dir()
            ),
            project,
        )
        yield root / ".npmrc"
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
    """``key=value`` lines of an npmrc (keys lowercased), with ``${VAR}`` expanded."""
    if not path.is_file():
        return {}
    text = _decode.read_text(path, ConfigError)  # regular files within the size cap only
    out: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;" or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        value = value.strip().strip('"').strip("'")
        out[key.strip().lower()] = _ENV_REF.sub(lambda m: env.get(m.group(1), ""), value)
    return out
