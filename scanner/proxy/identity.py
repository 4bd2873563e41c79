"""Whose tools these are: the wrapped server command resolved statically to a package URL.

The command the proxy is about to start is read by the inventory's launch resolver
(``scanner.inventory.launch``), the same reading a static scan makes of a config entry: nothing
is executed or fetched for it (no cache or registry look-up either). Steps:

1. Exactly one package (npm, PyPI, OCI image, git) behind the command: that is the component.
   Its version is the one the command pins; an image's tag counts as its version.
2. Otherwise (a local script, an unknown binary, several packages, nothing resolvable): no
   package identity. The caller falls back to ``pkg:generic/<serverInfo.name>``, and the
   reason is kept so the session record says why.

A component without a pinned version takes the server's ``serverInfo.version`` when pinning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packageurl import PackageURL

from scanner.errors import LaunchError
from scanner.inventory.launch.resolve import resolve_launch
from scanner.models import Component, ServerEntry, Transport

_PACKAGES = ("npm", "pypi", "oci", "git")


@dataclass(frozen=True, slots=True)
class Identity:
    """The component behind a proxied server, or why there is none (then ``purl`` is None)."""

    purl: str | None
    reason: str  # how it was found, or why not (shown in the session record; never a secret)


def _bare(component: Component) -> str:
    """The purl with the image tag (if any) as its version: a new tag is a new version."""
    p = PackageURL.from_string(component.purl)
    if p.type != "oci" or p.version:
        return component.purl
    qualifiers = dict(p.qualifiers) if isinstance(p.qualifiers, dict) else {}
    tag = qualifiers.pop("tag", None)
    return PackageURL(p.type, p.namespace, p.name, tag, qualifiers, p.subpath).to_string()


_FALLBACK = "; pinned as pkg:generic/<serverInfo.name>"


def resolve_identity(command: tuple[str, ...], cwd: Path) -> Identity:
    """The package URL the server command runs (static), or None with the reason."""
    found = _resolve(command, cwd)
    return found if found.purl else Identity(None, found.reason + _FALLBACK)


def _resolve(command: tuple[str, ...], cwd: Path) -> Identity:
    if not command:
        return Identity(None, "no server command")
    entry = ServerEntry(
        client="proxy",
        # The launch folder is taken from the config's folder: here, where the proxy runs.
        config_path=str(cwd / "<proxy command line>"),
        name=Path(command[0]).name or "server",
        transport=Transport.STDIO,
        command=command[0],
        args=command[1:],
    )
    try:
        result = resolve_launch(entry)
    except LaunchError as exc:
        return Identity(None, f"the command could not be read: {exc.message}")
    packages = [c for c in result.components if c.ecosystem in _PACKAGES and c.direct]
    if len(packages) == 1:
        purl = _bare(packages[0])
        pinned = PackageURL.from_string(purl).version is not None
        how = "pinned by the command" if pinned else "version not pinned: serverInfo.version"
        return Identity(purl, f"resolved from the command ({how})")
    if len(packages) > 1:
        names = ", ".join(c.name for c in packages[:4])
        return Identity(None, f"the command runs {len(packages)} packages ({names})")
    local = [c for c in result.components if c.ecosystem == "local"]
    if local:
        return Identity(None, f"a local script ({local[0].purl}), not a published package")
    why = result.skipped[0].reason if result.skipped else "no package found in the command"
    return Identity(None, why)
