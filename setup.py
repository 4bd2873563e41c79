"""Build hook only (the project is described in pyproject.toml).

The demo data lives once, in ``fixtures/demo`` and ``fixtures/registry``. A wheel carries a copy as
package data under ``scanner/_demo_data/`` so that an installed ``chainwatch demo`` works from any
folder; ``scanner/demo.py`` looks there first and falls back to the repository's fixtures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DEMO_DATA = {"demo": HERE / "fixtures" / "demo", "registry": HERE / "fixtures" / "registry"}


class BuildPyWithDemoData(build_py):
    """``build_py`` that also copies the demo fleet and its recorded registry into the build."""

    def run(self) -> None:
        """Build the packages, then add the demo data beside them."""
        super().run()
        target = Path(self.build_lib) / "scanner" / "_demo_data"
        for name, source in DEMO_DATA.items():
            if not source.is_dir():
                raise FileNotFoundError(f"{source}: demo data missing from the source tree")
            shutil.copytree(source, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithDemoData})
