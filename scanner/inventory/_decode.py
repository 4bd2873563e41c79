"""The one file reader and the JSON, TOML and YAML loaders every inventory reader uses.

Configs, lockfiles and the agent manifest all come through here, so the limits hold for all:

1. Only regular files are read (a FIFO, a device such as ``/dev/zero`` or a directory is
   refused without blocking), and at most ``MAX_FILE_BYTES + 1`` bytes are ever read.
2. Decoding never lets a parser's own exception escape: syntax errors, nesting past the
   parser's depth limit (``RecursionError``), integers past Python's digit limit and YAML's
   bad timestamps all become the caller's :class:`~scanner.errors.InputError` subclass,
   naming the file and, where the parser knows it, the line.
3. YAML aliases may add at most ``MAX_ALIAS_NODES`` nodes to a document and may not refer to
   themselves, so an alias "bomb" (a few hundred bytes that expand to billions of nodes) is
   an error in milliseconds instead of minutes of CPU and gigabytes of memory.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli

from scanner.errors import InputError

if TYPE_CHECKING:
    import yaml

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Any config, lockfile or manifest larger than this is refused (the largest real lockfiles of
big monorepos are tens of megabytes; MCP client configs are kilobytes)."""

MAX_ALIAS_NODES = 100_000
"""How many nodes YAML aliases may add to a document, over the nodes written out in it."""

