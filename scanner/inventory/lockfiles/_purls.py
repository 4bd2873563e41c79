"""Package URLs of locked components: names normalised, and refused when they could smuggle."""

from __future__ import annotations

import functools
import re

from packageurl import PackageURL

_PEP503 = re.compile(r"[-_.]+")
_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


@functools.lru_cache(maxsize=16384)
def pep503(name: str) -> str:
    """PEP 503 normalised project name (memoised: a fleet's lockfiles share most names)."""
    if "_" not in name and "." not in name and "--" not in name:
        return name.lower()  # every run of [-_.] is already one "-": nothing to replace
    return _PEP503.sub("-", name).lower()


class InvalidPackageName(ValueError):
    """A lockfile entry names a package no package URL can express (e.g. an empty name)."""


def make_purl(kind: str, namespace: str | None, name: str, version: str | None) -> str:
    if (
        _SAFE.fullmatch(name)
        and (version is None or _SAFE.fullmatch(version))
        and (namespace is None or _SAFE.fullmatch(namespace))
    ):
        ns = f"{namespace}/" if namespace else ""
        return f"pkg:{kind}/{ns}{name}@{version}" if version else f"pkg:{kind}/{ns}{name}"
    try:
        return PackageURL(type=kind, namespace=namespace, name=name, version=version).to_string()
    except ValueError as exc:
        raise InvalidPackageName(f"invalid {kind} package name {name!r}: {exc}") from exc


def pypi_purl(name: str, version: str | None) -> str:
    """``pkg:pypi/<pep503 name>@<version>``."""
    return make_purl("pypi", None, pep503(name), version)


def npm_purl(name: str, version: str | None) -> str:
    """``pkg:npm/%40scope/name@version`` (scope percent-encoded as packageurl does)."""
    if name.startswith("@") and "/" in name:
        scope, _, base = name.partition("/")
        if (
            _SAFE.fullmatch(scope[1:])
            and _SAFE.fullmatch(base)
            and (version is None or _SAFE.fullmatch(version))
        ):
            tail = f"@{version}" if version else ""
            return f"pkg:npm/%40{scope[1:]}/{base}{tail}"
        return make_purl("npm", scope, base, version)
    return make_purl("npm", None, name, version)
