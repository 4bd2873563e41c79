"""Python runners: uvx / uv tool run, uv run (--with), pipx run.

``python -m <module>`` is not mapped to a distribution: module and distribution names differ
(``python -m mcp_server_fetch`` vs ``mcp-server-fetch``) and the module comes from whatever
environment the interpreter has, which a lockfile reader inventories. It becomes a Skipped.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packaging.version import InvalidVersion, Version

from scanner.errors import LaunchError
from scanner.inventory.launch import _git
from scanner.inventory.launch._context import Ctx, floating_finding, make_purl
from scanner.inventory.launch._tree import add_tree
from scanner.inventory.launch.argv import launcher_of
from scanner.inventory.launch.caches import normalize_pypi
from scanner.inventory.launch.remote import add_bridge_urls
from scanner.inventory.launch.script import add_script
from scanner.models import Component, EvidenceKind, Installer, VersionEvidence

_UV_AT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?@([^\s/@]+)$")

# Options of uv / uvx / uv run / uv tool run that take a value (all others are flags).
UV_VALUES = frozenset(
    {
        "--from", "--with", "--with-editable", "--with-requirements", "-w", "--python", "-p",
        "--index", "--default-index", "--index-url", "-i", "--extra-index-url", "--find-links",
        "-f", "--constraints", "-c", "--constraint", "--overrides", "--build-constraints", "-b",
        "--index-strategy", "--keyring-provider", "--resolution", "--prerelease",
        "--exclude-newer", "--exclude-newer-package", "--config-setting", "-C",
        "--config-settings-package", "--no-build-isolation-package", "--link-mode",
        "--reinstall-package", "--upgrade-package", "-P", "--refresh-package",
        "--no-binary-package", "--no-build-package", "--env-file", "--python-platform",
        "--cache-dir", "--directory", "--project", "--config-file", "--color",
        "--allow-insecure-host", "--trusted-host", "--torch-backend", "--package", "--extra",
        "--group", "--only-group", "--no-group", "--no-extra", "--python-preference",
        "--fork-strategy", "--build-constraint", "--max-recursion-depth",
    }
)  # fmt: skip
_PIP_VALUES = frozenset({"--index-url", "-i", "--extra-index-url"})
PIPX_VALUES = frozenset(
    {"--spec", "--python", "--pip-args", "--index-url", "-i", "--backend", "--preinstall"}
)


@dataclass(frozen=True, slots=True)
class PySpec:
    """A PyPI requirement as a runner was given it."""

    name: str  # PEP 503 normalised
    version: str | None  # exact version, normalised
    detail: str  # the floating part ("==1.2", ">=1", "@latest", "unversioned")
    latest: bool


@lru_cache(maxsize=4096)
def parse_pyspec(raw: str) -> PySpec | None:
    """Parse ``pkg``, ``pkg==1``, ``pkg[cli]==1``, ``pkg@1`` (uv), ``pkg@latest``; else None."""
    text = raw.strip()
    match = _UV_AT.match(text)
    if match:
        name, version = normalize_pypi(match.group(1)), match.group(3)
        if version.lower() == "latest":
            return PySpec(name, None, "@latest", True)
        return PySpec(name, _normal_version(version), f"@{version}", False)
    # packaging's requirement grammar (regexes compiled on import) loads on the first spec
    # that is not in uv's name@version form: a run without such a launch command never pays.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    if req.url:
        return None
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in {"==", "==="} and "*" not in specs[0].version:
        return PySpec(
            normalize_pypi(req.name), _normal_version(specs[0].version), str(specs[0]), False
        )
    return PySpec(normalize_pypi(req.name), None, str(req.specifier) or "unversioned", False)


def _normal_version(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def add_pypi(
    ctx: Ctx, raw: str, *, label: str, cache: str | None, args: list[str] | None = None
) -> None:
    """Add the component for one Python requirement as ``label`` was given it."""
    text = raw.strip()
    if text.startswith("git+") or " @ git+" in text or "@git+" in text:
        url, ref = _git.split_git_url(text[text.index("git+") :])
        _git.add_git(ctx, url, ref, raw)
        return
    spec = parse_pyspec(text)
    if spec is None:
        ctx.skip(f"{label}: {raw!r} is not a PyPI requirement (path, URL or malformed)")
        return
    evidence = VersionEvidence(
        EvidenceKind.COMMAND_PIN if spec.version else EvidenceKind.UNRESOLVED, detail=spec.detail
    )
    version = spec.version
    found = None
    if ctx.caches is not None and cache is not None:
        found = (
            ctx.caches.uv_version(spec.name, spec.version)
            if cache == "uv"
            else ctx.caches.pipx_version(spec.name, spec.version)
        )
        if found is not None and version is None:
            version = found[0]
            evidence = VersionEvidence(
                EvidenceKind.TOOL_CACHE, source=str(found[1]), detail=spec.detail
            )
    purl = make_purl("pypi", spec.name, version=version)
    ctx.add(
        Component(
            purl=purl,
            ecosystem="pypi",
            name=spec.name,
            version=version,
            evidence=evidence,
            requirement=raw,
            source=ctx.location,
        )
    )
    if found is not None and ctx.caches is not None:
        add_tree(ctx, "pypi", spec.name, ctx.caches.venv_tree(found[1]), found[1])
    if spec.version is None:
        floating_finding(
            ctx, purl, spec.detail, latest=spec.latest, what=f"PyPI package {spec.name}"
        )
    if args is not None:
        add_bridge_urls(ctx, spec.name, args)


def _options(
    words: list[str], values: frozenset[str], collect: frozenset[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Split leading options from the positional rest; values of ``collect`` options are kept."""
    found: dict[str, list[str]] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            return found, words[i + 1 :]
        key, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if key in values:
            if eq:
                value, i = inline, i + 1
            elif i + 1 < len(words):
                value, i = words[i + 1], i + 2
            else:
                raise LaunchError(f"option {key} has no value")
            if key in collect:
                found.setdefault(key, []).append(value)
            continue
        if word.startswith("-") and word != "-":
            if key in collect:  # a flag we care about (uv run -m)
                found.setdefault(key, [])
            i += 1
            continue
        return found, words[i:]
    return found, []


