"""Launch command -> exact package identity. Nothing is executed and nothing is fetched.

``resolve_launch(server, caches=...)`` understands npx / npm exec / bunx / pnpm dlx / pnpx /
yarn dlx, uvx / uv tool run / uv run / pipx run, docker / podman / nerdctl run, python / node /
deno / bun / tsx scripts, remote URLs and the mcp-remote family of bridges, behind ``cmd /c``,
``sh -c``, ``env``, ``.cmd`` shims, absolute shim paths and single-string commands.

Identity choices (see each module for the details):

* packages: ``pkg:npm``, ``pkg:pypi`` (PEP 503 name, normalised version), ``pkg:oci`` (digest as
  version, ``repository_url`` and ``tag`` qualifiers; packageurl-python renders the digest's ``:``
  unescaped), ``pkg:github/<owner>/<repo>@<ref>`` for git sources on GitHub and
  ``pkg:generic/<repo>@<ref>?vcs_url=...`` elsewhere (only a full commit id counts as pinned);
* local scripts and existing unknown binaries: ``pkg:generic/<file>?checksum=sha256:<hex>`` with
  ``path``; missing ones keep a ``download_url=file:...`` qualifier so two missing ``server.py``
  files stay distinct; an unknown binary that is missing or named bare (PATH) becomes a Skipped;
* remote servers: ``pkg:generic/<host>?download_url=<url>`` with ``url`` (no credentials, query or
  fragment);
* ``python -m <module>`` is a Skipped: a module name is not a distribution name.

Evidence: ``command_pin`` (exact in the command, or a local file's hash at scan time),
``tool_cache`` (a floating launch found in the npx / uv / pipx cache; the finding stays), else
``unresolved`` with the floating spec as detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.inventory.launch.caches import ToolCaches

# The resolvers (their command grammars and regexes) load on first use (PEP 562): an
# inventory of lockfiles alone imports ToolCaches and never resolves a launch command.
if TYPE_CHECKING:
    from scanner.inventory.launch.resolve import LaunchResult, resolve_launch

__all__ = ["LaunchResult", "ToolCaches", "resolve_launch"]


def __getattr__(name: str) -> Any:
    if name in ("LaunchResult", "resolve_launch"):
        from scanner.inventory.launch import resolve

        return getattr(resolve, name)
    raise AttributeError(f"module 'scanner.inventory.launch' has no attribute {name!r}")
