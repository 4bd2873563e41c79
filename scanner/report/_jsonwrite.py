"""Indented JSON, fast: exactly the text of ``json.dumps(indent=2, ensure_ascii=False)``.

The standard library writes indented JSON in pure Python, one value at a time (its C encoder
takes no indent), which dominated a large check's report. This writer renders values in batches
instead: every batch of plain values (strings, numbers, booleans, null) goes through the C encoder
in one call, and objects that share their keys are written through one %-template per shape.
A report's thousands of components and findings are such objects, so the Python work scales
with the document's shapes and containers, not with its values.

``Rows`` lets a document give a list of such objects column by column, which saves building a
dict per object only to take it apart again. Anything the writer does not know (a non-string key,
a custom type) is left to the standard library, on the whole document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from json.encoder import encode_basestring
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})
_STRINGS = frozenset({str})
_SEQUENCES = frozenset({list, tuple})
_DICTS = frozenset({dict})
_FEW = 8  # shapes of dicts worth a pass over all of them each
# Between two items the batch encoder writes NUL, which never appears otherwise: the C encoder
# escapes a NUL inside a string as \u0000, and numbers and literals hold none.
_ITEM = "\x00"
# CPython's C encoder; an interpreter without it (json.encoder.c_make_encoder is None) gets the
# standard library's writer for every document (write() falls back).
_C_ENCODER = json.encoder.c_make_encoder  # type: ignore[attr-defined]
_batch = (
    None
    if _C_ENCODER is None
    else _C_ENCODER(None, None, encode_basestring, None, ":", _ITEM, False, False, True)
)


@dataclass(frozen=True, slots=True)
class Rows:
    """Objects sharing ``keys``, given column by column: written as a JSON array of objects.

    ``columns[i]`` holds every object's value for ``keys[i]``; all columns are equally long.
    """

    keys: tuple[str, ...]
    columns: tuple[Sequence[Any], ...]

    def __post_init__(self) -> None:
        lengths = {len(c) for c in self.columns}
        if len(self.columns) != len(self.keys) or len(lengths) > 1 or not self.keys:
            raise ValueError("Rows needs at least one key and one equally long column per key")

    def __len__(self) -> int:
        return len(self.columns[0])

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (keys in order)."""
        return [dict(zip(self.keys, row, strict=True)) for row in zip(*self.columns, strict=True)]


_ROWS = frozenset({Rows})


class _Unsupported(Exception):
    """A value the fast writer leaves to the standard library."""


def write(document: Any) -> str:
    """``document`` as ``json.dumps(indent=2, ensure_ascii=False)`` writes it (a Rows as a list)."""
    try:
        return _many([document], 0)[0]
    except _Unsupported:
        return json.dumps(plain(document), indent=2, ensure_ascii=False)


def plain(value: Any) -> Any:
    """``value`` with every ``Rows`` in it turned into a list of dicts."""
    if isinstance(value, Rows):
        return [plain(d) for d in value.dicts()]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _many(values: Sequence[Any], depth: int) -> list[str]:
    """Each of ``values`` as written at ``depth`` (the indent level of its closing bracket)."""
    if not values:
        return []
    if type(values) not in _SEQUENCES:
        values = list(values)  # what the C encoder takes
    types = set(map(type, values))
    if types == _STRINGS:
        return list(map(encode_basestring, values))  # faster than a batch: no cutting up
    if _SCALARS.issuperset(types):
        if _batch is None:
            raise _Unsupported
        return "".join(_batch(values, 0))[1:-1].split(_ITEM)
    if types == _DICTS:
        shapes = list(map(tuple, values))
        distinct = set(shapes)
        if len(distinct) == 1:
            columns = list(zip(*map(dict.values, values), strict=True))
            return _objects(shapes[0], columns, len(values), depth)
        if len(distinct) <= _FEW:
            return _shaped(values, shapes, distinct, depth)
    elif _SEQUENCES.issuperset(types):
        return _arrays(values, depth)
    elif types == _ROWS:
        return [_rows(r, depth) for r in values]
    return _mixed(values, depth)


def _shaped(
    values: Sequence[dict[Any, Any]], shapes: list[tuple[Any, ...]], distinct: set[Any], depth: int
) -> list[str]:
    """Dicts of a few shapes (findings' evidence): each shape written as one batch."""
    out = [""] * len(values)
    for shape in distinct:
        indices = [i for i, s in enumerate(shapes) if s == shape]
        columns = list(zip(*(values[i].values() for i in indices), strict=True))
        for i, text in zip(indices, _objects(shape, columns, len(indices), depth), strict=True):
            out[i] = text
    return out


def _mixed(values: Sequence[Any], depth: int) -> list[str]:
    # Values of several kinds or shapes: each group of alike values is written as one batch.
    groups: dict[Any, list[int]] = {}
    for i, value in enumerate(values):
        kind = type(value)
        if kind is dict:
            group: Any = (dict, tuple(value))
        elif kind in _SEQUENCES:
            group = list
        elif kind in _SCALARS:
            group = str
        elif kind is Rows:
            group = Rows
        else:
            raise _Unsupported
        groups.setdefault(group, []).append(i)
    out = [""] * len(values)
    for indices in groups.values():
        for i, text in zip(indices, _many([values[i] for i in indices], depth), strict=True):
            out[i] = text
    return out


def _objects(
    keys: tuple[Any, ...], columns: Sequence[Sequence[Any]], count: int, depth: int
) -> list[str]:
    """``count`` objects with these keys (in this order), their values given per key."""
    if not keys:
        return ["{}"] * count
    if any(type(k) is not str for k in keys):
        raise _Unsupported  # json.dumps turns numbers and the like into keys: leave it that
    inner = "\n" + "  " * (depth + 1)
    members = ("," + inner).join(encode_basestring(k).replace("%", "%%") + ": %s" for k in keys)
    template = "{" + inner + members + "\n" + "  " * depth + "}"
    texts = [_many(column, depth + 1) for column in columns]
    return list(map(template.__mod__, zip(*texts, strict=True)))


def _arrays(values: Sequence[Sequence[Any]], depth: int) -> list[str]:
    """Lists (or tuples): their items are written as one batch, then cut back per list."""
    items = _many(list(chain.from_iterable(values)), depth + 1)
    outer = "\n" + "  " * depth
    inner = outer + "  "
    between = "," + inner
    sizes = list(map(len, values))
    if len(set(sizes)) == 1 and sizes[0]:
        # All equally long (often one item each): one template, no loop in Python.
        size = sizes[0]
        template = "[" + inner + between.join(["%s"] * size) + outer + "]"
        return list(map(template.__mod__, zip(*[iter(items)] * size, strict=True)))
    out = []
    start = 0
    for size in sizes:
        if size:
            out.append("[" + inner + between.join(items[start : start + size]) + outer + "]")
            start += size
        else:
            out.append("[]")
    return out


def _rows(rows: Rows, depth: int) -> str:
    """A ``Rows`` as the array of objects it stands for."""
    if not len(rows):
        return "[]"
    outer = "\n" + "  " * depth
    inner = outer + "  "
    texts = _objects(rows.keys, rows.columns, len(rows), depth + 1)
    return "[" + inner + ("," + inner).join(texts) + outer + "]"
