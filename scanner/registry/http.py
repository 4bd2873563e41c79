"""The one HTTP client, and ``fetch_json``: retries, size and content-type checks, errors."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import math
import random
import ssl
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from scanner.clock import Sleep
from scanner.registry.cache import CacheTransport
from scanner.registry.config import redact
from scanner.registry.interface import FetchError, NotFound, OfflineMiss

# Re-exported so that code outside the registry layer can catch transport errors without
# importing httpx itself (tests/test_import_rules.py: only this layer touches the network).
HTTPError = httpx.HTTPError

USER_AGENT = "chainwatch (+supply-chain scanner for MCP servers)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
# Seconds one request may take from its first byte sent to its last byte read. httpx's own timeout
# applies per network operation, so a registry that sends one byte a second never trips it.
DEFAULT_DEADLINE = 60.0


def make_client(
    *,
    cache_dir: Path | None,
    offline: bool = False,
    timeout: float = 20.0,
    deadline: float = DEFAULT_DEADLINE,
    max_connections: int = 16,
    transport: httpx.AsyncBaseTransport | None = None,
    user_agent: str = USER_AGENT,
) -> httpx.AsyncClient:
    """An AsyncClient with the on-disk cache (``cache_dir``; None: no cache) and offline mode.

    ``timeout`` bounds each network operation, ``deadline`` each whole request made through
    ``fetch_json``. ``transport`` replaces the network transport (tests inject
    ``httpx.MockTransport``). The environment's proxy and CA settings apply as httpx reads them.
    """
    inner = transport or httpx.AsyncHTTPTransport(
        verify=_ssl_context(),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        trust_env=True,
    )
    cache = CacheTransport(inner, cache_dir, offline=offline)
    client = httpx.AsyncClient(
        transport=cache,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": user_agent},
        follow_redirects=True,
        trust_env=True,
    )
    _CLIENTS[client] = _ClientState(cache, deadline)
    return client


@dataclass(frozen=True, slots=True)
class _ClientState:
    cache: CacheTransport  # for fetch_json's no-request fast path
    deadline: float


# What make_client set up for each client it made.
_CLIENTS: weakref.WeakKeyDictionary[httpx.AsyncClient, _ClientState] = weakref.WeakKeyDictionary()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~0.1 s, a rescan need not pay it."""
    return httpx.create_ssl_context(trust_env=True)


async def fetch_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    accept: str,
    max_bytes: int = 5_000_000,
    retries: int = 3,
    backoff: float = 0.5,
    max_wait: float = 30.0,
    limiter: asyncio.Semaphore | None = None,
    sleep: Sleep = asyncio.sleep,
    deadline: float | None = None,
) -> Any:
    """GET ``url`` and decode its JSON body.

    Retries 429, 5xx, timeouts and connection errors with exponential backoff and jitter (a
    ``Retry-After`` in seconds or as an HTTP date wins, capped at ``max_wait``). Each attempt must
    finish within ``deadline`` seconds (default: the client's). Redirects are followed only within
    the same origin. Raises NotFound on 404/410, OfflineMiss when offline without a cached answer,
    FetchError for everything else, whatever the registry sends.
    """
    shown = redact(url)
    state = _CLIENTS.get(client)
    cached = state.cache.cached_answer(url, accept) if state is not None else None
    if cached is not None:
        content_type, body = cached
        _check_content_type(shown, content_type, accept)
        if len(body) > max_bytes:
            raise FetchError(
                shown, f"cached body of {len(body)} bytes is over the {max_bytes}-byte limit"
            )
        return _decode(shown, body)
    if deadline is None:
        deadline = state.deadline if state is not None else DEFAULT_DEADLINE
    problem = "no attempt made"
    for attempt in range(retries + 1):
        wait: float | None = None
        try:
            if limiter is None:
                return await _fetch_within(client, url, shown, accept, max_bytes, deadline)
            async with limiter:
                return await _fetch_within(client, url, shown, accept, max_bytes, deadline)
        except _Retryable as exc:
            problem, wait = exc.problem, exc.retry_after
        except httpx.TimeoutException as exc:
            problem = f"timed out ({type(exc).__name__})"
        except httpx.TransportError as exc:
            problem = f"connection failed: {type(exc).__name__}: {exc}"
        except httpx.DecodingError as exc:
            raise FetchError(shown, f"could not decode the answer's encoding: {exc}") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(shown, f"too many redirects: {exc}") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(shown, f"invalid URL: {exc}") from exc
        if attempt == retries:
            break
        if wait is None:
            wait = backoff * (2**attempt) * (0.5 + random.random())  # jitter, not crypto
        await sleep(min(max(wait, 0.0), max_wait))
    raise FetchError(shown, f"{problem} (gave up after {retries + 1} attempts)")


