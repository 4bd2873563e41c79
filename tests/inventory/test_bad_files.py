"""Bad files are errors naming the file and the problem: never tracebacks, hangs or runaway memory.

Each hostile input is given to every reader that could meet it (lockfiles, MCP client configs,
the agent manifest); the inventory as a whole reports the bad file and reads the rest.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.errors import ConfigError, InputError, LockfileError
from scanner.inventory import _decode
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.inventory.configs.read import read_config_detailed
from scanner.inventory.lockfiles.read import read_lockfile
from scanner.inventory.manifest import load_manifest

DEEP_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_DOTTED_TOML = "x" + ".x" * 5000 + " = 1\n"
BIG = "1" * 5000  # past Python's 4300-digit limit for int()


def yaml_bomb(levels: int = 9) -> str:
    """The classic "billion laughs": 9 lists of 9 aliases each, 9 levels (~9**9 leaves)."""
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels):
        refs = ",".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _lockfile_error(path: Path, match: str) -> LockfileError:
    with pytest.raises(LockfileError, match=match) as info:
        read_lockfile(path)
    assert info.value.path == str(path)
    return info.value


# ------------------------------------------------------------------ deep TOML (RecursionError)


@pytest.mark.parametrize("text", [DEEP_TOML, DEEP_DOTTED_TOML], ids=["inline", "dotted"])
@pytest.mark.parametrize("name", ["uv.lock", "pylock.toml", "poetry.lock", "pyproject.toml"])
def test_deep_toml_lockfile_is_an_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    _lockfile_error(path, "nested too deeply")


@pytest.mark.parametrize("text", [DEEP_TOML, DEEP_DOTTED_TOML], ids=["inline", "dotted"])
def test_deep_toml_manifest_and_config_are_errors(tmp_path: Path, text: str) -> None:
    manifest = tmp_path / "chainwatch.toml"
    manifest.write_text(text)
    with pytest.raises(ConfigError, match="nested too deeply") as info:
        load_manifest(manifest)
    assert info.value.path == str(manifest)
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_config_detailed(config, "codex")


def test_uv_lock_deep_block_after_a_good_head_names_the_line(tmp_path: Path) -> None:
    """The fast path parses blocks one by one; a bad block still gives file and line."""
    path = tmp_path / "uv.lock"
    path.write_text("version = 1\n\n[[package]]\nname = 'a'\nx = " + "[" * 900 + "]" * 900 + "\n")
    error = _lockfile_error(path, "nested too deeply")
    assert error.line is None or error.line >= 3


# ------------------------------------------------------------------ 5,000-digit integers


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("package-lock.json", '{"lockfileVersion": NUM}'),
        ("Pipfile.lock", '{"_meta": {"x": NUM}}'),
        ("package.json", '{"dependencies": {}, "x": NUM}'),
        ("uv.lock", "version = NUM\n"),
        ("poetry.lock", "[metadata]\nx = NUM\n"),
        ("pnpm-lock.yaml", "lockfileVersion: NUM\n"),
    ],
)
def test_huge_integer_in_a_lockfile_is_an_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text.replace("NUM", BIG))
    _lockfile_error(path, "more than 4300 digits")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("mcp.json", '{"mcpServers": {"a": {"command": "x", "args": [NUM]}}}'),
        ("config.toml", "[mcp_servers.a]\ncommand = 'x'\nargs = [NUM]\n"),
        ("config.yaml", "mcpServers:\n  - name: a\n    command: x\n    args: [NUM]\n"),
    ],
)
def test_huge_integer_in_a_config_is_an_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text.replace("NUM", BIG))
    with pytest.raises(ConfigError, match="more than 4300 digits") as info:
        read_config_detailed(path)
    assert info.value.path == str(path)


def test_huge_integer_in_the_manifest_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "chainwatch.toml"
    path.write_text("version = NUM\n".replace("NUM", BIG))
    with pytest.raises(ConfigError, match="more than 4300 digits") as info:
        load_manifest(path)
    assert info.value.path == str(path)


# ------------------------------------------------------------------ YAML alias bombs


def test_the_bomb_is_small() -> None:
    assert len(yaml_bomb().encode()) <= 512


@pytest.mark.parametrize(
    ("name", "head", "use"),
    [
        ("pnpm-lock.yaml", "", "lockfileVersion: *l8\n"),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\n",
            "packages:\n  /a@1.0.0:\n    version: *l8\n",
        ),
        ("yarn.lock", "__metadata:\n  version: 6\n", "'a@npm:1':\n  resolution: *l8\n"),
        ("yarn.lock", "__metadata:\n  version: 6\n", "'a@npm:1':\n  version: *l8\n"),
    ],
)
def test_yaml_alias_bomb_in_a_lockfile_is_an_error(
    tmp_path: Path, name: str, head: str, use: str
) -> None:
    path = tmp_path / name
    path.write_text(head + yaml_bomb() + use)
    error = _lockfile_error(path, "aliases expand the document")
    assert error.line is not None


def test_yaml_alias_bomb_in_a_config_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_bomb() + "mcpServers:\n  - name: a\n    command: x\n    args: *l8\n")
    with pytest.raises(ConfigError, match="aliases expand the document") as info:
        read_config_detailed(path, "continue")
    assert info.value.path == str(path)


def test_merge_key_bomb_is_an_error(tmp_path: Path) -> None:
    """``<<: *a`` copies a mapping's keys: thousands of merges of a wide mapping add up."""
    keys = ", ".join(f"k{i}: {i}" for i in range(2000))
    merges = "".join(f"m{i}: {{<<: *wide}}\n" for i in range(200))
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text(f"lockfileVersion: '9.0'\nwide: &wide {{{keys}}}\n{merges}")
    _lockfile_error(path, "aliases expand the document")


