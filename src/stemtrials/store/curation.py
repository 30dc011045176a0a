"""Curators' changes: set, accept or remove an override of a record's annotations; confirm or split a link.

Each change is one write transaction that lands three things together: the override row (store/overrides.py), an
audit-log entry (store/audit.py) and — when the record's content changes — a new current version with source
format ``curation`` written through the writer's own path (``FileTransaction.put_curated``), so the record JSON,
facets and full-text index are updated exactly as an import would update them, and the history shows what changed
and, in the version's file field, who changed it and which audit entry explains it.

Why a new version rather than editing the current one in place: history stays the complete story of what users saw,
a re-import of the same source file stays ``unchanged`` (the import path applies the same overrides before hashing
and finds the curated version), and a newer registry version keeps the curation because the override, not the old
version, carries it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from ..model import TrialRecord
from ..vocab import today_iso
from . import audit
from . import schema as s
from .overrides import (
    PRODUCT_FIELDS,
    Override,
    OverrideError,
    apply_to_data,
    condition_terms,
    current_value,
    overrides_for,
    product_value,
    target_key,
    targets_of,
)
from .reader import resolve_id


class NotFoundError(LookupError):
    """An unknown registry ID, override or target; the message names it."""


@dataclass(frozen=True)
class Change:
    """What a curator's change did: the override (None after a removal), its audit entry, the new version (None
    when the record's content did not change)."""

    override: Override | None
    audit_id: int
    version: int | None


def _resolve(engine: Engine, registry_id: str) -> str:
    trial_id = resolve_id(engine, registry_id)
    if trial_id is None:
        raise NotFoundError(f"no trial with registry ID {registry_id!r}")
    return trial_id


def _load(conn: Any, trial_id: str) -> dict[str, Any]:
    record_json = conn.execute(select(s.trials.c.record_json).where(s.trials.c.id == trial_id)).scalar()
    if record_json is None:
        raise NotFoundError(f"no trial with registry ID {trial_id!r}")
    return json.loads(record_json)


def _describe_targets(data: dict[str, Any], kind: str) -> str:
    if kind == "condition":
        names = [c.get("text") for c in data.get("conditions") or []]
    else:
        names = [p.get("name") or f"#{i}" for i, p in enumerate(data.get("cell_products") or [], 1)]
    return "; ".join(repr(n) for n in names) or "none"


def _store(tx: Any, trial_id: str, data: dict[str, Any], actor: str, audit_id: int) -> int | None:
    """Re-apply every override of the record to ``data`` and store it as a curated version (when it changed)."""
    apply_to_data(data, overrides_for(tx.connection, trial_id))
    return tx.put_curated(TrialRecord.model_validate(data), f"curation by {actor} (audit entry {audit_id})")


def _set(engine: Engine, registry_id: str, kind: str, target: str, field: str, value: Any, actor: str,
         note: str | None, accept: bool) -> Change:
    from .writer import FileTransaction

    trial_id = _resolve(engine, registry_id)
    with FileTransaction(engine) as tx:
        conn = tx.connection
        data = _load(conn, trial_id)
        found = targets_of(data, kind, target)
        if not found:
            what = "condition" if kind == "condition" else "cell product"
            raise NotFoundError(f"{trial_id} has no {what} {target!r} (it has: {_describe_targets(data, kind)})")
        if kind == "cell_product" and target.startswith("#") and found[0].get("name"):
            target = found[0]["name"]  # keyed by the name when there is one: positions shift, names don't
        elif kind == "condition":
            target = found[0]["text"]
        present = found[0].get(field)
        if accept:
            value = present
        key = target_key(target)
        existing = conn.execute(select(s.overrides).where(
            s.overrides.c.trial_id == trial_id, s.overrides.c.kind == kind, s.overrides.c.target_key == key,
            s.overrides.c.field == field)).first()
        previous = Override.from_row(existing) if existing else None
        row = {"target": target, "value_json": json.dumps(value, ensure_ascii=False), "set_by": actor,
               "set_at": today_iso(), "note": note}
        if previous is None:
            conn.execute(insert(s.overrides).values(
                trial_id=trial_id, kind=kind, target_key=key, field=field,
                original_json=json.dumps(present, ensure_ascii=False), **row))
        else:  # what the annotator said stays the original; the earlier override is only in the audit log
            conn.execute(update(s.overrides).where(s.overrides.c.id == previous.id).values(**row))
        audit_id = audit.record(
            conn, actor=actor, action="override.accept" if accept else "override.set", target=trial_id, note=note,
            before={"kind": kind, "target": target, "field": field, "value": present,
                    "override": previous.value if previous else None},
            after={"kind": kind, "target": target, "field": field, "value": value})
        version = _store(tx, trial_id, data, actor, audit_id)
        stored = Override.from_row(conn.execute(select(s.overrides).where(
            s.overrides.c.trial_id == trial_id, s.overrides.c.kind == kind, s.overrides.c.target_key == key,
            s.overrides.c.field == field)).one())
        tx.commit()
    return Change(stored, audit_id, version)


