"""pyproject.toml dependency declarations: PEP 621, PEP 735 dependency groups and Poetry."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.inventory._decode import shown
from scanner.inventory.lockfiles._lockbase import (
    Collector,
    LockfileResult,
    add_git,
    key_lines,
    load_toml,
    read_text,
    unpinned,
)
from scanner.inventory.lockfiles.requirements import (
    Entry,
    add_non_registry,
    parse_entry,
    pypi_component,
)
from scanner.models import Component, SourceLocation

_TOML_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'')
_BARE_KEY = re.compile(r"\n([^\s=]+) =")


@dataclass(frozen=True, slots=True)
class _Lines:
    """First lines of the file's string literals and of its ``name =`` keys."""

    strings: dict[str, int]
    keys: dict[str, int]


def read_pyproject(path: Path) -> LockfileResult:
    """Read PEP 621 / PEP 735 / Poetry dependency declarations from pyproject.toml."""
    text = read_text(path)
    data = load_toml(path, text)
    col = Collector(str(path), "pyproject")
    # where each string and each "name =" key is first written: one pass each, not one
    # search from the top per dependency
    lines = _Lines(key_lines(text, _TOML_STRING), key_lines(text, _BARE_KEY))
    project = data.get("project")
    if isinstance(project, dict):
        _specs(project.get("dependencies"), lines, col, dev=False)
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for deps in optional.values():
                _specs(deps, lines, col, dev=False)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups:
            _specs(_expand_group(groups, str(group), (), col), lines, col, dev=True)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict):
        _poetry(poetry.get("dependencies"), lines, col, dev=False)
        _poetry(poetry.get("dev-dependencies"), lines, col, dev=True)
        pgroups = poetry.get("group")
        if isinstance(pgroups, dict):
            for name, g in pgroups.items():
                if isinstance(g, dict):
                    _poetry(g.get("dependencies"), lines, col, dev=name != "main")
    _dedupe(col)
    return col.result()


def _dedupe(col: Collector) -> None:
    """A group included by several others is listed once."""
    seen: set[tuple[str, str | None, bool]] = set()
    kept: list[Component] = []
    for c in col.components:
        key = (c.purl, c.requirement, c.dev)
        if key not in seen:
            seen.add(key)
            kept.append(c)
    col.components[:] = kept
    unique = dict.fromkeys(col.findings)
    col.findings[:] = list(unique)


def _expand_group(
    groups: dict[str, Any], name: str, stack: tuple[str, ...], col: Collector
) -> list[str]:
    if name in stack:
        col.skip(name, f"dependency group include cycle: {' -> '.join((*stack, name))}")
        return []
    out: list[str] = []
    items = groups.get(name)
    if not isinstance(items, list):
        col.skip(name, "dependency group is not a list" if items is not None else "unknown group")
        return out
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out.extend(_expand_group(groups, item["include-group"], (*stack, name), col))
        else:
            col.skip(shown(item, 80), f"unsupported entry in dependency group {name!r}")
    return out


def _specs(deps: object, lines: _Lines, col: Collector, *, dev: bool) -> None:
    if not isinstance(deps, list):
        return
    for dep in deps:
        if not isinstance(dep, str):
            col.skip(shown(dep, 80), "dependency is not a string")
            continue
        _add_spec(dep, lines.strings.get(dep), col, dev=dev)


def _add_spec(dep: str, line: int | None, col: Collector, *, dev: bool) -> None:
    e = Entry(dep, (), SourceLocation(col.path, line))
    req = parse_entry(e, col)
    if req is None:
        return
    if req.url:
        add_non_registry(e, col, req)
        return
    version = req.version
    comp = pypi_component(req.name, version, e, e.where, (), "pinned with ==", col)
    if dev:
        comp = replace(comp, dev=True)
    col.components.append(comp)
    if version is None:
        col.findings.append(unpinned(comp, dep))


def _poetry(deps: object, lines: _Lines, col: Collector, *, dev: bool) -> None:
    if not isinstance(deps, dict):
        return
    for name, spec in deps.items():
        if name.lower() == "python":
            continue
        line = lines.keys.get(name)
        where = SourceLocation(col.path, line)
        if isinstance(spec, dict):
            if isinstance(spec.get("git"), str):
                ref = spec.get("rev") or spec.get("tag") or spec.get("branch")
                add_git(
                    col,
                    name,
                    spec["git"],
                    ref if isinstance(ref, str) else None,
                    version=None,
                    where=where,
                    ecosystem_hint="pypi",
                    direct=True,
                    dev=dev,
                )
                continue
            if "path" in spec or "url" in spec:
                col.skip(name, "path or URL dependency is not a registry package", line)
                continue
            spec = spec.get("version", "*")
        if not isinstance(spec, str):
            col.skip(name, "unsupported Poetry dependency value", line)
            continue
        # Poetry reads a bare version ("1.2.3") as an exact pin.
        pep508 = f"{name}=={spec}" if spec[:1].isdigit() else f"{name}{_poetry_spec(spec)}"
        _add_spec(pep508, line, col, dev=dev)


def _poetry_spec(spec: str) -> str:
    if spec.strip() in {"*", ""}:
        return ""
    if spec.startswith(("^", "~")) and not spec.startswith("~="):
        return f">={spec.lstrip('^~')}"  # a floating range; its exact bound does not matter here
    return spec
