"""Thin click layer: options -> calls -> output, exit codes."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="chainwatch")
def main() -> None:
    """chainwatch: guard the supply chain of AI agents."""
