"""The public API: every exported name resolves, the lists are sorted, and they are complete.

Complete means: every chainwatch type that a public signature mentions (a parameter, a return
value, a dataclass field, a public method or property of an exported class), followed
transitively, is exported by the same package.
"""

from __future__ import annotations

import ast
import enum
import functools
import inspect
import sys
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest

import attestations
import scanner

OWN = ("scanner", "attestations")
PACKAGES = (scanner, attestations)


def _own_type(value: object) -> bool:
    return isinstance(value, type) and value.__module__.split(".")[0] in OWN


def _hints(obj: Any) -> dict[str, Any]:
    # Resolve string annotations in the defining module, where the names are imported (some
    # only for the type checker, so that loading the module stays cheap: those are added).
    module = sys.modules[obj.__module__]
    return typing.get_type_hints(obj, globalns={**_checking_names(module), **vars(module)})


@functools.cache
def _checking_names(module: types.ModuleType) -> dict[str, Any]:
    """The names a module imports under ``if TYPE_CHECKING:``, imported here."""
    source = inspect.getsource(module)
    names: dict[str, Any] = {}
    for node in ast.walk(ast.parse(source)):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            block = ast.Module(body=node.body, type_ignores=[])
            exec(compile(block, module.__name__, "exec"), names)  # noqa: S102  # imports only
    names.pop("__builtins__", None)
    return names


def _types_in(hint: Any) -> Iterator[type]:
    stack = [hint]
    while stack:
        item = stack.pop()
        if _own_type(item):
            yield item
        origin = typing.get_origin(item)
        if _own_type(origin):
            yield origin
        stack.extend(typing.get_args(item))


def _functions_of(cls: type) -> Iterator[Any]:
    for name, member in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, property):
            member = member.fget
        member = getattr(member, "__func__", member)  # staticmethod / classmethod
        if inspect.isfunction(member):
            yield member


def mentioned_types(obj: Any) -> set[type]:
    """The chainwatch types one exported object's public signatures mention directly."""
    found: set[type] = set()
    if inspect.isclass(obj):
        if issubclass(obj, enum.Enum | BaseException):
            return found
        for hint in _hints(obj).values():
            found.update(_types_in(hint))
        for func in _functions_of(obj):
            for hint in _hints(func).values():
                found.update(_types_in(hint))
    elif inspect.isfunction(obj):
        for hint in _hints(obj).values():
            found.update(_types_in(hint))
    return found


def unexported_reachable(package: types.ModuleType) -> list[str]:
    """Types reachable from ``package.__all__`` that the package does not export."""
    exported = {id(getattr(package, name)) for name in package.__all__}
    todo = [getattr(package, name) for name in package.__all__]
    seen: set[int] = set()
    missing: set[str] = set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for found in mentioned_types(obj):
            if id(found) not in exported:
                missing.add(f"{found.__module__}.{found.__qualname__}")
            todo.append(found)
    return sorted(missing)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_all_is_sorted_and_matches_the_lazy_table(package: types.ModuleType) -> None:
    assert package.__all__ == sorted(package.__all__)
    assert len(set(package.__all__)) == len(package.__all__)
    assert set(package.__all__) == set(package._EXPORTS)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_export_resolves_to_the_object_of_that_name(package: types.ModuleType) -> None:
    for name in package.__all__:
        obj = getattr(package, name)
        assert getattr(obj, "__name__", name) == name, f"{package.__name__}.{name} -> {obj!r}"
    with pytest.raises(AttributeError):
        package.NoSuchName  # noqa: B018 - the lazy __getattr__ must refuse unknown names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_type_reachable_from_a_public_signature_is_exported(
    package: types.ModuleType,
) -> None:
    missing = unexported_reachable(package)
    assert not missing, f"add to {package.__name__}.__all__: {missing}"


def test_the_core_entry_points_are_exported() -> None:
    assert {"build_inventory", "run_scan", "Store", "Component", "Verdict", "Status"} <= set(
        scanner.__all__
    )


def test_completeness_check_finds_a_missing_export(monkeypatch: pytest.MonkeyPatch) -> None:
    # Drop Verdict from scanner's exports: ScanResult.verdicts still names it.
    trimmed = [name for name in scanner.__all__ if name != "Verdict"]
    monkeypatch.setattr(scanner, "__all__", trimmed)
    assert unexported_reachable(scanner) == ["scanner.verdict.Verdict"]
