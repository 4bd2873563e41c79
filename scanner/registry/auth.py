"""Credentials on requests: npm tokens only to their own registry, URL userinfo as Basic auth."""

from __future__ import annotations

from collections.abc import Generator, Iterable

import httpx

from scanner.registry.npmrc import nerf_dart


class RegistryAuth(httpx.Auth):
    """Adds ``Authorization`` to a request whose URL lies under a token's ``//host/path/``.

    The longest matching prefix wins, as npm's own lookup walks up the path. httpx drops the
    header when a redirect leaves the origin. A URL with userinfo keeps Basic auth (httpx would
    otherwise ignore it once a client-level auth is set).
    """

    def __init__(self, tokens: Iterable[tuple[str, str]] = ()) -> None:
        self._tokens: dict[str, str] = {}
        for key, token in tokens:
            self._tokens.setdefault(key.lower(), token)

    def add(self, tokens: Iterable[tuple[str, str]]) -> None:
        """More tokens; a key already known keeps its first token."""
        for key, token in tokens:
            self._tokens.setdefault(key.lower(), token)

    def __repr__(self) -> str:
        return f"RegistryAuth(tokens_for={sorted(self._tokens)!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the header for this request, if a credential belongs to its URL."""
        url = request.url
        if url.username or url.password:
            basic = httpx.BasicAuth(url.username, url.password)
            yield from basic.auth_flow(request)
            return
        token = self.token_for(str(url))
        if token is not None:
            request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def token_for(self, url: str) -> str | None:
        """The token whose ``//host/path/`` is the longest prefix of ``url``'s, or None."""
        dart = nerf_dart(url)
        best = max((k for k in self._tokens if dart.startswith(k)), key=len, default=None)
        return self._tokens[best] if best is not None else None
