"""Web login: the session cookie, CSRF tokens, ``/login`` and ``/logout``.

- The session cookie (``stemtrials_session``) is HttpOnly, SameSite=Lax, Secure when the request came over https,
  and holds only a random session ID (store/accounts.py keeps the session server-side).
- Every form POST carries a CSRF token in a hidden ``csrf`` field. A signed-in form's token is the session's own;
  the login form, which has no session yet, pairs its hidden token with a short-lived cookie holding the same value
  (double submit), so a cross-site page can't log a visitor into someone else's account. A POST whose token is
  missing or wrong is refused with 403.
- Public pages stay public: an anonymous request carries no cookie and costs no lookup.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import Environment
from sqlalchemy import Engine

from ..store.accounts import SESSION_HOURS, Account, authenticate, create_session, end_session, session_account
from .pages import error_page, page, wants_json

SESSION_COOKIE = "stemtrials_session"
LOGIN_COOKIE = "stemtrials_login_csrf"
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class Viewer:
    """A signed-in visitor: the account and the session's CSRF token (for the forms of the page)."""

    account: Account
    csrf: str


def viewer(request: Request) -> Viewer | None:
    """The signed-in account of a request (looked up once per request), or None."""
    try:
        return request.state.viewer  # type: ignore[no-any-return]
    except AttributeError:
        pass
    found = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id and len(session_id) <= 128:
        live = session_account(request.app.state.engine, session_id)
        found = Viewer(*live) if live else None
    request.state.viewer = found
    return found


async def form_data(request: Request) -> dict[str, str] | None:
    """The fields of a url-encoded form POST (first value of each), or None when the body is not one."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


def token_matches(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())  # type: ignore[union-attr]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (an absolute path, not '//host' or a backslash trick)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def refused(env: Environment, request: Request, detail: str) -> Response:
    return error_page(env, request, 403, "Request refused", detail)


def to_login(request: Request, back: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(local_path(back), safe='/')}", status_code=303)


def router(engine: Engine, env: Environment) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def login_form(request: Request, status: int = 200, error: str | None = None,
                   name: str = "", next_path: str = "/") -> Response:
        csrf = secrets.token_urlsafe(32)
        response = page(env, "login.html", status, request=request, csrf=csrf, error=error, account_name=name,
                        next_path=local_path(next_path), nav=None)
        response.set_cookie(LOGIN_COOKIE, csrf, max_age=3600, path="/login", httponly=True, samesite="lax",
                            secure=_secure(request))
        response.headers["Cache-Control"] = "no-store"
        return response

    @r.get("/login", response_model=None)
    def login_page(request: Request, next: str = "/", format: str | None = None) -> Response:
        who = viewer(request)
        if wants_json(request, format if format in ("html", "json") else None):
            account: dict[str, Any] | None = {"name": who.account.name, "role": who.account.role} if who else None
            return JSONResponse({"account": account}, headers={"Cache-Control": "no-store"})
        return login_form(request, next_path=next)

    @r.post("/login", response_model=None)
    async def login(request: Request) -> Response:
        form = await form_data(request)
        if form is None:
            return refused(env, request, "The sign-in form was not sent as a form.")
        if not token_matches(form.get("csrf"), request.cookies.get(LOGIN_COOKIE)):
            return refused(env, request, "The sign-in form's security token is missing or wrong. Reload the sign-in "
                                         "page and try again (cookies must be enabled).")
        name, password = form.get("username", "").strip(), form.get("password", "")
        account = authenticate(engine, name, password) if name and password else None
        if account is None:
            return login_form(request, 400, "Wrong account name or password.", name, form.get("next", "/"))
        session_id, _csrf = create_session(engine, account)
        response = RedirectResponse(local_path(form.get("next")), status_code=303)
        response.set_cookie(SESSION_COOKIE, session_id, max_age=SESSION_HOURS * 3600, path="/", httponly=True,
                            samesite="lax", secure=_secure(request))
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @r.post("/logout", response_model=None)
    async def logout(request: Request) -> Response:
        who = viewer(request)
        if who is None:
            return RedirectResponse("/", status_code=303)
        form = await form_data(request)
        if form is None or not token_matches(form.get("csrf"), who.csrf):
            return refused(env, request, "The sign-out form's security token is missing or wrong. Reload the page "
                                         "and try again.")
        end_session(engine, request.cookies[SESSION_COOKIE])
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
        return response

    return r


class NoStoreForSignedIn:
    """ASGI middleware: a response to a request that carries a session cookie gets ``Cache-Control: no-store``
    (unless it set its own): such pages hold the account's name and CSRF tokens and must not sit in a shared cache.
    Anonymous requests pass through untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not any(
                k == b"cookie" and SESSION_COOKIE.encode() in v for k, v in scope.get("headers", ())):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)
