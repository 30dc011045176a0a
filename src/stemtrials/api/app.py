"""REST API routes (read-only, public): trials, one trial, its history, facets, stats, ontology terms.

Routes hold no logic of their own: they parse parameters, call query/ or store/, and shape the response.
"""

from __future__ import annotations

import io
import json
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Engine

from .. import __version__
from ..export.csv import write_csv
from ..query.search import SORTS, Filters, Results, facets, search
from ..query.stats import stats
from ..store import get_record, history, open_engine
from . import auth, curation, problems
from .hardening import HardeningSettings
from .hardening import install as install_hardening
from .params import filters

FACETS_DESCRIPTION = "Counts per value over the matching trials, by facet name."


class TrialList(BaseModel):
    total: int
    results: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    next: str | None


class VersionChange(BaseModel):
    field: str
    before: Any = None
    after: Any = None


class VersionInfo(BaseModel):
    version: int
    current: bool
    imported_at: str
    source_format: str
    source_file: str | None
    last_update: str | None
    raw_sha256: str | None
    changes: list[VersionChange]


class OntologyTerm(BaseModel):
    id: str
    label: str | None = None
    definition: str | None = None
    synonyms: list[Any] = []
    parents: list[Any] = []
    xrefs: list[Any] = []


def _trim(record: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if not fields:
        return record
    keep = {"id", *fields}
    return {k: v for k, v in record.items() if k in keep}


def field_list(fields: str | None) -> list[str] | None:
    """``fields=title,status`` → the record keys to keep (None: all)."""
    wanted = [x.strip() for x in fields.split(",") if x.strip()] if fields else None
    return wanted or None


def trial_list_json(res: Results, fields: list[str] | None, headers: dict[str, str] | None = None) -> Response:
    """A :class:`TrialList` payload. Whole records go out as the stored JSON text, never parsed and re-serialized:
    on a page of records that is most of a request's work."""
    if fields:
        results = json.dumps([_trim(h.record, fields) for h in res.hits], ensure_ascii=False)
    else:
        results = "[" + ", ".join(h.record_json for h in res.hits) + "]"
    body = (f'{{"total": {res.total}, "results": {results}, '
            f'"facets": {json.dumps(res.facets, ensure_ascii=False)}, "next": {json.dumps(res.next)}}}')
    return Response(body.encode("utf-8"), media_type="application/json", headers=headers)


def create_app(db: str | None = None, engine: Engine | None = None,
               hardening: HardeningSettings | None = None) -> FastAPI:
    engine = engine or open_engine(db)
    app = FastAPI(
        title="stemtrials API",
        version=__version__,
        description="An open registry of stem-cell clinical trials: search, records by any registry ID, facets, "
                    "landscape counts and ontology terms. Reads are public; curators change annotations and "
                    "links with an API token, and every change is in the audit log.",
        openapi_url="/openapi.json",
        # No Swagger UI page: FastAPI's loads from a CDN with an inline script, and swagger-ui itself applies
        # inline styles, so it cannot run under the site's CSP (api/hardening.py). /openapi.json serves any viewer.
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    problems.install(app)
    install_hardening(app, hardening)  # limits, security headers, request IDs and logs (before web wraps handlers)
    auth.install(app)
    not_found = {404: {"model": problems.Problem, "description": "Unknown ID",
                       "content": {problems.PROBLEM: {}}}}
    bad = {400: {"model": problems.Problem, "description": "Bad cursor or sort", "content": {problems.PROBLEM: {}}},
           422: {"model": problems.Problem, "description": "Invalid parameter", "content": {problems.PROBLEM: {}}}}

    @app.get("/api/trials", response_model=TrialList, responses={
        **bad, 200: {"content": {"text/csv": {}}, "description": "The page of trials (JSON, or CSV with format=csv)"}},
        tags=["trials"])
    def list_trials(
        f: Annotated[Filters, Depends(filters)],
        limit: Annotated[int, Query(ge=1, le=500)] = 20,
        cursor: Annotated[str | None, Query(max_length=2000, description="The 'next' of a previous page.")] = None,
        sort: Annotated[Literal["relevance", "start_date", "last_update", "enrollment"] | None, Query()] = None,
        fields: Annotated[str | None, Query(max_length=1000,
                                            description="Comma-separated record keys to keep (id always).")] = None,
        format: Annotated[Literal["json", "csv"], Query()] = "json",
    ) -> Any:
        assert sort is None or sort in SORTS
        res = search(engine, f, limit=limit, cursor=cursor, sort=sort, with_facets=format == "json")
        if format == "csv":
            buf = io.StringIO()
            write_csv((h.record for h in res.hits), buf)
            return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="stemtrials.csv"'})
        return trial_list_json(res, field_list(fields))

    @app.get("/api/trials/{trial_id}", response_model=dict[str, Any], responses=not_found, tags=["trials"],
             summary="One trial by any of its registry IDs")
    def get_trial(trial_id: str, request: Request) -> Any:
        record = get_record(engine, trial_id)
        if record is None:
            return problems.problem(404, "Not Found", f"no trial with registry ID {trial_id!r}",
                                    str(request.url.path))
        return record

    @app.get("/api/trials/{trial_id}/history", response_model=list[VersionInfo], responses=not_found,
             tags=["trials"], summary="Every version of a trial and what changed")
    def get_history(trial_id: str, request: Request) -> Any:
        versions = history(engine, trial_id)
        if not versions:
            return problems.problem(404, "Not Found", f"no trial with registry ID {trial_id!r}",
                                    str(request.url.path))
        return [VersionInfo(version=v.version, current=v.current, imported_at=v.imported_at,
                            source_format=v.source_format, source_file=v.source_file, last_update=v.last_update,
                            raw_sha256=v.raw_sha256,
                            changes=[VersionChange(field=c.field, before=c.before, after=c.after)
                                     for c in v.changes]) for v in versions]

    @app.get("/api/studies/{trial_id}", response_model=dict[str, Any], responses=not_found, tags=["trials"],
             summary="The study of a trial: all its registrations, each field per source, discrepancies, links")
    def get_study(trial_id: str, request: Request) -> Any:
        from ..query.study import study_view
        from ..store.studies import study_links, study_members

        members = study_members(engine, trial_id)
        if not members:
            return problems.problem(404, "Not Found", f"no trial with registry ID {trial_id!r}",
                                    str(request.url.path))
        return study_view(members, study_links(engine, members[0]["study_id"]))

    @app.get("/api/facets", response_model=dict[str, dict[str, int]], responses=bad, tags=["trials"],
             description=FACETS_DESCRIPTION)
    def get_facets(f: Annotated[Filters, Depends(filters)],
                   limit: Annotated[int, Query(ge=1, le=1000)] = 25) -> Any:
        return facets(engine, f, limit=limit)

    @app.get("/api/stats", response_model=dict[str, Any], responses=bad, tags=["trials"],
             summary="Landscape counts (as `stemtrials stats --json`), optionally within a search")
    def get_stats(f: Annotated[Filters, Depends(filters)]) -> Any:
        return stats(engine, f)

    @app.get("/api/ontology/{curie}", response_model=OntologyTerm, responses=not_found, tags=["ontology"])
    def get_ontology(curie: str, request: Request) -> Any:
        from ..enrich.ontology import describe

        info = describe(curie)
        if info is None:
            return problems.problem(404, "Not Found", f"no ontology term {curie!r}", str(request.url.path))
        return info

    @app.get("/api/health", include_in_schema=False)
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    try:
        from ..web import install as install_web
    except ImportError:  # the web UI is optional for API-only deployments
        pass
    else:
        install_web(app, engine)
    curation.install(app, engine)
    return app