def test_recursive_alias_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text("lockfileVersion: '9.0'\npackages: &p\n  /a@1.0.0: *p\n")
    _lockfile_error(path, "refers to its own anchor")


def test_modest_aliases_still_load(tmp_path: Path) -> None:
    """Anchors people write by hand (one env block shared by a few servers) are fine."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "common: &env {TOKEN: x, HOME: y}\n"
        "mcpServers:\n"
        "  - {name: a, command: x, env: *env}\n"
        "  - {name: b, command: y, env: *env}\n"
    )
    result = read_config_detailed(path, "continue")
    assert [(e.name, e.env_names) for e in result.entries] == [
        ("a", ("TOKEN", "HOME")),
        ("b", ("TOKEN", "HOME")),
    ]


def test_alias_budget_is_counted_beyond_what_is_written() -> None:
    """A document exactly at the budget loads; one node more is refused."""
    base = _decode.MAX_ALIAS_NODES
    ok = "a: &a [" + ",".join(["1"] * 999) + "]\nb: [" + ",".join(["*a"] * (base // 1000)) + "]\n"
    assert isinstance(_decode.load_yaml(ok, "ok.yaml", ConfigError), dict)
    over = ok.replace("b: [", "b: [*a,*a,")
    with pytest.raises(ConfigError, match="aliases expand"):
        _decode.load_yaml(over, "over.yaml", ConfigError)


# ------------------------------------------------------------------ FIFOs, devices, folders

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _within_deadline(path: Path, read: Callable[[Path], object]) -> BaseException | None:
    """Run ``read(path)`` in a thread; if it blocks on the FIFO, unblock it and fail."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            read(path)
            outcome.append(None)
        except InputError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # blocked opening the pipe: open the writing end so it returns
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(timeout=10)
        pytest.fail(f"reading {path.name} blocked on a FIFO")
    assert outcome, "the reader raised something other than an InputError"
    return outcome[0]


@needs_fifo
@pytest.mark.parametrize(
    "name",
    ["uv.lock", "package-lock.json", "pnpm-lock.yaml", "requirements.txt", "deps.lock"],
)
def test_fifo_as_lockfile_is_refused_without_blocking(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    os.mkfifo(path)
    error = _within_deadline(path, read_lockfile)
    assert isinstance(error, LockfileError) and error.path == str(path)
    # a renamed lockfile is recognised by its first bytes: a pipe is not even peeked at
    assert "named pipe" in error.problem or "not a manifest or lockfile" in error.problem


@needs_fifo
@pytest.mark.parametrize("client", [None, "claude-desktop", "codex"])
def test_fifo_as_config_is_refused_without_blocking(tmp_path: Path, client: str | None) -> None:
    path = tmp_path / "mcp.json"
    os.mkfifo(path)
    error = _within_deadline(path, lambda p: read_config_detailed(p, client))
    assert isinstance(error, ConfigError) and "named pipe" in error.problem


@needs_fifo
def test_fifo_as_manifest_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "chainwatch.toml"
    os.mkfifo(path)
    error = _within_deadline(path, load_manifest)
    assert isinstance(error, ConfigError) and "named pipe" in error.problem


needs_dev_zero = pytest.mark.skipif(
    sys.platform == "win32" or not Path("/dev/zero").exists(), reason="no /dev/zero"
)


@needs_dev_zero
def test_manifest_lockfile_linked_to_dev_zero_is_refused_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "uv.lock").symlink_to("/dev/zero")
    (tmp_path / "package-lock.json").write_text(
        '{"lockfileVersion": 3, "packages": {"node_modules/ms": {"version": "2.1.3"}}}'
    )
    (tmp_path / "mcp.json").symlink_to("/dev/zero")
    (tmp_path / "chainwatch.toml").write_text(
        'version = 1\n[[agent]]\nid = "a"\nconfigs = ["mcp.json"]\n'
        'lockfiles = ["uv.lock", "package-lock.json"]\n'
    )
    inventory = build_inventory([tmp_path], InventoryOptions(home=tmp_path / "nohome"))
    (agent,) = inventory.agents
    assert [c.name for c in agent.packages] == ["ms"]
    assert len(agent.errors) == 2
    assert any(str(tmp_path / "uv.lock") in e and "a device" in e for e in agent.errors)
    assert any(str(tmp_path / "mcp.json") in e and "a device" in e for e in agent.errors)


