"""``import scanner.registry.<module>`` costs that module only: the package loads names on use."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

_PROBE = """
import sys
import scanner.registry.interface
print("httpx" in sys.modules, "scanner.registry.npm" in sys.modules)
from scanner.registry import NpmRegistry, RegistryKind
print(NpmRegistry.__module__, RegistryKind.NPM.value)
"""


def test_importing_one_registry_module_loads_neither_httpx_nor_the_registries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    first, second = done.stdout.splitlines()
    assert first == "False False"
    assert second == "scanner.registry.npm npm"  # the public names still load on use


def test_an_unknown_name_is_an_attribute_error() -> None:
    import scanner.registry

    with pytest.raises(AttributeError, match="no_such_name"):
        _ = scanner.registry.no_such_name  # type: ignore[attr-defined]
