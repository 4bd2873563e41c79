"""Any bytes or JSON / TOML / YAML value: each reader returns a result or raises LockfileError.

Hostile values (nesting past the parsers' limits, 5,000-digit integers, YAML alias bombs and
self-referring aliases) are planted anywhere in generated documents, and special files (named
pipes, folders, a link to ``/dev/zero``) stand in for every lockfile name.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import LockfileError
from scanner.inventory.lockfiles.read import read_lockfile

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOML_NAMES = ["uv.lock", "poetry.lock", "pylock.toml", "pyproject.toml"]
JSON_NAMES = ["package-lock.json", "package.json", "Pipfile.lock"]
YAML_NAMES = ["pnpm-lock.yaml", "yarn.lock"]
ALL_NAMES = [*TOML_NAMES, *JSON_NAMES, *YAML_NAMES, "requirements.txt"]

# Keys the readers look at, so generated documents reach past the first type check.
KEYS = st.sampled_from(
    [
        "version",
        "lock-version",
        "lockfileVersion",
        "package",
        "packages",
        "name",
        "source",
        "registry",
        "git",
        "sdist",
        "wheels",
        "url",
        "hash",
        "hashes",
        "files",
        "file",
        "dependencies",
        "devDependencies",
        "resolution",
        "integrity",
        "resolved",
        "link",
        "dev",
        "default",
        "develop",
        "_meta",
        "metadata",
        "project",
        "dependency-groups",
        "include-group",
        "tool",
        "poetry",
        "importers",
        "snapshots",
        "__metadata",
        "checksum",
        "vcs",
        "directory",
        "attestation-identities",
        "node_modules/x",
        "",
        "manifest",
        "members",
        "virtual",
    ]
) | st.text(max_size=8)
HOLE = "@@hostile@@"  # a leaf the tests replace with a hostile fragment after serialising
SCALARS = (
    st.just(HOLE)
    | st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "1.0.0",
            "==1.0",
            "sha256:" + "a" * 64,
            "sha512-abc",
            "npm:x@1.2.3",
            "git+https://h/r#c",
            "ms@2.1.3",
            "/ms/2.1.3",
            ".",
            "1.0",
        ]
    )
)


def json_values(scalars: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
        max_leaves=25,
    )


TOML_SCALARS = (
    st.just(HOLE)
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=20)
    | (st.sampled_from(["1.0.0", "sha256:" + "a" * 64, "git+https://h/r#c", ".", "1.0"]))
)
TOML_DOCS = st.dictionaries(
    KEYS,
    st.recursive(
        TOML_SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
        max_leaves=25,
    ),
    max_size=6,
)


def _check(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = read_lockfile(path)
        except LockfileError as exc:
            assert exc.path == str(path)
            return
        assert all(c.purl.startswith("pkg:") for c in result.components)
        for c in result.components:  # everything returned can be written out as UTF-8
            f"{c.purl}{c.name}{c.version}{c.requirement}{c.artifacts}".encode()


@pytest.mark.parametrize("name", ALL_NAMES)
@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes(name: str, data: bytes) -> None:
    _check(name, data)


@pytest.mark.parametrize("name", ALL_NAMES)
@SETTINGS
@given(text=st.text(max_size=300))
def test_any_text(name: str, text: str) -> None:
    _check(name, text.encode())


@pytest.mark.parametrize("name", JSON_NAMES)
@SETTINGS
@given(value=json_values(SCALARS))
def test_any_json(name: str, value: object) -> None:
    _check(name, json.dumps(value).encode())


@pytest.mark.parametrize("name", TOML_NAMES)
@SETTINGS
@given(doc=TOML_DOCS)
def test_any_toml(name: str, doc: dict[str, object]) -> None:
    _check(name, tomli_w.dumps(doc).encode())


@pytest.mark.parametrize("name", YAML_NAMES)
@SETTINGS
@given(value=json_values(SCALARS))
def test_any_yaml(name: str, value: object) -> None:
    _check(name, yaml.safe_dump(value).encode())


@SETTINGS
@given(
    name=st.text(alphabet="abcdefghij-_.", min_size=1, max_size=10),
    version=st.text(max_size=12),
    hash_=st.text(max_size=70),
)
def test_uv_lock_blocks(name: str, version: str, hash_: str) -> None:
    """uv's own layout with odd values: the fast path and the TOML fallback never crash."""
    text = (
        'version = 1\n\n[[package]]\nname = "' + name + '"\nversion = "' + version + '"\n'
        'source = { registry = "https://pypi.registry.invalid/simple" }\n'
        'sdist = { url = "https://files.registry.invalid/a.tar.gz", hash = "' + hash_ + '" }\n'
    )
    _check("uv.lock", text.encode())


