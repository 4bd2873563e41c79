"""Request bodies: a size cap applied before parsing, then strict JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import HTTPException


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


async def capped_body(length: str | None, chunks: AsyncIterator[bytes], cap: int) -> bytes:
    """The raw body, refused with 413 as soon as it is known to pass ``cap`` bytes."""
    if length is not None:
        if not length.isdigit():
            raise HTTPException(400, "Content-Length is not a number")
        if int(length) > cap:  # refused before a byte of the body is read
            raise HTTPException(413, f"request body larger than {cap} bytes")
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:  # a chunked body without a length is counted as it streams
        size += len(chunk)
        if size > cap:
            raise HTTPException(413, f"request body larger than {cap} bytes")
        parts.append(chunk)
    return b"".join(parts)


def parse_json(raw: bytes) -> Any:
    """The parsed body; 400 with the reason (never the body's text) when it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise HTTPException(400, "request body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise HTTPException(
            400, f"request body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except ValueError as exc:  # NaN / Infinity, or an integer too long to convert
        raise HTTPException(400, f"request body is not JSON ({exc})") from None
    except RecursionError:
        raise HTTPException(400, "request body is not JSON (nested too deeply)") from None
