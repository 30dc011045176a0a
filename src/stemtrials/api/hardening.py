"""What `stemtrials serve` puts in front of every route: request-size limits, a per-client rate limit, security
headers, and (api/access_log.py) request IDs, one structured log line per request and logged errors.

``install(app, settings)`` adds it all; ``create_app`` calls it. The parts are plain ASGI middleware, so they see
every response — pages, API, static files, and the error responses the other parts or the framework produce.
Outermost first: security headers → request ID, access log and errors → URL, body and rate limits → the routes.

Settings come from ``serve``'s options or, for ``uvicorn stemtrials.api.asgi:app`` and ``serve --workers N``, from the
environment (``STEMTRIALS_RATE_LIMIT``, ``STEMTRIALS_RATE_BURST``, ``STEMTRIALS_MAX_BODY_BYTES``,
``STEMTRIALS_MAX_URL_BYTES``).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import access_log, problems

# The web UI needs nothing else: every script and style is a file under /static (no inline script or style, no
# eval: the dashboard's Vega runs with its expression interpreter), and the charts are SVG. data: images are for
# SVG icons a stylesheet may carry.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# Only features Chromium, Firefox and Safari all recognise: an unknown one is reported on the browser's console.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-content-type-options", "nosniff"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
))

# Paths the rate limit leaves alone: static files (a page load fetches several; they cost no database work) and
# the health check monitors poll.
RATE_EXEMPT_PREFIXES = ("/static/",)
RATE_EXEMPT_PATHS = frozenset({"/api/health", "/favicon.ico"})

DEFAULT_RATE_LIMIT = 20.0
"""Requests per second per client IP, sustained. A person using the web UI makes a request or two per page (the page,
the dashboard's counts; static files are exempt); 20/s with a burst of 100 leaves room for a script paging through
results while stopping one client from taking a 2-core server's whole capacity."""
DEFAULT_RATE_BURST = 100


@dataclass(frozen=True)
class HardeningSettings:
    max_body_bytes: int = 1024 * 1024
    max_url_bytes: int = 8 * 1024
    rate_limit: float = DEFAULT_RATE_LIMIT
    """Requests per second per client IP; 0 turns rate limiting off."""
    rate_burst: int = DEFAULT_RATE_BURST
    """Requests a client may make at once before the sustained rate applies."""

    def __post_init__(self) -> None:
        if self.max_body_bytes < 0 or self.max_url_bytes < 1:
            raise ValueError("request size limits must be positive")
        if self.rate_limit < 0 or not math.isfinite(self.rate_limit):
            raise ValueError(f"rate limit must be 0 (off) or a positive number of requests per second, not "
                             f"{self.rate_limit}")
        if self.rate_burst < 1:
            raise ValueError(f"rate burst must be at least 1, not {self.rate_burst}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HardeningSettings:
        env = os.environ if environ is None else environ
        defaults = cls()

        def number(name: str, default: float, kind: type[int] | type[float]) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                return kind(raw)
            except ValueError:
                raise ValueError(f"${name} must be a{'n integer' if kind is int else ' number'}, not {raw!r}") from None

        return cls(
            max_body_bytes=int(number("STEMTRIALS_MAX_BODY_BYTES", defaults.max_body_bytes, int)),
            max_url_bytes=int(number("STEMTRIALS_MAX_URL_BYTES", defaults.max_url_bytes, int)),
            rate_limit=float(number("STEMTRIALS_RATE_LIMIT", defaults.rate_limit, float)),
            rate_burst=int(number("STEMTRIALS_RATE_BURST", defaults.rate_burst, int)),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that makes :meth:`from_env` give these settings (for worker processes)."""
        return {"STEMTRIALS_MAX_BODY_BYTES": str(self.max_body_bytes), "STEMTRIALS_MAX_URL_BYTES":
                str(self.max_url_bytes), "STEMTRIALS_RATE_LIMIT": repr(self.rate_limit),
                "STEMTRIALS_RATE_BURST": str(self.rate_burst)}


# ---------------------------------------------------------------- security headers
class SecurityHeaders:
    """Adds the security headers to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------- limits
class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes the limit. An HTTPException, so a route that is reading its body
    when it happens answers 413 through the problem handlers (FastAPI turns other errors while reading into 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class TokenBuckets:
    """One token bucket per client: ``burst`` tokens, refilled at ``rate`` per second; a request takes one."""

    MAX_CLIENTS = 100_000  # past this, buckets that have refilled completely (idle clients) are forgotten

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # client → (tokens, when counted)

    def take(self, client: str, now: float) -> float:
        """0 when the request may go ahead, else the seconds until a token is available."""
        tokens, then = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > self.MAX_CLIENTS:
                self._forget_idle(now)
            return 0.0
        self._buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {c: (t, w) for c, (t, w) in self._buckets.items() if now - w < full_after}


class Limits:
    """414 for an over-long URL, 400 for a NUL in it, 413 for an over-large body (announced or streamed), 429 past
    the rate limit."""

    def __init__(self, app: ASGIApp, settings: HardeningSettings) -> None:
        self.app = app
        self.settings = settings
        self.buckets = TokenBuckets(settings.rate_limit, settings.rate_burst) if settings.rate_limit > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings
        path: str = scope["path"]
        url_bytes = len(scope.get("raw_path") or path.encode("utf-8")) + len(scope.get("query_string", b""))
        if url_bytes > settings.max_url_bytes:
            await _problem(scope, receive, send, 414, "URI Too Long",
                           f"the URL is {url_bytes} bytes long; the limit is {settings.max_url_bytes}")
            return
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            # No identifier or search text holds a NUL, and PostgreSQL refuses one in any text value: answer here
            # rather than let a query fail deep down.
            await _problem(scope, receive, send, 400, "Bad Request",
                           "the URL contains a NUL character (%00), which no registry ID or search text holds")
            return
        if self.buckets is not None and not (path.startswith(RATE_EXEMPT_PREFIXES) or path in RATE_EXEMPT_PATHS):
            client = scope["client"][0] if scope.get("client") else "unknown"
            wait = self.buckets.take(client, time.monotonic())
            if wait > 0:
                await _problem(scope, receive, send, 429, "Too Many Requests",
                               f"more than {settings.rate_limit:g} requests per second from {client}; retry "
                               "after the time in the Retry-After header",
                               headers={"Retry-After": str(max(1, math.ceil(wait)))})
                return
        declared = _content_length(scope)
        if declared is not None and declared > settings.max_body_bytes:
            await _problem(scope, receive, send, 413, "Content Too Large",
                           f"the request body is {declared} bytes; the limit is {settings.max_body_bytes}",
                           headers={"Connection": "close"})
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > settings.max_body_bytes:
                    raise BodyTooLarge(settings.max_body_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:  # read outside a route's body parsing (a middleware, a raw request.stream())
            if started:
                raise
            await _problem(scope, receive, send, 413, "Content Too Large", str(exc.detail),
                           headers={"Connection": "close"})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _problem(scope: Scope, receive: Receive, send: Send, status: int, title: str, detail: str,
                   headers: dict[str, str] | None = None) -> None:
    response = problems.problem(status, title, detail, scope.get("path"))
    response.headers.update(headers or {})
    await response(scope, receive, send)


def _document_limits(app: FastAPI, settings: HardeningSettings) -> None:
    """Every operation may answer 414 and 429 (and 413 when it takes a body): say so in /openapi.json, so clients
    and schema-driven tests know these problem responses."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        problem = {"content": {problems.PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Problem", problems.Problem.model_json_schema())
        limits = {"400": "The URL contains a NUL character (%00)",
                  "414": f"The URL is longer than {settings.max_url_bytes} bytes"}
        if settings.rate_limit > 0:
            limits["429"] = (f"More than {settings.rate_limit:g} requests per second from this client (bursts of "
                             f"{settings.rate_burst}); the Retry-After header says when to retry")
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                answers = dict(limits)
                if "requestBody" in operation:
                    answers["413"] = f"The request body is larger than {settings.max_body_bytes} bytes"
                for status, description in answers.items():
                    operation["responses"].setdefault(status, {"description": description, **problem})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, settings: HardeningSettings | None = None) -> HardeningSettings:
    """Add the limits, the request log and the security headers to ``app`` (settings default to the
    environment's); call before other exception handlers are wrapped (web.install wraps the one for errors)."""
    settings = settings or HardeningSettings.from_env()
    app.state.hardening = settings
    _document_limits(app, settings)
    app.add_middleware(Limits, settings=settings)
    access_log.install(app)  # request IDs, the access log and the error handler, outside the limits
    app.add_middleware(SecurityHeaders)  # outermost: its headers reach every response, errors included
    return settings


def settings_for_serve(rate_limit: float | None, rate_burst: int | None,
                       environ: Mapping[str, str] | None = None) -> HardeningSettings:
    """``serve``'s options over the environment over the defaults."""
    base = HardeningSettings.from_env(environ)
    return HardeningSettings(
        max_body_bytes=base.max_body_bytes, max_url_bytes=base.max_url_bytes,
        rate_limit=base.rate_limit if rate_limit is None else rate_limit,
        rate_burst=base.rate_burst if rate_burst is None else rate_burst,
    )