BIG = "9" * 5000
BOMB = "".join(
    [f"l0: &l0 [{','.join(['x'] * 9)}]\n"]
    + [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)]
)
# What can be planted where a value goes, per syntax: deep nesting (inside and past each
# parser's own limit), an integer past Python's digit limit, and (YAML) aliases.
JSON_HOSTILE = [
    '"\\ud800"',
    '"x\\udfff"',
    "[" * 500 + "]" * 500,
    "[" * 5000 + "]" * 5000,
    "{" + '"a":{' * 600 + "}" * 601,
    BIG,
]
TOML_HOSTILE = [
    "[" * 300 + "]" * 300,
    "[" * 5000 + "]" * 5000,
    "{a = " * 500 + "1" + "}" * 500,
    BIG,
]
YAML_HOSTILE = ["[" * 500 + "]" * 500, "[" * 1500 + "]" * 1500, BIG, "*l8", "&r [*r]"]


def _plant(text: str, quoted: tuple[str, ...], fragment: str) -> str:
    for form in quoted:
        text = text.replace(form, fragment)
    return text


@pytest.mark.parametrize("name", JSON_NAMES)
@SETTINGS
@given(value=json_values(SCALARS), fragment=st.sampled_from(JSON_HOSTILE))
def test_hostile_json(name: str, value: object, fragment: str) -> None:
    _check(name, _plant(json.dumps(value), (f'"{HOLE}"',), fragment).encode())


@pytest.mark.parametrize("name", TOML_NAMES)
@SETTINGS
@given(doc=TOML_DOCS, fragment=st.sampled_from(TOML_HOSTILE))
def test_hostile_toml(name: str, doc: dict[str, object], fragment: str) -> None:
    _check(name, _plant(tomli_w.dumps(doc), (f'"{HOLE}"',), fragment).encode())


@pytest.mark.parametrize("name", YAML_NAMES)
@SETTINGS
@given(value=json_values(SCALARS), fragment=st.sampled_from(YAML_HOSTILE))
def test_hostile_yaml(name: str, value: object, fragment: str) -> None:
    """The bomb's anchors come first, so an alias planted anywhere below can expand them."""
    body = yaml.safe_dump(value if isinstance(value, dict) else {"x": value})
    head = "__metadata:\n  version: 6\n" if name == "yarn.lock" else ""
    data = (head + BOMB + _plant(body, (f"'{HOLE}'", HOLE), fragment)).encode()
    expected = {"*l8": "aliases expand", "&r [*r]": "refers to its own anchor|defined twice"}.get(
        fragment
    )
    if expected is None or HOLE not in body:
        _check(name, data)
        return
    with tempfile.TemporaryDirectory() as tmp:  # an expanding alias is refused, wherever it is
        path = Path(tmp) / name
        path.write_bytes(data)
        with pytest.raises(LockfileError, match=expected):
            read_lockfile(path)


@pytest.mark.parametrize("name", [*ALL_NAMES, "deps.lock", "locks.json"])
@pytest.mark.parametrize("special", ["fifo", "folder", "dev-zero"])
def test_special_files_are_refused(tmp_path: Path, name: str, special: str) -> None:
    """Never blocks on a pipe, never reads a device: a clear error naming the file."""
    path = tmp_path / name
    if special == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(path)
    elif special == "folder":
        path.mkdir()
    else:
        if sys.platform == "win32" or not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        path.symlink_to("/dev/zero")
    with pytest.raises(LockfileError) as info:
        read_lockfile(path)
    assert info.value.path == str(path)
