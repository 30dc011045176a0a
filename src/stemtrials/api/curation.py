"""Curation routes: overrides of a record's annotations, link decisions, and the audit log.

Reads (a record's overrides and audit entries) are public; writes need a curator's or admin's API token, the whole
audit log an admin's. Every write lands its audit entry in the same transaction (store/curation.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from ..store import audit, curation
from ..store.accounts import Account
from ..store.overrides import PRODUCT_FIELDS, OverrideError
from ..store.reader import get_record, resolve_id
from ..store.studies import LinkDecisionError
from . import problems
from .auth import AUTH_RESPONSES, AuthProblem, caller, require

_Field = Literal["category", "cell_type", "source_tissue", "donor", "pluripotent_origin", "route", "dose"]
assert set(_Field.__args__) == set(PRODUCT_FIELDS)  # type: ignore[attr-defined]
# Module-level (not inside install()): FastAPI reads these annotations by name from the module's globals.
Curator = Annotated[Account, Depends(require("curator"))]
Admin = Annotated[Account, Depends(require("admin"))]


class AccountOut(BaseModel):
    name: str
    role: str


class AuditEntryOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str | None = None
    related: str | None = None
    before: Any = None
    after: Any = None
    note: str | None = None


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next: int | None = Field(description="Pass as 'before' for the next (older) page; null on the last page.")


class OverrideOut(BaseModel):
    id: int
    trial_id: str
    kind: str
    target: str
    field: str
    value: Any = None
    original: Any = Field(None, description="The annotator's value, restored when the override is removed.")
    set_by: str
    set_at: str
    note: str | None = None
    applies: bool = Field(description="Whether the current record has the override's target.")


class ChangeOut(BaseModel):
    override: OverrideOut | None
    audit_id: int
    version: int | None = Field(description="The record's new version; null when its content did not change.")
    record: dict[str, Any]


class ConditionOverrideIn(BaseModel):
    condition: str = Field(min_length=1, max_length=2000, description="A condition text of the record.")
    terms: list[Annotated[str, Field(min_length=1, max_length=300)]] | None = Field(
        None, max_length=20, description="Mondo CURIEs or exact Mondo names; [] marks the condition unlinked.")
    accept: bool = Field(False, description="Pin the annotator's current terms instead of setting new ones.")
    note: str | None = Field(None, max_length=2000)


class ProductOverrideIn(BaseModel):
    product: str = Field(min_length=1, max_length=500,
                         description="The cell product's name, or #N for the N-th product (1-based).")
    field: _Field
    value: str | None = Field(None, max_length=500, description="The new value (a CL or Uberon CURIE or exact "
                                                                "name for cell_type and source_tissue); null clears.")
    accept: bool = Field(False, description="Pin the annotator's current value instead of setting one.")
    note: str | None = Field(None, max_length=2000)


class LinkDecisionIn(BaseModel):
    other: str = Field(min_length=1, max_length=128, description="Any registry ID of the other record.")
    decision: Literal["confirm", "split"]
    note: str | None = Field(None, max_length=2000)


class LinkDecisionOut(BaseModel):
    a: str
    b: str
    decision: str
    decided_by: str
    note: str | None = None
    study_of: dict[str, str | None]


def _entry(e: audit.AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(**e.to_json())


def install(app: FastAPI, engine: Engine) -> None:
    errors = {
        404: {"model": problems.Problem, "description": "Unknown ID, override or target",
              "content": {problems.PROBLEM: {}}},
        422: {"model": problems.Problem, "description": "Invalid value", "content": {problems.PROBLEM: {}}},
    }
    # A body that isn't JSON at all is refused (400) before anyone is asked who is calling.
    writes = {400: {"model": problems.Problem, "description": "The body is not JSON",
                    "content": {problems.PROBLEM: {}}}, **AUTH_RESPONSES, **errors}

    def failure(request: Request, exc: Exception) -> Any:
        status = 404 if isinstance(exc, curation.NotFoundError) else 422
        return problems.problem(status, "Not Found" if status == 404 else "Invalid request", str(exc),
                                str(request.url.path))

    def change_out(change: curation.Change, trial_id: str) -> ChangeOut:
        found = {o["id"]: o for o in curation.list_overrides(engine, trial_id)}
        override = OverrideOut(**found[change.override.id]) if change.override else None
        return ChangeOut(override=override, audit_id=change.audit_id, version=change.version,
                         record=get_record(engine, trial_id) or {})

    @app.get("/api/me", response_model=AccountOut, responses=AUTH_RESPONSES, tags=["curation"],
             summary="The account of the API token")
    def me(account: Annotated[Account | None, Depends(caller)]) -> Any:
        if account is None:
            raise AuthProblem(401, "no API token (header 'Authorization: Bearer <token>')")
        return AccountOut(name=account.name, role=account.role)

    @app.get("/api/trials/{trial_id}/overrides", response_model=list[OverrideOut], responses=errors,
             tags=["curation"], summary="Curators' overrides of a trial's annotations")
    def get_overrides(trial_id: str, request: Request) -> Any:
        try:
            return [OverrideOut(**o) for o in curation.list_overrides(engine, trial_id)]
        except curation.NotFoundError as exc:
            return failure(request, exc)

    @app.put("/api/trials/{trial_id}/overrides/condition", response_model=ChangeOut, responses=writes,
             tags=["curation"], summary="Set (or accept) the Mondo terms of one of a trial's conditions")
    def put_condition(trial_id: str, body: ConditionOverrideIn, request: Request,
                      account: Curator) -> Any:
        try:
            if body.accept:
                change = curation.accept(engine, trial_id, "condition", body.condition, "terms", account.audit_name,
                                         body.note)
            elif body.terms is None:
                raise OverrideError("give 'terms' (a list; [] marks the condition unlinked) or 'accept': true")
            else:
                change = curation.set_condition_terms(engine, trial_id, body.condition, body.terms,
                                                      account.audit_name, body.note)
        except (curation.NotFoundError, OverrideError) as exc:
            return failure(request, exc)
        return change_out(change, trial_id)

    @app.put("/api/trials/{trial_id}/overrides/cell_product", response_model=ChangeOut, responses=writes,
             tags=["curation"], summary="Set (or accept) one field of one of a trial's cell products")
    def put_product(trial_id: str, body: ProductOverrideIn, request: Request,
                    account: Curator) -> Any:
        try:
            if body.accept:
                change = curation.accept(engine, trial_id, "cell_product", body.product, body.field,
                                         account.audit_name, body.note)
            else:
                change = curation.set_product_field(engine, trial_id, body.product, body.field, body.value,
                                                    account.audit_name, body.note)
        except (curation.NotFoundError, OverrideError) as exc:
            return failure(request, exc)
        return change_out(change, trial_id)

    @app.delete("/api/trials/{trial_id}/overrides/{override_id}", response_model=ChangeOut, responses=writes,
                tags=["curation"], summary="Remove an override: the annotator's value comes back")
    def delete_override(trial_id: str, override_id: int, request: Request,
                        account: Curator,
                        note: Annotated[str | None, Query(max_length=2000)] = None) -> Any:
        try:
            change = curation.remove(engine, trial_id, override_id, account.audit_name, note)
        except curation.NotFoundError as exc:
            return failure(request, exc)
        return change_out(change, trial_id)

    @app.post("/api/studies/{trial_id}/links", response_model=LinkDecisionOut, responses=writes,
              tags=["curation"], summary="Confirm (same trial) or split (different trials) two records; re-links")
    def post_link(trial_id: str, body: LinkDecisionIn, request: Request,
                  account: Curator) -> Any:
        try:
            for given in (trial_id, body.other):
                if resolve_id(engine, given) is None:
                    raise curation.NotFoundError(f"no trial with registry ID {given!r}")
            return curation.decide_link(engine, trial_id, body.other, body.decision, account.audit_name,
                                        account.name, body.note)
        except (curation.NotFoundError, LinkDecisionError) as exc:
            return failure(request, exc)

    @app.get("/api/trials/{trial_id}/audit", response_model=list[AuditEntryOut], responses=errors,
             tags=["curation"], summary="Every curation change of a trial, oldest first")
    def get_trial_audit(trial_id: str, request: Request) -> Any:
        found = resolve_id(engine, trial_id)
        if found is None:
            return failure(request, curation.NotFoundError(f"no trial with registry ID {trial_id!r}"))
        return [_entry(e) for e in audit.for_target(engine, found)]

    @app.get("/api/audit", response_model=AuditPage, responses=AUTH_RESPONSES, tags=["curation"],
             summary="The whole audit log, newest first (admins)")
    def get_audit(
        _admin: Admin,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        before: Annotated[int | None, Query(ge=1, description="The 'next' of a previous page.")] = None,
        actor: Annotated[str | None, Query(max_length=128)] = None,
        action: Annotated[Literal[audit.ACTIONS] | None, Query()] = None,  # type: ignore[valid-type]
        target: Annotated[str | None, Query(max_length=128)] = None,
    ) -> Any:
        entries, cursor = audit.page(engine, limit=limit, before=before, actor=actor, action=action, target=target)
        return AuditPage(entries=[_entry(e) for e in entries], next=cursor)
