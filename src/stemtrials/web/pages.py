"""The HTML pages (search, trial, dashboard) and their JSON twins.

Each page takes the same query parameters as its API route (``api.params.filters`` plus paging) and, asked for JSON
(``?format=json`` or an ``Accept: application/json`` that doesn't also accept HTML), returns exactly the API payload:
the twins call the same query functions and serialize through the API's own response models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment
from sqlalchemy import Engine

from ..api import problems
from ..api.app import VersionChange, VersionInfo, field_list, trial_list_json
from ..api.params import filters
from ..query.search import Filters, QueryError, search
from ..query.stats import stats
from ..query.study import study_view
from ..store import audit, get_record, history
from ..store.studies import study_links, study_members
from . import view

PageFormat = Annotated[Literal["html", "json"] | None, Query(
    description="json returns the matching API payload; html (default for browsers) the page.")]

# Responses differ by these request headers, so shared caches must not hand a fragment or JSON to a page load.
VARY = "Accept, HX-Request, HX-History-Restore-Request"


def wants_json(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "json"
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def is_fragment(request: Request) -> bool:
    """An htmx swap wants only the results region; a history restore (back button on a cache miss) wants the page."""
    return (request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true")


def page(env: Environment, name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    html = env.get_template(name).render(**context)
    return HTMLResponse(html, status_code=http_status, headers={"Vary": VARY})


def error_page(env: Environment, request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    fragment = is_fragment(request)
    return page(env, "_error_region.html" if fragment else "error.html", status, request=request, status=status,
                title=title, detail=detail, nav=None, fragment=fragment)


def _json(payload: Any) -> JSONResponse:
    return JSONResponse(jsonable_encoder(payload), headers={"Vary": VARY})


def _versions(engine: Engine, trial_id: str) -> list[VersionInfo]:
    return [VersionInfo(version=v.version, current=v.current, imported_at=v.imported_at,
                        source_format=v.source_format, source_file=v.source_file, last_update=v.last_update,
                        raw_sha256=v.raw_sha256,
                        changes=[VersionChange(field=c.field, before=c.before, after=c.after) for c in v.changes])
            for v in history(engine, trial_id)]


def router(engine: Engine, env: Environment) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/", response_model=None)
    def search_page(
        request: Request,
        f: Annotated[Filters, Depends(filters)],
        limit: Annotated[int, Query(ge=1, le=500)] = 20,
        cursor: Annotated[str | None, Query(max_length=2000)] = None,
        sort: Annotated[Literal["relevance", "start_date", "last_update", "enrollment"] | None, Query()] = None,
        fields: Annotated[str | None, Query(max_length=1000)] = None,
        format: PageFormat = None,
    ) -> Response:
        if wants_json(request, format):
            # A bad cursor raises QueryError here, which the API's handler turns into the same 400 problem.
            res = search(engine, f, limit=limit, cursor=cursor, sort=sort, with_facets=True)
            return trial_list_json(res, field_list(fields), headers={"Vary": VARY})
        try:
            res = search(engine, f, limit=limit, cursor=cursor, sort=sort, with_facets=True)
        except QueryError as exc:
            return error_page(env, request, 400, "This search can't be run", str(exc))
        params = list(request.query_params.multi_items())
        filtered = bool(view.filter_items(params))
        empty_db = res.total == 0 and not filtered
        fragment = is_fragment(request)
        context = dict(request=request, res=res, params=params, q=f.q or "", sort=sort or "relevance",
                       cursor=cursor, filtered=filtered, empty_db=empty_db, nav="search", fragment=fragment)
        return page(env, "_region.html" if fragment else "search.html", **context)

    @r.get("/trials/{trial_id:path}", response_model=None)
    def trial_page(request: Request, trial_id: str, format: PageFormat = None) -> Response:
        record = get_record(engine, trial_id)
        as_json = wants_json(request, format)
        if record is None:
            detail = f"no trial with registry ID {trial_id!r}"
            if as_json:
                return problems.problem(404, "Not Found", detail, str(request.url.path))
            return error_page(env, request, 404, "Trial not found",
                              f"No trial has the registry ID “{trial_id}”. Check the ID, or search for it.")
        versions = _versions(engine, record["id"])
        study = study_view(study_members(engine, record["id"]), study_links(engine, record["study_id"]))
        audit_entries = [e.to_json() for e in audit.for_target(engine, record["id"])]  # = /api/trials/{id}/audit
        if as_json:
            return _json({"record": record, "versions": versions, "study": study, "audit": audit_entries})
        from .curation import curation_context

        return page(env, "trial.html", request=request, rec=record, versions=versions, study=study, nav=None,
                    requested_id=trial_id, audit=audit_entries,
                    curation=curation_context(engine, request, record))

    @r.get("/dashboard", response_model=None)
    def dashboard_page(request: Request, f: Annotated[Filters, Depends(filters)],
                       format: PageFormat = None) -> Response:
        data = stats(engine, f)
        if wants_json(request, format):
            return _json(data)
        params = list(request.query_params.multi_items())
        query = view.url_with("", params, keep_sort=False)
        return page(env, "dashboard.html", request=request, data=data, params=params, q=f.q or "",
                    filtered=bool(view.filter_items(params)), stats_url="/api/stats" + query,
                    charts=view.dashboard_charts(data),
                    search_url="/" + query, nav="dashboard")

    return r
