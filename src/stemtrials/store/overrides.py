"""Curators' overrides of annotations, and their application to records.

An override is keyed by the record's registry ID (``trials.id``), a target inside the record (a condition's text, a
cell product's name — or ``#N`` for the N-th product when it has none) and a field. :func:`apply_overrides` puts
them on every incoming version of the record before the writer hashes and stores it, so curation survives
re-imports of the same file and newer versions from the registry alike. A target the new version no longer has
(the registry renamed the condition, the product went away) leaves the override pending: it is kept and listed, and
applies again if the target comes back.

Values are validated here, once, when a curator sets them, and stored as they go into the record (an ontology term
with its label and definition, not just its CURIE), so applying them needs no ontology lookup and shows what the
curator saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import Connection, select, update

from ..model import CellCategory, TrialRecord
from . import schema as s

Kind = Literal["condition", "cell_product"]
PRODUCT_FIELDS = ("category", "cell_type", "source_tissue", "donor", "pluripotent_origin", "route", "dose")
CATEGORIES: tuple[str, ...] = get_args(CellCategory)
_CHOICES = {"category": CATEGORIES, "donor": ("autologous", "allogeneic"), "pluripotent_origin": ("hESC", "hiPSC")}
_ONTOLOGY_FIELDS = {"cell_type": ("CL", "Cell Ontology"), "source_tissue": ("UBERON", "Uberon")}
MAX_TEXT = 500
CURATOR_METHOD = "curator"


class OverrideError(ValueError):
    """A value, field or target a curator cannot set; the message says what and why."""


def normalize_target(text: str) -> str:
    """Condition texts and product names match ignoring case and spacing."""
    return " ".join(text.split()).casefold()


def target_key(text: str) -> str:
    return hashlib.sha256(normalize_target(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Override:
    id: int
    trial_id: str
    kind: str
    target: str
    field: str
    value: Any
    original: Any
    set_by: str
    set_at: str
    note: str | None

    @classmethod
    def from_row(cls, row: Any) -> Override:
        return cls(id=row.id, trial_id=row.trial_id, kind=row.kind, target=row.target, field=row.field,
                   value=json.loads(row.value_json),
                   original=json.loads(row.original_json) if row.original_json is not None else None,
                   set_by=row.set_by, set_at=row.set_at, note=row.note)


# ---------------------------------------------------------------- validating what a curator sets
def _ontology_term(text: str, prefix: str, name: str, what: str) -> Any:
    from ..enrich.ontology import resolve, term

    given = text.strip()
    if not given:
        raise OverrideError(f"{what}: empty term")
    curie = resolve(given, prefix)
    found = term(curie) if curie else None
    if found is None:
        hint = ""
        known = term(given)
        if known is not None and known.deprecated:
            hint = f" ({known.id} is deprecated" + (f"; use {known.replaced_by})" if known.replaced_by else ")")
        elif known is not None:
            hint = f" ({known.id} is not a {name} term)"
        raise OverrideError(f"{what}: {given!r} is not a {name} term in the shipped ontology snapshot{hint}")
    return found


def condition_terms(values: list[str]) -> list[dict[str, Any]]:
    """Mondo CURIEs or exact Mondo names → the condition terms a record carries; [] marks the condition unlinked."""
    out: list[dict[str, Any]] = []
    for value in values:
        t = _ontology_term(value, "MONDO", "Mondo", "condition term")
        if t.id not in {o["id"] for o in out}:
            out.append({"id": t.id, "label": t.label, "definition": t.definition, "xrefs": list(t.xrefs),
                        "score": 1.0, "method": CURATOR_METHOD})
    return out


def product_value(field: str, raw: str | None) -> Any:
    """A cell product field's value as the record stores it; None (or an empty text) clears the field."""
    if field not in PRODUCT_FIELDS:
        raise OverrideError(f"unknown cell product field {field!r}: one of {', '.join(PRODUCT_FIELDS)}")
    value = (raw or "").strip()
    if not value:
        return None
    if field in _CHOICES:
        choices = _CHOICES[field]
        match = next((c for c in choices if c.casefold() == value.casefold()), None)
        if match is None:
            raise OverrideError(f"cell product {field}: {value!r} is not one of {', '.join(choices)}")
        return match
    if field in _ONTOLOGY_FIELDS:
        prefix, name = _ONTOLOGY_FIELDS[field]
        t = _ontology_term(value, prefix, name, f"cell product {field}")
        return ({"id": t.id, "label": t.label, "definition": t.definition} if field == "cell_type"
                else {"id": t.id, "label": t.label})
    if len(value) > MAX_TEXT:
        raise OverrideError(f"cell product {field}: longer than {MAX_TEXT} characters")
    return value


