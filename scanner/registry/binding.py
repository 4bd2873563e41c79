"""Answers bound to their question: names and versions compared the way each ecosystem does.

A registry, mirror or cache that answers a request for one package with another package's data
must never make the requested package verified. Every parser and the verifier compare what an
answer names with what was asked, through these functions.
"""

from __future__ import annotations

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from scanner.registry.interface import ReleaseFacts


def same_name(ecosystem: str, asked: str, answered: str) -> bool:
    """Whether ``answered`` names the package ``asked``: PEP 503 for PyPI, exact for npm."""
    if ecosystem == "pypi":
        return canonicalize_name(asked) == canonicalize_name(answered)
    return asked == answered


def same_version(ecosystem: str, asked: str, answered: str) -> bool:
    """Whether two versions are the same release: PEP 440 equality for PyPI, exact for npm."""
    if ecosystem == "pypi" and asked != answered:
        try:
            return Version(asked) == Version(answered)
        except InvalidVersion:
            return False
    return asked == answered


def dist_name_version(filename: str) -> tuple[str, str] | None:
    """(project, version) a wheel or sdist file name states; None for legacy formats."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return str(name), str(version)


def file_problem(name: str, version: str, filename: str) -> str | None:
    """Why a PyPI file does not belong to ``name`` ``version``, or None when it does."""
    stated = dist_name_version(filename)
    if stated is None:
        return f"file {filename!r} names no project and version"
    if not same_name("pypi", name, stated[0]):
        return f"file {filename!r} belongs to project {stated[0]!r}, not {name!r}"
    if not same_version("pypi", version, stated[1]):
        return f"file {filename!r} is version {stated[1]}, not {version}"
    return None


def release_problem(ecosystem: str, name: str, version: str, release: ReleaseFacts) -> str | None:
    """Why ``release`` is not ``name`` ``version`` of ``ecosystem`` (a file included), or None."""
    if release.ecosystem != ecosystem or not same_name(ecosystem, name, release.name):
        return (
            f"the registry answered with {release.ecosystem} package {release.name!r}, not {name!r}"
        )
    if not same_version(ecosystem, version, release.version):
        return f"the registry answered with version {release.version}, not {version}"
    if ecosystem == "pypi":
        for file in release.files:
            if (problem := file_problem(name, version, file.filename)) is not None:
                return problem
    return None


__all__ = ["dist_name_version", "file_problem", "release_problem", "same_name", "same_version"]
