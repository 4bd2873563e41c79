"""Which cached registry answers a result rests on: recorded while a component is verified.

A verdict can be reused without verifying again only while every registry answer it was built
from is still what the HTTP cache would serve (``scanner.verify.warm``). This module records
those answers. The rules that keep the record complete:

1. The HTTP cache records every answer it serves or stores (``CacheTransport``): the entry's
   URL, ``Accept``, the sha256 of its body and its content type.
2. An answer that is not in the cache afterwards (not stored, a 404, a non-GET, an error)
   spoils the record: such a result depends on the network and is never reused.
3. A value kept in memory and handed to later callers (a project page parsed once, the npm
   signing keys) keeps the record it was built with; each caller replays it (``Recorded``).

Nothing is recorded outside ``recording()``: scans that do not reuse results pay nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer from the HTTP cache: its entry, the question it answers and its body's digest."""

    entry: str  # the cache entry's key (file name), see CacheTransport
    url: str  # without credentials, as the entry's header file names it
    accept: str
    sha256: str  # of the body as stored and served
    content_type: str | None  # the one stored header a reader of the body checks


@dataclass(slots=True)
class Recorder:
    """The answers one piece of work used; ``complete`` is False once one could not be bound."""

    answers: dict[str, Answer] = field(default_factory=dict)
    complete: bool = True

    def keep(self, value: T) -> Recorded[T]:
        """``value`` with what was recorded so far, for later users to replay."""
        return Recorded(value, tuple(self.answers.values()), self.complete)


@dataclass(frozen=True, slots=True)
class Recorded(Generic[T]):
    """A value and the answers it was built from."""

    value: T
    answers: tuple[Answer, ...]
    complete: bool

    def replay(self) -> T:
        """Record this value's answers for the current work; return the value."""
        current = _CURRENT.get()
        if current is not None:
            _merge(current, self.answers, self.complete)
        return self.value


_CURRENT: ContextVar[Recorder | None] = ContextVar("chainwatch_answers", default=None)


def record(answer: Answer) -> None:
    """Note an answer the current work used (nothing when no one is recording)."""
    current = _CURRENT.get()
    if current is not None:
        _merge(current, (answer,), True)


def spoil() -> None:
    """Note that the current work used an answer the cache does not hold."""
    current = _CURRENT.get()
    if current is not None:
        current.complete = False


def recording_now() -> bool:
    """True when some work records its answers (so the caller may skip the bookkeeping)."""
    return _CURRENT.get() is not None


@contextlib.contextmanager
def recording(*, detached: bool = False) -> Iterator[Recorder]:
    """Record the answers used inside the block; they also count for the enclosing recording.

    ``detached``: not for the enclosing one (a shared task whose value each user replays).
    An exception leaving the block spoils the record.
    """
    outer = _CURRENT.get()
    inner = Recorder()
    token = _CURRENT.set(inner)
    try:
        yield inner
    except BaseException:
        inner.complete = False
        raise
    finally:
        _CURRENT.reset(token)
        if outer is not None and not detached:
            _merge(outer, tuple(inner.answers.values()), inner.complete)


def _merge(into: Recorder, answers: tuple[Answer, ...], complete: bool) -> None:
    for answer in answers:
        if into.answers.setdefault(answer.entry, answer) != answer:
            into.complete = False  # two different bodies of one entry: which one was read?
    into.complete = into.complete and complete


__all__ = ["Answer", "Recorded", "Recorder", "record", "recording", "recording_now", "spoil"]
