"""The collector's HTTP API (FastAPI): batched event ingest, OTLP traces, per-agent reads.

Every route needs a bearer token (``chainwatch token create AGENT``); a token writes and reads its
own agent only. Bodies are capped before parsing; each token has a rate limit (ratelimit.py).
Ingest and the short reads run on the event loop on purpose: the SQLite connection belongs to
one thread and writes are serialised by SQLite anyway. Scores and reports, which analyse the whole
fleet's behaviour, run on the analyst's thread with a store of its own (analysis.py).
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run time,
# and `Caller` is local to create_app.

import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from scanner import __version__
from scanner.clock import utc_now
from scanner.collector.analysis import Analyst
from scanner.collector.body import capped_body, parse_json
from scanner.collector.ingest import ingest_batch, ingest_traces
from scanner.collector.openapi import (
    ERRORS,
    NO_SCORE,
    NO_SCORE_NOW,
    batch_body,
    event_components,
    score_response,
    traces_body,
)
from scanner.collector.ratelimit import RateLimit, TokenBuckets
from scanner.collector.tokens import AgentToken, token_id_of, token_matches
from scanner.errors import ChainwatchError
from scanner.report.html import render_html
from scanner.report.html_source import report_values
from scanner.report.html_style import CSP
from scanner.score.compute import default_behavior, fleet_score
from scanner.score.render import score_json
from scanner.store import Store, StoreTarget, open_store


@dataclass(frozen=True)
class CollectorSettings:
    """What a collector needs: its store, limits and clocks (injected in tests)."""

    db: StoreTarget | None = None  # a path (SQLite) or a postgresql:// URL
    max_body: int = 4 * 1024 * 1024  # bytes; a full hook batch of 1,000 events is ~0.4 MB
    max_events: int = 10_000  # per batch
    rate: RateLimit = field(default_factory=RateLimit)
    clock: Callable[[], datetime] = utc_now
    monotonic: Callable[[], float] = time.monotonic


# The page's own policy is in a <meta>; a header can also forbid framing it.
_PAGE_HEADERS = {
    "Content-Security-Policy": f"{CSP}; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_HTML_PAGE: dict[str, Any] = {
    "description": "A self-contained HTML page (inline CSS and SVG, no script)",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
_bearer = HTTPBearer(auto_error=False, description="A token from `chainwatch token create`")


def create_app(settings: CollectorSettings) -> FastAPI:
    """The collector application over the store at ``settings.db``."""
    stores: list[Store] = []
    analysts: list[Analyst] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Opened on the serving thread: the SQLite connection is used from that thread only.
        stores.append(open_store(settings.db))
        analysts.append(Analyst(settings.db))
        try:
            yield
        finally:
            analysts.pop().close()
            stores.pop().close()

    app = FastAPI(
        title="chainwatch collector",
        version="1",
        description="Runtime events from chainwatch hooks and OpenTelemetry exporters.",
        lifespan=lifespan,
    )
    buckets = TokenBuckets(settings.rate, settings.monotonic)

    async def caller(
        cred: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> AgentToken:
        challenge = {"WWW-Authenticate": "Bearer"}
        if cred is None:
            raise HTTPException(401, "a bearer token is required", headers=challenge)
        token_id = token_id_of(cred.credentials)
        record = stores[0].agent_token(token_id) if token_id else None
        if record is None or not token_matches(record, cred.credentials):
            raise HTTPException(401, "unknown or revoked token", headers=challenge)
        wait = buckets.take(record.token_id)
        if wait:
            retry = str(max(1, math.ceil(wait)))
            raise HTTPException(429, "rate limit reached", headers={"Retry-After": retry})
        return record

    # async: a sync dependency would run in a worker thread, away from the SQLite connection.
    Caller = Annotated[AgentToken, Depends(caller)]

    async def json_body(request: Request) -> Any:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise HTTPException(415, "send application/json (OTLP: the JSON encoding)")
        length = request.headers.get("content-length")
        return parse_json(await capped_body(length, request.stream(), settings.max_body))

    def now() -> str:
        return settings.clock().isoformat(timespec="seconds")

    @app.post(
        "/v1/events",
        summary="Ingest a batch of runtime events (the hook's HTTP sink)",
        openapi_extra={"requestBody": batch_body(settings.max_events)},
        responses=ERRORS,
    )
    async def post_events(request: Request, who: Caller) -> dict[str, Any]:
        """Store a batch; a batch seen before is acknowledged and not stored twice."""
        doc = await json_body(request)
        result = ingest_batch(stores[0], doc, who.agent, max_events=settings.max_events, at=now())
        return asdict(result)

    @app.post(
        "/v1/traces",
        summary="Ingest OTLP/HTTP JSON traces: tool-call spans become events",
        openapi_extra={"requestBody": traces_body()},
        responses=ERRORS,
    )
    async def post_traces(request: Request, who: Caller) -> dict[str, Any]:
        """An OTLP ExportTraceServiceResponse; spans that cannot be events are partialSuccess."""
        doc = await json_body(request)
        rejected = ingest_traces(stores[0], doc, who.agent, at=now())
        if not rejected:
            return {}
        message = "; ".join(rejected[:5])
        return {"partialSuccess": {"rejectedSpans": len(rejected), "errorMessage": message}}

    def own(agent: str, who: AgentToken) -> None:
        if agent != who.agent:
            raise HTTPException(403, "this token reads and writes its own agent only")

    @app.get("/v1/agents/{agent}/events", summary="An agent's recent events", responses=ERRORS)
    async def get_events(
        agent: str, who: Caller, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> dict[str, Any]:
        """The agent's most recent runtime events, newest first."""
        own(agent, who)
        events = stores[0].recent_events(agent, limit=limit)
        return {"agent": agent, "events": [asdict(e) for e in events]}

    @app.get("/v1/agents/{agent}/findings", summary="An agent's findings", responses=ERRORS)
    async def get_findings(
        agent: str, who: Caller, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> dict[str, Any]:
        """The agent's most recent findings from scans, newest first."""
        own(agent, who)
        found = stores[0].agent_findings(agent, limit=limit)
        return {
            "agent": agent,
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity.value,
                    "subject": f.subject,
                    "message": f.message,
                    "evidence": dict(f.evidence),
                }
                for f in found
            ],
        }

    @app.get(
        "/v1/agents/{agent}/score",
        summary="An agent's supply-chain trust score, every lost point with its evidence",
        responses={**ERRORS, 200: score_response(), 404: NO_SCORE, 503: NO_SCORE_NOW},
    )
    async def get_score(
        agent: str,
        who: Caller,
        as_of: Annotated[datetime | None, Query(description="RFC 3339; default: now")] = None,
    ) -> dict[str, Any]:
        """The agent's score (factors, deductions, caps) as of a time, and its history."""
        own(agent, who)
        when = as_of if as_of is not None else settings.clock()
        try:
            if when.tzinfo is None:
                raise ValueError("as_of needs a time zone (e.g. Z)")
            when = when.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise HTTPException(400, f"as_of: {exc}") from None

        def score_of(store: Store) -> dict[str, Any] | None:
            fleet = fleet_score(store, as_of=when, behavior=default_behavior(), agents=[agent])
            if not fleet.agents:
                return None
            history = store.score_history("agent", agent, until=fleet.as_of)
            return {"agent": agent, **score_json(fleet.agents[0], history)}

        try:
            found = await analysts[0].run(score_of)
        except ChainwatchError as exc:
            raise HTTPException(503, f"no score: {exc.message}") from exc
        if found is None:
            raise HTTPException(404, "no scan or runtime events of this agent yet")
        return found

    @app.get(
        "/v1/report",
        summary="The HTML trust report of the token's agent (the page `chainwatch report` writes)",
        response_class=HTMLResponse,
        responses={**ERRORS, 200: _HTML_PAGE, 404: NO_SCORE, 503: NO_SCORE_NOW},
    )
    async def get_report(
        who: Caller,
        as_of: Annotated[datetime | None, Query(description="RFC 3339; default: now")] = None,
    ) -> HTMLResponse:
        """One self-contained page: the agent's score, history, shifts and lost points."""
        when = as_of if as_of is not None else settings.clock()
        if when.tzinfo is None:
            raise HTTPException(400, "as_of: as_of needs a time zone (e.g. Z)")
        if not 1970 < when.year < 9000:  # windows reach back weeks: keep clear of datetime's ends
            raise HTTPException(400, "as_of: out of range")
        try:
            # Behaviour is analysed fleet-wide (peers judge a shift); the page shows this agent.
            values = await analysts[0].run(
                partial(report_values, as_of=when.astimezone(UTC), agent=who.agent)
            )
        except ChainwatchError as exc:
            raise HTTPException(503, f"no report: {exc.message}") from exc
        if not values.fleet.agents and not values.behavior.agents:
            raise HTTPException(404, "no scan or runtime events of this agent yet")
        # Drawn in a worker thread (no store access there), so ingest goes on meanwhile.
        page = await run_in_threadpool(
            partial(render_html, values.fleet, values.history, values.behavior),
            generated_at=now(),
            version=__version__,
            note=values.note,
        )
        return HTMLResponse(page, headers=_PAGE_HEADERS)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            doc.setdefault("components", {}).setdefault("schemas", {}).update(event_components())
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