class _Retryable(Exception):
    def __init__(self, problem: str, retry_after: float | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


async def _fetch_within(
    client: httpx.AsyncClient, url: str, shown: str, accept: str, max_bytes: int, deadline: float
) -> Any:
    progress = _Progress()
    try:
        async with asyncio.timeout(deadline):
            return await _fetch_once(client, url, shown, accept, max_bytes, progress)
    except TimeoutError:
        # Not retried: a registry this slow is broken or hostile, and trying again costs as much.
        raise FetchError(
            shown,
            f"did not finish within the {deadline:.1f} s request deadline "
            f"({progress.received} bytes received)",
        ) from None


@dataclass
class _Progress:
    received: int = 0


async def _fetch_once(
    client: httpx.AsyncClient,
    url: str,
    shown: str,
    accept: str,
    max_bytes: int,
    progress: _Progress,
) -> Any:
    request = client.build_request("GET", url, headers={"Accept": accept})
    for _ in range(MAX_REDIRECTS + 1):
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if not response.is_redirect:
                return await _read(response, shown, accept, max_bytes, progress)
            following = response.next_request
        finally:
            await response.aclose()
        if following is None:
            raise FetchError(shown, f"HTTP {response.status_code} redirect without a Location")
        if _origin(following.url) != _origin(request.url):
            raise FetchError(
                shown,
                f"redirected to another origin ({redact(str(following.url))}); refused: an "
                "answer must come from the registry that was asked",
            )
        request = following
    raise FetchError(shown, f"more than {MAX_REDIRECTS} redirects (a redirect loop?)")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


async def _read(
    response: httpx.Response, shown: str, accept: str, max_bytes: int, progress: _Progress
) -> Any:
    status = response.status_code
    if status in RETRY_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        raise _Retryable(f"HTTP {status}", retry_after)
    if status in (404, 410):
        raise NotFound(f"{shown}: not found (HTTP {status})")
    if status in (401, 403):
        raise FetchError(
            shown,
            f"HTTP {status}: access refused; check the credentials in your index/registry "
            "configuration",
        )
    if status != 200:
        raise FetchError(shown, f"unexpected HTTP {status}")
    _check_content_type(shown, response.headers.get("content-type"), accept)
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(shown, f"body of {declared} bytes is over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    async for chunk in response.aiter_bytes():
        progress.received += len(chunk)
        if progress.received > max_bytes:
            raise FetchError(
                shown,
                f"body of at least {progress.received} bytes is over the {max_bytes}-byte "
                "limit; stopped reading",
            )
        chunks.append(chunk)
    return _decode(shown, b"".join(chunks))


def _decode(shown: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise FetchError(shown, "answer is JSON nested too deeply to read") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(shown, f"answer is not valid JSON: {exc}") from exc


def _check_content_type(shown: str, header: str | None, accept: str) -> None:
    """Accept the asked-for media types, plain JSON, and any ``+json`` type."""
    media = (header or "").split(";", 1)[0].strip().lower()
    wanted = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    if media in wanted or media == "application/json" or media.endswith("+json"):
        return
    hint = ""
    if media == "text/html":
        hint = "; the index may not offer the JSON API (PEP 691)"
    raise FetchError(shown, f"answered content type {media or 'none'!r}, expected {accept}{hint}")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


__all__ = ["OfflineMiss", "Sleep", "fetch_json", "make_client", "parse_retry_after"]
