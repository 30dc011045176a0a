"""Errors as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ..query.search import QueryError

PROBLEM = "application/problem+json"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


def problem(status: int, title: str, detail: str | None = None, instance: str | None = None,
            extra: dict[str, Any] | None = None) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, instance=instance).model_dump()
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


# RFC 9110's names where Python 3.11's HTTPStatus still has the older ones.
_RFC9110_TITLES = {413: "Content Too Large", 414: "URI Too Long"}


def _title(status: int) -> str:
    """The status's reason phrase ('Not Found', 'Content Too Large')."""
    try:
        return _RFC9110_TITLES.get(status) or HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, _title(exc.status_code), str(exc.detail), str(request.url.path))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return problem(422, "Invalid request", detail, str(request.url.path), {"errors": errors})

    @app.exception_handler(QueryError)
    async def _query(request: Request, exc: QueryError) -> JSONResponse:
        return problem(400, "Bad Request", str(exc), str(request.url.path))