# O_NONBLOCK: opening a FIFO for reading must not wait for a writer; fstat then refuses it.
# O_NOCTTY: opening a terminal device must never make it this process's controlling terminal.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# An anchor starts a node's properties, so it follows a line start, blank or indicator; "&" in a
# URL's query string does not. A false match only costs a walk over the node graph.
_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:])&\S", re.MULTILINE)


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_regular(path: Path, error: type[InputError]) -> int:
    """A read-only descriptor of ``path`` once it is known to be a regular file, else ``error``."""
    where = str(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise error(where, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode  # of what was opened: a swap after a stat() cannot fool it
    except OSError as exc:
        os.close(fd)
        raise error(where, f"cannot read file: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise error(
            where,
            f"is {_kind_of(mode)}, not a regular file; not read",
            hint="name the file itself (a link to a device or pipe is refused too)",
        )
    return fd


def read_bytes(path: Path, error: type[InputError]) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``, else ``error``."""
    fd = _open_regular(path, error)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise error(str(path), _too_large(size), hint=_SIZE_HINT)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # the file may have grown since fstat
    except OSError as exc:
        raise error(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise error(str(path), _too_large(None), hint=_SIZE_HINT)
    return data


def read_head(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of a regular file, or None when it is not one or unreadable."""
    try:
        fd = _open_regular(path, InputError)
    except InputError:
        return None
    try:
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(size)
    except OSError:
        return None
    finally:
        os.close(fd)


_SIZE_HINT = "configs, lockfiles and manifests are far smaller; is this the right file?"


def _too_large(size: int | None) -> str:
    found = f"file is {size} bytes, " if size is not None else "file is "
    return f"{found}larger than the {MAX_FILE_BYTES} byte limit"


def read_text(path: Path, error: type[InputError]) -> str:
    """A regular file's UTF-8 text (a BOM is dropped), or ``error`` naming file and line."""
    data = read_bytes(path, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(str(path), "file is not valid UTF-8 text", line=line) from exc


def load_json(text: str, path: str, error: type[InputError]) -> object:
    """Decode JSON text; every failure is ``error`` naming the file (and line when known)."""
    try:
        data = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):
            # json accepts "\ud800" alone; such a string cannot be written as UTF-8 anywhere
            # later (the store, a report), so it is refused here, naming the file
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data
    except UnicodeEncodeError as exc:
        raise error(
            path, "invalid JSON: a string holds an unpaired surrogate (\\ud800-\\udfff)"
        ) from exc
    except json.JSONDecodeError as exc:
        raise error(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    except RecursionError as exc:
        raise error(path, "invalid JSON: nested too deeply") from exc
    except ValueError as exc:  # an integer longer than Python's digit limit
        raise error(path, f"invalid JSON: {_too_long(exc)}") from exc


def load_toml(text: str, path: str, error: type[InputError], *, first_line: int = 1) -> object:
    """Decode TOML text (``first_line``: where ``text`` starts in the file), else ``error``."""
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        at = getattr(exc, "lineno", None)
        problem = getattr(exc, "msg", None) or str(exc)
        line = at + first_line - 1 if isinstance(at, int) else None
        raise error(path, f"invalid TOML: {problem}", line=line) from exc
    except RecursionError as exc:  # tomli's own nesting and key-length limits, or the stack's
        raise error(path, "invalid TOML: nested too deeply") from exc
    except ValueError as exc:  # an integer longer than Python's digit limit
        raise error(path, f"invalid TOML: {_too_long(exc)}") from exc


@cache
def _yaml_loader() -> Any:
    """The safe loader class, libyaml's when installed.

    PyYAML loads on the first YAML file: a run that reads none (a JSON client config, a
    requirements file) never pays for it.
    """
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, path: str, error: type[InputError]) -> object:
    """Decode one YAML document with a safe loader and bounded aliases, else ``error``."""
    import yaml  # loaded already by _yaml_loader(); a name lookup here

    try:
        loader = _yaml_loader()(text)
    except (yaml.YAMLError, ValueError) as exc:  # text the reader cannot take (lone surrogates)
        raise error(path, f"invalid YAML: {_first_line(exc)}") from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _ANCHOR.search(text):  # no anchor, no alias: nothing can grow on loading
            _check_aliases(node, path, error)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        if "duplicate anchor" in (exc.context or ""):  # libyaml: "second occurrence"
            problem = "an anchor is defined twice"
        raise error(path, f"invalid YAML: {problem}", line=line) from exc
    except yaml.YAMLError as exc:
        raise error(path, f"invalid YAML: {_first_line(exc)}") from exc
    except RecursionError as exc:
        raise error(path, "invalid YAML: nested too deeply") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # bad timestamps, huge ints, ...
        raise error(path, f"invalid YAML value: {_too_long(exc)}") from exc
    finally:
        loader.dispose()


def _check_aliases(root: yaml.Node, path: str, error: type[InputError]) -> None:
    """Refuse a node graph whose aliases expand it by more than ``MAX_ALIAS_NODES`` nodes.

    The composer shares one node between an anchor and its aliases, so the graph stays small
    even when the document it stands for is huge. Steps, with an explicit stack (nesting may
    be deep):

    1. Each node's expanded size is computed once, after its children (post-order).
    2. Reaching a node that is still open (an ancestor) means an alias refers to itself.
    3. Expanded size minus the nodes actually written (``len(size)``) is what aliases add.
    """
    import yaml

    size: dict[int, int] = {}  # id(node) -> expanded node count, once finished
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] - len(size) > MAX_ALIAS_NODES:
                raise error(
                    path,
                    f"invalid YAML: aliases expand the document by more than "
                    f"{MAX_ALIAS_NODES} nodes (an alias bomb?)",
                    line=node.start_mark.line + 1,
                )
        elif key in size:
            continue
        elif isinstance(node, yaml.ScalarNode):
            size[key] = 1
        elif key in open_:
            line = node.start_mark.line + 1
            raise error(path, "invalid YAML: an alias refers to its own anchor", line=line)
        else:
            open_.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    # Called per node of a large document: the loaded module, not an import statement each time.
    yaml = sys.modules["yaml"]  # imported by load_yaml before any node exists
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _too_long(exc: BaseException) -> str:
    if isinstance(exc, ValueError) and "digits" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n", 1)[0]


def shown(value: object, limit: int = 60) -> str:
    """A short rendering of a decoded value for a message: never walks a list or mapping.

    (``repr`` of a decoded container can be as large as the file, or raise RecursionError
    when nesting is deep.)
    """
    if isinstance(value, dict | list | tuple | set):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)} items"
    if isinstance(value, str):
        return repr(value[:limit]) + ("..." if len(value) > limit else "")
    text = repr(value)
    return text[:limit] + ("..." if len(text) > limit else "")
