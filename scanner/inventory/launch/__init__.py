"""Launch command -> exact package identity (npx, uvx, pipx, docker, scripts, remote URLs).

Nothing is executed and nothing is fetched; floating versions are read from local tool caches.
"""

from scanner.inventory.launch.caches import ToolCaches
from scanner.inventory.launch.resolve import LaunchResult, resolve_launch

__all__ = ["LaunchResult", "ToolCaches", "resolve_launch"]
