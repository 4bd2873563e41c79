"""One base error with an actionable diagnostics text; subclasses per concern."""

from __future__ import annotations


class ChainwatchError(Exception):
    """Base of every error chainwatch raises on purpose. The CLI catches only this."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def diagnostics(self) -> str:
        """A text for a person: what happened and what to do about it."""
        text = self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(ChainwatchError):
    """A file we were asked to read is malformed. Always names the file and the place."""

    def __init__(
        self, path: str, problem: str, *, line: int | None = None, hint: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}", hint=hint)
        self.path = path
        self.line = line
        self.problem = problem


class ConfigError(InputError):
    """An MCP client configuration or the agent manifest is malformed."""


class LockfileError(InputError):
    """A manifest or lockfile is malformed."""


class LaunchError(ChainwatchError):
    """A launch command cannot be understood."""


class RegistryError(ChainwatchError):
    """A registry could not be reached or answered something we cannot use."""


class StoreError(ChainwatchError):
    """The store (SQLite or PostgreSQL) cannot be opened, migrated or written."""


class StoreConflict(StoreError):
    """A write lost to a concurrent one (the database broke a deadlock) and was rolled back
    whole: the same write can be made again."""


class VerificationSetupError(ChainwatchError):
    """Verification cannot run at all (missing or stale trust root, ...)."""
