"""Landscape counts: trials by status, phase, country, cell type and category, condition, start year — for the
whole database or any search (the same filters as search, ontology-aware)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, func, select

from ..store import schema as s
from .search import Filters, count, facets

STATS_KEYS = ("registry", "status", "study_type", "phase", "cell_category", "cell_type", "pluripotent_origin",
              "source_tissue", "donor", "country", "condition", "sponsor", "start_year")


def stats(engine: Engine, f: Filters | None = None, top: int | None = 25) -> dict[str, Any]:
    f = f or Filters()
    counts = facets(engine, f, limit=top)
    with engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(s.versions)).scalar() or 0
    return {
        "trials": count(engine, f),
        "stem_cell_trials": count(engine, replace(f, stem_cell_only=True)),
        "versions": versions,
        **{key: counts[key] for key in STATS_KEYS},
    }
