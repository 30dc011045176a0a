"""Who is calling the API: ``Authorization: Bearer <token>`` (tokens from ``stemtrials user token NAME``).

Reads stay public. Write routes depend on :func:`require` with the least role they need; an anonymous call gets
401 and a token whose account lacks the role 403, both as problem details. The API takes tokens only, never the web
session cookie: a cookie rides along on cross-site requests, a token header does not, so the API needs no CSRF
defence (the web forms have theirs, web/auth.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..store.accounts import Account, account_for_token
from . import problems

bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="An API token from `stemtrials user token NAME` (curator or admin to write).")


class AuthProblem(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def caller(request: Request,
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Account | None:
    """The account of the request's bearer token; None without one; 401 for a token that is unknown or revoked."""
    if credentials is None:
        return None
    account = account_for_token(request.app.state.engine, credentials.credentials)
    if account is None:
        raise AuthProblem(401, "the API token is unknown or revoked")
    return account


def require(role: str) -> Callable[..., Account]:
    """A dependency: the calling account, which must have ``role`` (or a higher one)."""

    def dependency(account: Annotated[Account | None, Depends(caller)]) -> Account:
        if account is None:
            raise AuthProblem(401, f"this route needs an API token of a {role} account "
                                   "(header 'Authorization: Bearer <token>')")
        if not account.can(role):
            raise AuthProblem(403, f"account {account.name!r} is a {account.role}; this route needs a {role}")
        return account

    return dependency


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": problems.Problem, "description": "No API token, or an unknown or revoked one",
          "content": {problems.PROBLEM: {}}},
    403: {"model": problems.Problem, "description": "The token's account lacks the role this route needs",
          "content": {problems.PROBLEM: {}}},
}


def install(app: FastAPI) -> None:
    @app.exception_handler(AuthProblem)
    async def _auth(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthProblem)
        title = "Unauthorized" if exc.status == 401 else "Forbidden"
        response = problems.problem(exc.status, title, exc.detail, str(request.url.path))
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="stemtrials"'
        return response
