"""Turn a server's command and args into one argv, and tell which launcher it starts."""

from __future__ import annotations

import re
import shlex
from enum import StrEnum
from functools import lru_cache

from scanner.errors import LaunchError
from scanner.inventory.launch._files import basename, has_separator

_WS = re.compile(r"\s+")
_PYTHON = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)*)?w?$")
_SHIM_SUFFIXES = (".cmd", ".exe", ".bat", ".ps1")


class Launcher(StrEnum):
    """Launcher families that resolve_launch understands."""

    NPX = "npx"
    NPM = "npm"
    PNPX = "pnpx"
    PNPM = "pnpm"
    YARN = "yarn"
    BUNX = "bunx"
    BUN = "bun"
    UVX = "uvx"
    UV = "uv"
    PIPX = "pipx"
    PYTHON = "python"
    NODE = "node"
    DENO = "deno"
    TSX = "tsx"
    DOCKER = "docker"
    CMD = "cmd"
    SHELL = "sh"
    ENV = "env"


_ALIASES: dict[str, Launcher] = {
    **{member.value: member for member in Launcher},
    "py": Launcher.PYTHON,
    "nodejs": Launcher.NODE,
    "ts-node": Launcher.TSX,
    "podman": Launcher.DOCKER,
    "nerdctl": Launcher.DOCKER,
    "bash": Launcher.SHELL,
    "zsh": Launcher.SHELL,
    "dash": Launcher.SHELL,
}


def launcher_of(token: str) -> Launcher | None:
    """The launcher a command token names: a bare name, a shim path or a ``.cmd``/``.exe``."""
    name = basename(token).lower()
    for suffix in _SHIM_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    found = _ALIASES.get(name)
    if found is None and _PYTHON.match(name):
        return Launcher.PYTHON
    return found


def build_argv(command: object, args: object) -> list[str]:
    """One argv from ``command`` and ``args``; a command with spaces is split like a shell would."""
    if not isinstance(command, str):
        raise LaunchError(f"command is not a string: {type(command).__name__}")
    if not isinstance(args, tuple | list):
        raise LaunchError(f"args is not a list: {type(args).__name__}")
    rest: list[str] = []
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            raise LaunchError(f"argument {i} is not a string: {arg!r}")
        rest.append(arg)
    return [*split_command(command), *rest]


def split_command(command: str) -> list[str]:
    """Split a single-string command; a path with spaces (``C:\\Program Files\\..``) stays whole."""
    return list(_split_cached(command))


@lru_cache(maxsize=4096)
def _split_cached(command: str) -> tuple[str, ...]:
    text = command.strip()
    if not text:
        raise LaunchError("empty command")
    if "\x00" in text:
        raise LaunchError("command contains a NUL character")
    if not _WS.search(text):
        return (text,)
    if text[0] in "\"'":
        end = text.find(text[0], 1)
        if end < 0:
            raise LaunchError(f"unbalanced quote in command {command!r}")
        head, tail = text[1:end], text[end + 1 :]
    elif has_separator(text.split(None, 1)[0]) or text.startswith("~"):
        head, tail = _split_path(text)
    else:
        head, tail = "", text
    windows = "\\" in text
    try:
        words = shlex.split(tail, posix=not windows)
    except ValueError as exc:
        raise LaunchError(f"cannot split command {command!r}: {exc}") from exc
    if windows:
        words = [_unquote(w) for w in words]
    return (head, *words) if head else tuple(words)


def _split_path(text: str) -> tuple[str, str]:
    # A path with spaces extends over the next word while that word still looks like a path
    # ("Application Support/snyk/cli") and stops at a known launcher ("...\nodejs\npx.cmd -y").
    for match in _WS.finditer(text):
        head, tail = text[: match.start()], text[match.end() :]
        if launcher_of(head) is not None:
            return head, tail
        nxt = tail.split(None, 1)
        if not nxt or not has_separator(nxt[0]) or nxt[0].startswith(("-", "/", "~")):
            return head, tail
    return text, ""


def _unquote(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"'":
        return word[1:-1]
    return word


def unwrap_cmd(argv: list[str]) -> list[str]:
    """``cmd /c <command line>`` -> the command line's argv."""
    i = 1
    while i < len(argv) and argv[i].startswith("/"):
        flag = argv[i].lower()
        i += 1
        if flag in {"/c", "/k"}:
            return _nested(argv[i:])
    raise LaunchError("cmd without /c or /k runs no command")


def unwrap_shell(argv: list[str]) -> list[str] | None:
    """``sh -c '<command line>'`` -> the command line's argv; None for ``sh script.sh``."""
    for i in range(1, len(argv)):
        word = argv[i]
        if word == "--" or not word.startswith("-"):
            return None
        if not word.startswith("--") and "c" in word[1:]:
            if i + 1 >= len(argv):
                raise LaunchError("shell -c without a command")
            return split_command(argv[i + 1])
    return None


def unwrap_env(argv: list[str]) -> list[str]:
    """``env [-i] [-u NAME] [NAME=value]... command`` -> the command's argv."""
    i = 1
    while i < len(argv):
        word = argv[i]
        if word in {"-u", "--unset", "-C", "--chdir"}:
            i += 2
        elif word == "-S" or word == "--split-string":
            return _nested(argv[i + 1 :])
        elif word.startswith("-") or ("=" in word and not has_separator(word.split("=", 1)[0])):
            i += 1
        else:
            return argv[i:]
    raise LaunchError("env without a command")


def _nested(words: list[str]) -> list[str]:
    if not words:
        raise LaunchError("wrapper without a command")
    if len(words) == 1:
        return split_command(words[0])
    return [*split_command(words[0]), *words[1:]] if _WS.search(words[0]) else words
