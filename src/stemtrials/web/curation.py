"""Curators' forms on the trial page: override a condition's terms or a cell product field, remove an override,
confirm or split a link. Plain HTML forms (no script needed), each a POST with the session's CSRF token that
redirects back to the trial page (post/redirect/get).

Refusals, in this order: not signed in → 303 to ``/login`` (and back here after); CSRF token missing or wrong →
403; signed in without the curator role → 403. The routes take the record's ID last (``/curation/…/{id}``) because
some registry IDs contain slashes (CTRI/2020/05/025209).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import Environment
from sqlalchemy import Engine

from ..store import curation
from ..store.overrides import CATEGORIES, PRODUCT_FIELDS, OverrideError
from ..store.studies import LinkDecisionError
from .auth import Viewer, form_data, refused, to_login, token_matches, viewer
from .pages import error_page

_CURIE_LIST = re.compile(r"^\s*[A-Za-z][A-Za-z0-9]*[:_][A-Za-z0-9]+(?:[\s,]+[A-Za-z][A-Za-z0-9]*[:_][A-Za-z0-9]+)*\s*$")


def split_terms(text: str) -> list[str]:
    """A form's term list: one per line or ';'. A line of CURIEs only may also separate them by commas or spaces
    (names can't: "osteoarthritis, knee" is one Mondo label)."""
    out: list[str] = []
    for part in re.split(r"[;\n]", text):
        if _CURIE_LIST.match(part):
            out.extend(p for p in re.split(r"[\s,]+", part) if p)
        elif part.strip():
            out.append(part.strip())
    return out


def trial_url(trial_id: str, anchor: str = "curation-history") -> str:
    return f"/trials/{quote(trial_id, safe='')}#{anchor}"


def curation_context(engine: Engine, request: Request, record: dict[str, Any]) -> dict[str, Any] | None:
    """What the trial page's curator forms need, or None for anyone but a signed-in curator or admin."""
    who = viewer(request)
    if who is None or not who.account.can("curator"):
        return None
    return {"csrf": who.csrf, "overrides": curation.list_overrides(engine, record["id"]),
            "fields": PRODUCT_FIELDS, "categories": CATEGORIES}


def router(engine: Engine, env: Environment) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    async def guard(request: Request, trial_id: str) -> tuple[Viewer, dict[str, str]] | Response:
        who = viewer(request)
        if who is None:
            return to_login(request, f"/trials/{quote(trial_id, safe='')}")
        form = await form_data(request)
        if form is None or not token_matches(form.get("csrf"), who.csrf):
            return refused(env, request, "The form's security token is missing or wrong. Reload the trial page and "
                                         "try again.")
        if not who.account.can("curator"):
            return refused(env, request, f"Your account ({who.account.name}) is a {who.account.role}; curating "
                                         "needs a curator or admin account.")
        return who, form

    def failed(request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, curation.NotFoundError) else 422
        return error_page(env, request, status, "Change not made", str(exc))

    def note_of(form: dict[str, str]) -> str | None:
        return form.get("note", "").strip()[:2000] or None

    @r.post("/curation/condition/{trial_id:path}", response_model=None)
    async def curate_condition(request: Request, trial_id: str) -> Response:
        checked = await guard(request, trial_id)
        if isinstance(checked, Response):
            return checked
        who, form = checked
        action, condition = form.get("action", "set"), form.get("condition", "")
        actor = who.account.audit_name
        try:
            if action == "accept":
                curation.accept(engine, trial_id, "condition", condition, "terms", actor, note_of(form))
            elif action == "unlink":
                curation.set_condition_terms(engine, trial_id, condition, [], actor, note_of(form))
            elif action == "set":
                terms = split_terms(form.get("terms", ""))
                if not terms:
                    raise OverrideError("no term given: enter Mondo CURIEs or names, or choose “Mark unlinked”")
                curation.set_condition_terms(engine, trial_id, condition, terms, actor, note_of(form))
            else:
                raise OverrideError(f"unknown action {action!r}")
        except (curation.NotFoundError, OverrideError) as exc:
            return failed(request, exc)
        return RedirectResponse(trial_url(trial_id), status_code=303)

    @r.post("/curation/cell-product/{trial_id:path}", response_model=None)
    async def curate_product(request: Request, trial_id: str) -> Response:
        checked = await guard(request, trial_id)
        if isinstance(checked, Response):
            return checked
        who, form = checked
        action, product, field = form.get("action", "set"), form.get("product", ""), form.get("field", "")
        actor = who.account.audit_name
        try:
            if action == "accept":
                curation.accept(engine, trial_id, "cell_product", product, field, actor, note_of(form))
            elif action in ("set", "clear"):
                value = form.get("value") if action == "set" else None
                if action == "set" and not (value or "").strip():
                    raise OverrideError("no value given: enter one, or choose “Clear field”")
                curation.set_product_field(engine, trial_id, product, field, value, actor, note_of(form))
            else:
                raise OverrideError(f"unknown action {action!r}")
        except (curation.NotFoundError, OverrideError) as exc:
            return failed(request, exc)
        return RedirectResponse(trial_url(trial_id), status_code=303)

    @r.post("/curation/override-remove/{trial_id:path}", response_model=None)
    async def remove_override(request: Request, trial_id: str) -> Response:
        checked = await guard(request, trial_id)
        if isinstance(checked, Response):
            return checked
        who, form = checked
        try:
            override_id = int(form.get("override_id", ""))
        except ValueError:
            return failed(request, OverrideError(f"bad override number {form.get('override_id')!r}"))
        try:
            curation.remove(engine, trial_id, override_id, who.account.audit_name, note_of(form))
        except curation.NotFoundError as exc:
            return failed(request, exc)
        return RedirectResponse(trial_url(trial_id), status_code=303)

    @r.post("/curation/link/{trial_id:path}", response_model=None)
    async def decide_link(request: Request, trial_id: str) -> Response:
        checked = await guard(request, trial_id)
        if isinstance(checked, Response):
            return checked
        who, form = checked
        decision, other = form.get("decision", ""), form.get("other", "").strip()
        try:
            if not other:
                raise LinkDecisionError("give the registry ID of the other record")
            curation.decide_link(engine, trial_id, other, decision, who.account.audit_name, who.account.name,
                                 note_of(form))
        except (curation.NotFoundError, LinkDecisionError) as exc:
            return failed(request, exc)
        return RedirectResponse(trial_url(trial_id, "ids"), status_code=303)

    return r
