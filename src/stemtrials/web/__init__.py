"""The web UI: server-rendered pages (Jinja2, autoescaped) enhanced with htmx, and a chart dashboard (Vega-Lite).

``install(app, engine)`` adds the pages (``/``, ``/trials/{id}``, ``/dashboard``) and the static files (``/static``)
to the API app; ``api.app.create_app`` calls it. Every script and library is served from ``/static`` (vendored, no
CDN) and no page has inline script or style, so the strict Content-Security-Policy of ``api/hardening.py`` holds.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from .. import __version__
from ..export.text_page import date_text
from . import auth, curation, view
from .pages import error_page, router, wants_json

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# Paths that belong to the machine interfaces: their errors stay problem+json whatever the client accepts.
_API_PREFIXES = ("/api/", "/openapi.json", "/static/")


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Autoescaping is what keeps hostile record text (titles, criteria) inert; templates never use |safe on
        # record data.
        autoescape=select_autoescape(("html",), default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        version=__version__, label=view.label, humanize=view.humanize, date_text=date_text,
        registry_link=view.registry_link, term_api_url=view.term_api_url, ols_url=view.ols_url,
        countries=view.countries, term_labels=view.term_labels, person=view.person, short=view.short,
        safe_url=view.safe_url, url_with=view.url_with, facet_link=view.facet_link, is_selected=view.is_selected,
        active_filters=view.active_filters, filter_items=view.filter_items, SIDEBAR_FACETS=view.SIDEBAR_FACETS,
        SORT_LABELS=view.SORT_LABELS, STATUS_LABELS=view.STATUS_LABELS, PHASE_LABELS=view.PHASE_LABELS,
        CATEGORY_LABELS=view.CATEGORY_LABELS, labels=view.labels, SECTIONS=view.SECTIONS,
        DATE_FIELDS=view.DATE_FIELDS, other_fields=view.other_fields, matched_term=view.matched_term,
    )
    env.globals["viewer"] = auth.viewer  # the signed-in account (None for the public), for header and forms
    return env


def _is_page_request(request: Request) -> bool:
    if request.url.path.startswith(_API_PREFIXES):
        return False
    fmt = request.query_params.get("format")
    if wants_json(request, fmt if fmt in ("html", "json") else None):
        return False
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"


async def _call(handler: Any, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    return await result if inspect.isawaitable(result) else result


def _install_error_pages(app: FastAPI, env: Environment) -> None:
    """Browsers get an HTML page for errors on the UI's paths (unknown page, invalid parameter, server error); the
    API keeps the problem+json handlers installed before us, which we wrap rather than replace."""
    http_handler = app.exception_handlers.get(HTTPException, http_exception_handler)
    invalid_handler = app.exception_handlers.get(RequestValidationError, request_validation_exception_handler)
    error_handler = app.exception_handlers.get(Exception)

    async def on_http(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and _is_page_request(request):
            if exc.status_code == 404:
                return error_page(env, request, 404, "Page not found",
                                  f"There is no page at {request.url.path}.")
            return error_page(env, request, exc.status_code, "Request failed", str(exc.detail))
        return await _call(http_handler, request, exc)

    async def on_invalid(request: Request, exc: Exception) -> Response:
        if isinstance(exc, RequestValidationError) and _is_page_request(request):
            problems_found = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'query')}: {e.get('msg')}" for e in exc.errors())
            return error_page(env, request, 422, "Invalid search parameter", problems_found)
        return await _call(invalid_handler, request, exc)

    async def on_error(request: Request, exc: Exception) -> Response:
        if _is_page_request(request):
            return error_page(env, request, 500, "Something went wrong",
                              "The server could not build this page. Please try again; if it persists, report it.")
        if error_handler is not None:
            return await _call(error_handler, request, exc)
        return PlainTextResponse("Internal Server Error", status_code=500)

    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(Exception, on_error)


def install(app: FastAPI, engine: Engine) -> None:
    env = make_env()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router(engine, env))
    app.include_router(auth.router(engine, env))
    app.include_router(curation.router(engine, env))
    app.add_middleware(auth.NoStoreForSignedIn)
    _install_error_pages(app, env)


__all__ = ["install", "make_env"]
