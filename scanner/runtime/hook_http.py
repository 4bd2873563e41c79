"""The hook's HTTP sink: POST each batch as JSON to a collector (standard library ``urllib``)."""

from __future__ import annotations

import urllib.error
import urllib.request

from .hook_event import Batch
from .hook_sink import SinkError


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: followed, it would carry the token to wherever it points."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Refuse every redirect (urllib then raises HTTPError with the 3xx code)."""
        return None


class HttpSink:
    """POSTs each batch as JSON to a collector URL; 5xx, 408, 429 and network errors retry."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 2.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the collector URL must be http:// or https://")
        self.url = url
        self._token = token
        self.timeout = timeout
        # Proxy variables are ignored on purpose: the collector is the user's own service and a
        # proxy in between would see every event.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _RefuseRedirects()
        )

    def send(self, batch: Batch) -> None:
        """POST the batch; the batch id goes along as the idempotency key."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": batch.batch_id}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(self.url, data=batch.body(), headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            # The URL may carry a secret in its query: the message names only the status.
            retry = exc.code >= 500 or exc.code in {408, 429}
            raise SinkError(f"collector answered HTTP {exc.code}", retry=retry) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SinkError(f"collector unreachable: {type(reason).__name__}", retry=True) from None

    def close(self) -> None:
        """Nothing to release: each batch opens its own connection."""
