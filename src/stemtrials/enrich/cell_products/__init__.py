"""Cell products of a trial: is it a stem-cell trial, and with what (CONTRACT.md ``cell_products``).

:func:`annotate_cell_products` is pure: it returns a copy of the record with ``cell_products`` filled, one entry per
distinct product, each with category, pluripotent origin, source tissue (Uberon), donor, cell type (Cell Ontology,
with its definition), route and dose as written, the evidence span that decided the category and a 0–1 score.

A cell type the registry states (hPSCreg's "Which differentiated cell type is used") wins over inference: its label
and definition are kept, its CL id is resolved by exact label/synonym (Uberon when curators recorded a tissue such as
"retina"), and the rest — category, origin, name, route, dose — is filled from the record's words where inferable.

Modules: :mod:`.lexicon` (product words and their categories, with the decisions behind them), :mod:`.phrases`
(reading one text), :mod:`.details` (route, dose, donor, tissue), :mod:`.terms` (ontology lookups),
:mod:`.brands` (the sourced product table ``enrich/products.tsv``), :mod:`.annotate` (where evidence is looked for).
"""

from __future__ import annotations

from ...model import CellProduct, CellTypeTerm, TrialRecord
from . import terms
from .annotate import STEM, infer

__all__ = ["STEM", "annotate_cell_products", "infer"]


def _stated(p: CellProduct) -> bool:
    return p.cell_type is not None and bool(p.cell_type.label or p.cell_type.id)


def _resolve_stated(ct: CellTypeTerm) -> CellTypeTerm:
    """The stated cell type with its id resolved (CL first, then Uberon); label and definition kept as stated."""
    if ct.id:
        return ct
    t = (terms.cell_term(ct.label) or terms.cell_term(ct.label, "UBERON")) if ct.label else None
    if t is None:
        return ct
    return CellTypeTerm(id=t.id, label=ct.label or t.label, definition=ct.definition or t.definition)


def annotate_cell_products(record: TrialRecord) -> TrialRecord:
    """A copy of ``record`` with ``cell_products`` annotated (see the module docstring)."""
    inferred = infer(record)
    stated = [p for p in record.cell_products if _stated(p)]
    if not stated:
        return record.model_copy(update={"cell_products": inferred})
    merged: list[CellProduct] = []
    pool = list(inferred)
    for p in stated:
        best = pool.pop(0) if pool else None
        fill = {}
        if best is not None:
            for key in ("name", "category", "pluripotent_origin", "source_tissue", "donor", "route", "dose",
                        "evidence", "score"):
                if getattr(p, key) is None and getattr(best, key) is not None:
                    fill[key] = getattr(best, key)
            # a pluripotent origin found in the words outranks a category the importer could not decide
            if p.category is None and best.pluripotent_origin:
                fill["category"] = best.category
        if (fill.get("category") or p.category) in ("hesc_derived", "hipsc_derived"):
            fill["source_tissue"] = None
        if p.score is None and "score" not in fill:
            fill["score"] = 0.9 if p.category else None
        fill["cell_type"] = _resolve_stated(p.cell_type)  # type: ignore[arg-type]
        merged.append(p.model_copy(update=fill))
    # other products the words name stay, unless they are the stated product seen again
    stated_ids = {m.cell_type.id for m in merged if m.cell_type}
    rest = [q for q in pool if not (q.cell_type and q.cell_type.id in stated_ids)]
    return record.model_copy(update={"cell_products": merged + rest})
