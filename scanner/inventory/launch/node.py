"""npm-family runners: npx, npm exec, pnpm dlx / pnpx, yarn dlx, bunx / bun x."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.errors import LaunchError
from scanner.inventory.launch import _git
from scanner.inventory.launch._context import Ctx, floating_finding, make_purl
from scanner.inventory.launch._tree import add_tree
from scanner.inventory.launch.remote import add_bridge_urls
from scanner.models import Component, EvidenceKind, Installer, VersionEvidence

_NAME = re.compile(r"^(?:@([a-z0-9][a-z0-9._~-]*)/)?([a-z0-9_~.-][a-z0-9._~-]*)$", re.IGNORECASE)
_EXACT = re.compile(
    r"^[=v]*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
_GITHUB_SHORT = re.compile(r"^(?:github:)?([A-Za-z0-9][\w.-]*)/([\w.-]+?)(?:#(.+))?$")


@dataclass(frozen=True, slots=True)
class Runner:
    """How one npm-family runner spells its options."""

    label: str
    value_opts: frozenset[str]
    package_opts: frozenset[str]
    call_opts: frozenset[str] = frozenset()
    npx_cache: bool = False  # installs into the npx cache (npm exec / npx)


_NPM_VALUES = frozenset(
    {
        "-w", "--workspace", "--registry", "--cache", "--userconfig", "--globalconfig",
        "--prefix", "--node-options", "--shell", "--script-shell", "--loglevel", "--before",
        "--npx-cache", "--tag", "--scope", "--otp", "--cafile", "--ca", "--proxy",
        "--https-proxy", "--noproxy", "--userAgent", "--user-agent",
    }
)  # fmt: skip
NPX = Runner("npx", _NPM_VALUES, frozenset({"-p", "--package"}), frozenset({"-c", "--call"}), True)
PNPM_DLX = Runner(
    "pnpm dlx",
    frozenset({"--registry", "--dir", "-C", "--reporter", "--loglevel", "--filter", "-F"}),
    frozenset({"--package"}),
)
YARN_DLX = Runner("yarn dlx", frozenset({"--cwd"}), frozenset({"-p", "--package"}))
BUNX = Runner("bunx", frozenset({"--cwd", "--registry"}), frozenset({"-p", "--package"}))


def run_exec(
    ctx: Ctx, runner: Runner, words: list[str], pre_packages: tuple[str, ...] = ()
) -> None:
    """Resolve ``<runner> [options] <package> [args]`` (``words`` starts after the runner)."""
    packages = list(pre_packages)
    call: str | None = None
    registry: str | None = None
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            positional = words[i + 1 :]
            break
        key, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if key in runner.package_opts or key in runner.call_opts or key in runner.value_opts:
            if eq:
                value, i = inline, i + 1
            elif i + 1 < len(words):
                value, i = words[i + 1], i + 2
            else:
                raise LaunchError(f"{runner.label}: option {key} has no value")
            if key in runner.package_opts:
                packages.append(value)
            elif key in runner.call_opts:
                call = value
            elif key == "--registry":
                registry = value
            continue
        if word.startswith("-") and word != "-":
            i += 1
            continue
        positional = words[i:]
        break
    if packages:
        specs, args = packages, positional[1:] if positional else []
    elif call is not None:
        ctx.skip(f"{runner.label} --call without --package runs a local command: {call!r}")
        return
    elif positional:
        specs, args = positional[:1], positional[1:]
    else:
        ctx.skip(f"{runner.label} without a package to run")
        return
    ctx.set_registry(Installer.NPM, index=registry)
    for spec in specs:
        add_npm(ctx, spec, runner=runner, requested=tuple(specs), args=args)


def add_npm(
    ctx: Ctx,
    spec: str,
    *,
    runner: Runner | None = None,
    requested: tuple[str, ...] = (),
    args: list[str] | None = None,
) -> None:
    """Add the component for one npm package spec as a runner was given it."""
    label = runner.label if runner else "npm"
    if spec.startswith(("git+", "git://", "github:")) or (
        not spec.startswith("@") and _GITHUB_SHORT.match(spec) and "/" in spec
    ):
        _add_npm_git(ctx, spec)
        return
    if spec.startswith((".", "/", "~", "file:")) or "://" in spec or "\\" in spec:
        ctx.skip(f"{label}: {spec!r} is a local path or URL, not a registry package")
        return
    at = spec.find("@", 1)
    name, version_spec = (spec, "") if at < 0 else (spec[:at], spec[at + 1 :])
    match = _NAME.match(name)
    if not match:
        ctx.skip(f"{label}: {spec!r} is not an npm package spec")
        return
    scope, bare = match.group(1), match.group(2)
    exact = _EXACT.match(version_spec)
    cached = (
        ctx.caches.npx_version(name, requested or (spec,))
        if ctx.caches is not None and runner is not None and runner.npx_cache
        else None
    )
    if exact:
        version = version_spec.lstrip("=v")
        evidence = VersionEvidence(EvidenceKind.COMMAND_PIN, detail=spec)
        if cached is not None and cached[0] != version:
            cached = None  # the cache holds another version: its tree is not this launch's
    else:
        version = None
        detail = f"@{version_spec}" if version_spec else "unversioned"
        evidence = VersionEvidence(EvidenceKind.UNRESOLVED, detail=detail)
        if cached is not None:
            version = cached[0]
            evidence = VersionEvidence(
                EvidenceKind.TOOL_CACHE, source=str(cached[1]), detail=detail
            )
    purl = make_purl("npm", bare, namespace=f"@{scope}" if scope else None, version=version)
    ctx.add(
        Component(
            purl=purl,
            ecosystem="npm",
            name=name,
            version=version,
            evidence=evidence,
            requirement=spec,
            source=ctx.location,
        )
    )
    if cached is not None and ctx.caches is not None:
        add_tree(ctx, "npm", name, ctx.caches.npx_tree(cached[1]), cached[1])
    if not exact:
        floating_finding(
            ctx,
            purl,
            evidence.detail,
            latest=version_spec.lower() == "latest",
            what=f"npm package {name}",
        )
    if args is not None:
        add_bridge_urls(ctx, name, args)


def _add_npm_git(ctx: Ctx, spec: str) -> None:
    if spec.startswith(("git+", "git://")):
        url, _, ref = spec.partition("#")
        ref_value = ref or None
        if url.startswith("git+ssh://") and "@" in url.split("//", 1)[1].split("/", 1)[0]:
            host_path = url.split("@", 1)[1].replace(":", "/", 1)
            url = "https://" + host_path
        _git.add_git(ctx, url.removeprefix("git+"), ref_value, spec)
        return
    match = _GITHUB_SHORT.match(spec)
    if not match:
        raise LaunchError(f"not a GitHub shorthand: {spec!r}")
    owner, repo, ref = match.groups()
    _git.add_git(ctx, f"https://github.com/{owner}/{repo}", ref, spec)