def _withs(ctx: Ctx, found: dict[str, list[str]], label: str) -> list[str]:
    names: list[str] = []
    for value in found.get("--with", []) + found.get("-w", []):
        for item in value.split(","):
            if item.strip():
                add_pypi(ctx, item, label=f"{label} --with", cache=None)
                spec = parse_pyspec(item)
                if spec:
                    names.append(spec.name)
    for key in ("--with-editable", "--with-requirements"):
        for value in found.get(key, []):
            ctx.skip(f"{label} {key} {value!r}: local packages or requirement files are not read")
    return names


_INDEX_OPTS = frozenset(
    {"--index", "--default-index", "--index-url", "-i", "--extra-index-url", "--config-file",
     "--no-config", "--isolated"}
)  # fmt: skip


def _uv_registry(ctx: Ctx, found: dict[str, list[str]], installer: Installer) -> None:
    """The runner's registry hint from its index options (command line beats everything)."""
    default = found.get("--default-index") or found.get("--index-url") or found.get("-i") or []
    extra = [
        u for key in ("--index", "--extra-index-url") for v in found.get(key, []) for u in v.split()
    ]
    ctx.set_registry(
        installer,
        index=default[-1] if default else None,
        extra=extra,
        no_config="--no-config" in found or "--isolated" in found,
        config_file=found["--config-file"][-1] if found.get("--config-file") else None,
    )


def run_uvx(ctx: Ctx, words: list[str], outer: dict[str, list[str]] | None = None) -> None:
    """``uvx [options] <package> [args]`` and ``uvx --from <spec> <command> [args]``."""
    keep = frozenset({"--from", "--with", "-w", "--with-editable", "--with-requirements"})
    found, rest = _options(words, UV_VALUES, keep | _INDEX_OPTS)
    for key, values in (outer or {}).items():
        found.setdefault(key, values)
    _uv_registry(ctx, found, Installer.UV_TOOL)
    _withs(ctx, found, "uvx")
    if "--from" in found:
        spec, args = found["--from"][-1], rest[1:]
    elif rest:
        spec, args = rest[0], rest[1:]
    else:
        ctx.skip("uvx without a package to run")
        return
    add_pypi(ctx, spec, label="uvx", cache="uv", args=args)


