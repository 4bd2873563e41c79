"""Test servers: the loopback fixture registry and a hostile registry. Not imported by the package.

Only ``chainwatch demo`` imports the fixture registry, lazily, when it runs.
"""
