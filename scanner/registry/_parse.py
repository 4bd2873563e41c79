"""Checked access to JSON from registries: a wrong type or missing field is a FetchError."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from scanner.registry.interface import FetchError

T = TypeVar("T")
MAX_DEPTH = 64  # attestation documents nest about 8 deep; verifiers recurse through them


class Doc:
    """A JSON document from ``url``; helpers raise FetchError naming the URL and the field."""

    def __init__(self, url: str, data: Any) -> None:
        self.url = url
        self.data = data

    def fail(self, problem: str) -> FetchError:
        """A FetchError about this document."""
        return FetchError(self.url, f"malformed answer: {problem}")

    def need(self, value: Any, kind: type[T], where: str) -> T:
        """``value`` if it is a ``kind``, else a FetchError naming ``where``."""
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{where} is {type(value).__name__}, expected {kind.__name__}")
        return value

    def opt(self, value: Any, kind: type[T], where: str) -> T | None:
        """Like ``need`` but None passes."""
        return None if value is None else self.need(value, kind, where)

    def time(self, value: Any, where: str) -> datetime | None:
        """An ISO 8601 timestamp (``Z`` allowed), or None."""
        text = self.opt(value, str, where)
        if text is None:
            return None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise self.fail(f"{where} is not an ISO 8601 time: {text!r}") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def shallow(self, value: Any, where: str, limit: int = MAX_DEPTH) -> None:
        """A FetchError when ``value`` nests deeper than ``limit`` (checked without recursion)."""
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if depth > limit:
                raise self.fail(f"{where} nests deeper than {limit} levels")
            if isinstance(item, dict):
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, list):
                stack.extend((v, depth + 1) for v in item)