def run_uv(ctx: Ctx, words: list[str]) -> None:
    """``uv [global options] tool run|run ...``."""
    keep = frozenset({"--directory", "--project"}) | _INDEX_OPTS
    found, rest = _options(words, UV_VALUES, keep)
    _set_directory(ctx, found)
    outer = {k: v for k, v in found.items() if k in _INDEX_OPTS}
    if rest[:2] == ["tool", "run"]:
        run_uvx(ctx, rest[2:], outer)
    elif rest[:1] == ["run"]:
        _uv_run(ctx, rest[1:], outer)
    elif rest[:1] == ["tool"] and rest[1:2] == ["uvx"]:
        run_uvx(ctx, rest[2:], outer)
    else:
        ctx.skip(f"uv {' '.join(rest[:2])!r} is not a launch command chainwatch understands")


def _set_directory(ctx: Ctx, found: dict[str, list[str]]) -> None:
    for key in ("--directory", "--project"):
        if found.get(key):
            ctx.base_dir = Path(found[key][-1]).expanduser()


def _uv_run(ctx: Ctx, words: list[str], outer: dict[str, list[str]] | None = None) -> None:
    keep = frozenset(
        {"--with", "-w", "--with-editable", "--with-requirements", "--directory", "--project",
         "-m", "--module", "-s", "--script"}
    ) | _INDEX_OPTS  # fmt: skip
    found, rest = _options(words, UV_VALUES, keep)
    for key, values in (outer or {}).items():
        found.setdefault(key, values)
    _set_directory(ctx, found)
    _uv_registry(ctx, found, Installer.UV)
    withs = _withs(ctx, found, "uv run")
    if not rest:
        if not withs:
            ctx.skip("uv run without a command")
        return
    if "-m" in found or "--module" in found:
        ctx.skip(f"python -m {rest[0]}: module not mapped to a distribution")
        return
    head = rest[0]
    if launcher_of(head) is not None:
        ctx.redispatch(rest)
    elif head.lower().endswith((".py", ".pyw")) or "/" in head or "\\" in head:
        add_script(ctx, head)
    elif normalize_pypi(head) not in withs:
        ctx.skip(f"uv run {head!r}: a command from the project environment (see its lockfile)")


def _pipx_registry(ctx: Ctx, found: dict[str, list[str]]) -> None:
    """pipx installs with pip: ``--index-url`` and the index options inside ``--pip-args``."""
    pip_found: dict[str, list[str]] = {}
    for text in found.get("--pip-args", []):
        try:
            pip_words = shlex.split(text)
        except ValueError:
            continue  # an unbalanced quote: pip would fail too; the registry stays pip's own
        pip_found, _ = _options(pip_words, _PIP_VALUES, _PIP_VALUES)
    index = (
        found.get("--index-url")
        or found.get("-i")
        or pip_found.get("--index-url")
        or pip_found.get("-i")
        or []
    )
    extra = pip_found.get("--extra-index-url", [])
    ctx.set_registry(Installer.PIP, index=index[-1] if index else None, extra=extra)


def run_pipx(ctx: Ctx, words: list[str]) -> None:
    """``pipx run [--spec <spec>] <app> [args]``."""
    found, rest = _options(words, PIPX_VALUES, frozenset())
    if rest[:1] != ["run"]:
        ctx.skip(f"pipx {' '.join(rest[:1])!r} is not a launch command chainwatch understands")
        return
    found, rest = _options(
        rest[1:], PIPX_VALUES, frozenset({"--spec", "--index-url", "-i", "--pip-args"})
    )
    _pipx_registry(ctx, found)
    if "--spec" in found:
        spec, args = found["--spec"][-1], rest[1:]
    elif rest:
        spec, args = rest[0], rest[1:]
    else:
        ctx.skip("pipx run without a package to run")
        return
    add_pypi(ctx, spec, label="pipx run", cache="pipx", args=args)
