"""A verdict as JSON text and back: how a rescan worker hands its result to the one who finishes.

Generic over frozen dataclasses, driven by their type hints (enums by value, datetimes in ISO
8601, tuples as lists), so a field added to a verdict, a component or release facts travels
without a change here. Decoding is strict: a value of the wrong shape is a ``CodecError``,
never a half-built verdict. JSON, not pickle: the text in the store is data, never code.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from datetime import datetime
from typing import Any

from scanner.errors import ChainwatchError
from scanner.verdict import Verdict


class CodecError(ChainwatchError):
    """A stored verdict is not in the shape this chainwatch writes."""


def verdict_to_json(verdict: Verdict) -> str:
    """The verdict as compact JSON text."""
    return json.dumps(_encode(verdict), separators=(",", ":"))


def verdict_from_json(text: str) -> Verdict:
    """The verdict ``verdict_to_json`` wrote; CodecError when the text is not one."""
    try:
        value = _decode(Verdict, json.loads(text))
    except (ValueError, TypeError, KeyError) as exc:
        raise CodecError(f"a stored rescan result is not a verdict: {exc}") from exc
    assert isinstance(value, Verdict)
    return value


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot encode a {type(value).__name__}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _decode(option, data)
            except (ValueError, TypeError, KeyError) as exc:
                errors.append(str(exc))
        raise ValueError(f"no type of {hint} fits: {'; '.join(errors)}")
    if origin is tuple:
        args = typing.get_args(hint)
        _expect(data, list)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        if len(args) != len(data):
            raise ValueError(f"expected {len(args)} values, got {len(data)}")
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is dict:
        key, val = typing.get_args(hint)
        _expect(data, dict)
        return {_decode(key, k): _decode(val, v) for k, v in data.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        _expect(data, dict)
        hints = _hints(hint)
        names = {f.name for f in dataclasses.fields(hint)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{hint.__name__} has no field {sorted(unknown)[0]!r}")
        return hint(**{n: _decode(hints[n], v) for n, v in data.items()})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if hint is datetime:
        _expect(data, str)
        return datetime.fromisoformat(data)
    if hint is float:
        _expect(data, int | float)
        return float(data)
    if hint is Any:
        return data
    if hint in (str, int, bool):
        _expect(data, hint)
        return data
    raise TypeError(f"cannot decode a {hint}")


def _expect(data: Any, kind: Any) -> None:
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise TypeError(f"expected {kind}, got {type(data).__name__}")
