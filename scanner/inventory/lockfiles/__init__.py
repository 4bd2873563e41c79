"""Lockfiles and manifests (Python and npm) and installed environments, read into components."""