# ---------------------------------------------------------------- finding targets in a record
def conditions_matching(data: dict[str, Any], target: str) -> list[dict[str, Any]]:
    want = normalize_target(target)
    return [c for c in data.get("conditions") or [] if normalize_target(c.get("text") or "") == want]


def products_matching(data: dict[str, Any], target: str) -> list[dict[str, Any]]:
    products = data.get("cell_products") or []
    if target.startswith("#") and target[1:].isdigit():
        index = int(target[1:]) - 1
        return [products[index]] if 0 <= index < len(products) else []
    want = normalize_target(target)
    return [p for p in products if normalize_target(p.get("name") or "") == want]


def targets_of(data: dict[str, Any], kind: str, target: str) -> list[dict[str, Any]]:
    return conditions_matching(data, target) if kind == "condition" else products_matching(data, target)


def current_value(data: dict[str, Any], kind: str, target: str, field: str) -> tuple[bool, Any]:
    """(whether the target exists, its field's value in the record)."""
    found = targets_of(data, kind, target)
    if not found:
        return False, None
    return True, found[0].get(field)


def apply_to_data(data: dict[str, Any], overrides: list[Override]) -> list[tuple[Override, Any]]:
    """Put overrides on a record JSON dict in place; returns the applied ones with the value each replaced."""
    applied: list[tuple[Override, Any]] = []
    for o in overrides:
        found = targets_of(data, o.kind, o.target)
        if not found:
            continue
        applied.append((o, found[0].get(o.field)))
        for item in found:
            item[o.field] = json.loads(json.dumps(o.value))  # a copy per target: records never share objects
    return applied


# ---------------------------------------------------------------- the import path
def overrides_for(conn: Connection, trial_id: str) -> list[Override]:
    rows = conn.execute(select(s.overrides).where(s.overrides.c.trial_id == trial_id)
                        .order_by(s.overrides.c.id)).all()
    return [Override.from_row(r) for r in rows]


def apply_overrides(conn: Connection, record: TrialRecord) -> TrialRecord:
    """The record with its curators' overrides applied (the record itself when it has none).

    Called by the writer on every incoming version, before hashing, so a re-import of the same source is
    ``unchanged`` and a newer version keeps the curation. Where the annotator's value for a target changed (a
    newer version, re-annotated), the override's ``original`` follows it, so removing the override later restores
    what the annotator says now; an older snapshot joining the history doesn't touch it, nor does an input that
    already carries the curated value (stemtrials' own JSONL export).
    """
    overrides = overrides_for(conn, record.id)
    if not overrides:
        return record
    data = record.model_dump(mode="json")
    applied = apply_to_data(data, overrides)
    if not applied:
        return record
    incoming = record.dates.last_update.date if record.dates.last_update else None
    stored = conn.execute(select(s.trials.c.last_update).where(s.trials.c.id == record.id)).scalar()
    if not (incoming and stored and incoming < stored):
        for o, before in applied:
            if before != o.value and before != o.original:
                conn.execute(update(s.overrides).where(s.overrides.c.id == o.id)
                             .values(original_json=json.dumps(before, ensure_ascii=False)))
    return TrialRecord.model_validate(data)