def set_condition_terms(engine: Engine, registry_id: str, condition: str, terms: list[str], actor: str,
                        note: str | None = None) -> Change:
    """Link a condition text of the record to these Mondo terms (CURIEs or exact names); [] marks it unlinked."""
    return _set(engine, registry_id, "condition", condition, "terms", condition_terms(terms), actor, note, False)


def set_product_field(engine: Engine, registry_id: str, product: str, field: str, value: str | None, actor: str,
                      note: str | None = None) -> Change:
    """Set one field of a cell product (by its name, or ``#N`` for the N-th); None or '' clears the field."""
    return _set(engine, registry_id, "cell_product", product, field, product_value(field, value), actor, note, False)


def accept(engine: Engine, registry_id: str, kind: str, target: str, field: str, actor: str,
           note: str | None = None) -> Change:
    """Pin the annotator's current value (a condition's terms or a product field): later annotations won't change
    it."""
    if kind == "condition":
        field = "terms"
    elif kind != "cell_product" or field not in PRODUCT_FIELDS:
        raise OverrideError(f"cannot accept {kind!r} {field!r}: kinds are condition and cell_product, product "
                            f"fields {', '.join(PRODUCT_FIELDS)}")
    return _set(engine, registry_id, kind, target, field, None, actor, note, True)


def remove(engine: Engine, registry_id: str, override_id: int, actor: str, note: str | None = None) -> Change:
    """Remove an override; the record gets back the annotator's value (``original``) as a new curated version."""
    from .writer import FileTransaction

    trial_id = _resolve(engine, registry_id)
    with FileTransaction(engine) as tx:
        conn = tx.connection
        row = conn.execute(select(s.overrides).where(s.overrides.c.id == override_id,
                                                     s.overrides.c.trial_id == trial_id)).first()
        if row is None:
            raise NotFoundError(f"{trial_id} has no override {override_id}")
        gone = Override.from_row(row)
        conn.execute(delete(s.overrides).where(s.overrides.c.id == override_id))
        data = _load(conn, trial_id)
        exists, now = current_value(data, gone.kind, gone.target, gone.field)
        for item in targets_of(data, gone.kind, gone.target):
            item[gone.field] = gone.original
        audit_id = audit.record(
            conn, actor=actor, action="override.remove", target=trial_id, note=note,
            before={"kind": gone.kind, "target": gone.target, "field": gone.field, "value": now if exists else None,
                    "override": gone.value, "override_id": gone.id},
            after={"kind": gone.kind, "target": gone.target, "field": gone.field,
                   "value": gone.original if exists else None})
        version = _store(tx, trial_id, data, actor, audit_id)
        tx.commit()
    return Change(None, audit_id, version)


def list_overrides(engine: Engine, registry_id: str) -> list[dict[str, Any]]:
    """The record's overrides, each with ``applies``: whether the current record still has its target."""
    trial_id = _resolve(engine, registry_id)
    with engine.connect() as conn:
        data = _load(conn, trial_id)
        found = overrides_for(conn, trial_id)
    return [{"id": o.id, "trial_id": o.trial_id, "kind": o.kind, "target": o.target, "field": o.field,
             "value": o.value, "original": o.original, "set_by": o.set_by, "set_at": o.set_at, "note": o.note,
             "applies": bool(targets_of(data, o.kind, o.target))} for o in found]


def decide_link(engine: Engine, first: str, second: str, decision: str, actor: str, who: str,
                note: str | None = None, relink: bool = True) -> dict[str, Any]:
    """A curator's confirm or split of two records (any registry IDs), audited, then the studies re-linked. Returns
    the decision with both records' study after re-linking."""
    from .studies import decide
    from .studies import relink as run_relink

    decide(engine, first, second, decision, who, note, actor=actor)
    if relink:
        run_relink(engine)
    a, b = _resolve(engine, first), _resolve(engine, second)
    with engine.connect() as conn:
        studies = dict(conn.execute(select(s.trials.c.id, s.trials.c.study_id).where(s.trials.c.id.in_((a, b)))).all())
    return {"a": a, "b": b, "decision": decision, "decided_by": who, "note": note,
            "study_of": {a: studies.get(a), b: studies.get(b)}}


__all__ = [
    "Change", "NotFoundError", "OverrideError", "accept", "decide_link", "list_overrides", "remove",
    "set_condition_terms", "set_product_field",
]