def test_a_folder_named_like_a_lockfile_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.mkdir()
    _lockfile_error(path, "a directory")


def test_lockfiles_have_a_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_decode, "MAX_FILE_BYTES", 100)
    path = tmp_path / "package-lock.json"
    path.write_text('{"lockfileVersion": 3, "packages": {}, "pad": "' + "x" * 200 + '"}')
    _lockfile_error(path, "larger than the 100 byte limit")


# ------------------------------------------------------------------ values shown in messages


def test_messages_never_render_whole_decoded_values(tmp_path: Path) -> None:
    """A list where a string belongs is named by its type, not printed (it may be huge)."""
    path = tmp_path / "chainwatch.toml"
    path.write_text("version = [" + ", ".join(["1"] * 5000) + "]\n")
    with pytest.raises(ConfigError, match="unsupported manifest version a list of 5000 items"):
        load_manifest(path)
    assert _decode.shown("x" * 100, 10) == "'xxxxxxxxxx'..."
    assert _decode.shown(1.5) == "1.5"


def test_infinite_pnpm_lockfile_version_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text("lockfileVersion: .inf\n")
    _lockfile_error(path, "no lockfileVersion")


def _shares_a_node(root: yaml.Node | None) -> bool:
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


_GAP = st.sampled_from(["", " ", "\t", "\n ", " \n\t "])
_PROPS = st.sampled_from(["", "", "&a", "!!str &a", "&a !!str"])
_LEAF = st.sampled_from(["x", "'q'", '"q"', "1", "[]", "{}"])


def _flow(depth: int = 0) -> st.SearchStrategy[str]:
    """A flow node whose anchor may sit right after a bracket, comma, colon, tab or newline."""
    body = _LEAF
    if depth < 3:
        inner = st.tuples(_GAP, _flow(depth + 1)).map("".join)
        items = st.lists(inner, max_size=3).map(",".join)
        pairs = st.lists(st.tuples(_GAP, inner), max_size=3).map(
            lambda kv: ",".join(f"{g}k{i}:{v}" for i, (g, v) in enumerate(kv))
        )
        body = _LEAF | items.map(lambda t: f"[{t}]") | pairs.map(lambda t: f"{{{t}}}")
    sep = st.sampled_from([" ", "\t", "\n  "])
    return st.tuples(_PROPS, sep, body).map(lambda t: f"{t[0]}{t[1]}{t[2]}" if t[0] else t[2])


_DOCS = st.tuples(st.sampled_from(["k: ", "k:\t", "- ", "k:\n  ", "? ", ""]), _flow()).map(
    lambda t: t[0] + t[1] + ("\nz: *a\n" if t[0].startswith("k") else "\n- *a\n")
)


@settings(max_examples=500, deadline=None)
@given(_DOCS)
def test_anchor_prefilter_never_misses_an_anchor(text: str) -> None:
    """The alias check is skipped only when no anchor can be written: never wrongly."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return
    if _shares_a_node(root):
        assert _decode._ANCHOR.search(text), text


def test_text_no_parser_can_take_is_an_error() -> None:
    """Text handed to a loader directly (not read from a file) may hold lone surrogates."""
    for load in (_decode.load_json, _decode.load_toml, _decode.load_yaml):
        with pytest.raises(ConfigError) as info:
            load('a: "\ud800"', "odd.txt", ConfigError)
        assert info.value.path == "odd.txt"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("package.json", '{"dependencies": {"x\\ud800": "1.0.0"}}'),
        (
            "package-lock.json",
            '{"lockfileVersion": 3, "packages": {"node_modules/a": '
            '{"version": "1.0.0", "resolved": "https://r.invalid/\\udc00"}}}',
        ),
        ("Pipfile.lock", '{"_meta": {}, "default": {"a": {"version": "==1\\ud8ff"}}}'),
    ],
)
def test_unpaired_surrogate_escape_in_json_lockfile_is_an_error(
    tmp_path: Path, name: str, text: str
) -> None:
    """JSON accepts "\\ud800" alone, but no store or report can write it: refused, named."""
    path = tmp_path / name
    path.write_text(text)
    _lockfile_error(path, "unpaired surrogate")


def test_unpaired_surrogate_in_config_is_an_error_and_a_pair_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text('{"mcpServers": {"a\\ud800": {"command": "x"}}}')
    with pytest.raises(ConfigError, match="unpaired surrogate"):
        read_config_detailed(path)
    path.write_text('{"mcpServers": {"a\\ud83d\\ude00": {"command": "x"}}}')  # one emoji
    assert [e.name for e in read_config_detailed(path).entries] == ["a\N{GRINNING FACE}"]
