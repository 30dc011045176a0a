"""Landscape counts: trials by status, phase, country, cell type and category, condition, start year — for the
whole database or any search (the same filters as search, ontology-aware)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine, func, select

from ..store import schema as s
from .search import Filters, Matched, count_facets, match

STATS_KEYS = ("registry", "status", "study_type", "phase", "cell_category", "cell_type", "pluripotent_origin",
              "source_tissue", "donor", "country", "condition", "sponsor", "start_year")


def stats(engine: Engine, f: Filters | None = None, top: int | None = 25) -> dict[str, Any]:
    f = f or Filters()
    m = match(engine, f)
    counts = count_facets(m, top)
    with engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(s.versions)).scalar() or 0
    # Stem-cell trials: the same match narrowed to stem-cell records before choosing one per study (a study counts
    # when any of its matching records is a stem-cell trial).
    stem_records = [d for d in m.records if m.index.stem_cell[d]]
    stem_cell = len(stem_records if f.per_record else m.index.collapse(stem_records))
    return {
        "trials": len(m.docs),
        "stem_cell_trials": stem_cell,
        "versions": versions,
        **{key: counts[key] for key in STATS_KEYS},
        **by_year(m),
    }


# Joint counts for the landscape charts (stacked by year), which one-dimensional facets can't give.
BY_YEAR_KEYS = {"start_year_by_cell_category": "cell_category",
                "start_year_by_pluripotent_origin": "pluripotent_origin"}


def by_year(m: Matched) -> dict[str, Any]:
    """``{"start_year_by_cell_category": {year: {category: trials}}, "start_year_by_pluripotent_origin": …,
    "start_year_without_cell_category": {year: trials}, "msc_source_tissue": {tissue: trials}}`` over the matched
    trials. Source tissue is kept per trial, not per product, so ``msc_source_tissue`` counts the tissues of trials
    that have an MSC product (a trial mixing an MSC product with another tissue-sourced product is rare and is
    counted under both tissues)."""
    index = m.index
    tables: dict[str, Counter[tuple[int, str]]] = {key: Counter() for key in BY_YEAR_KEYS}
    without: Counter[int] = Counter()
    tissues: Counter[str] = Counter()
    for d in m.docs:
        categories = index.facet_values(d, "cell_category")
        if "msc" in categories:
            tissues.update(index.facet_values(d, "source_tissue"))
        year = index.start_year[d]
        if year is None:
            continue
        if not categories:
            without[year] += 1
        for key, facet in BY_YEAR_KEYS.items():
            tables[key].update((year, value) for value in index.facet_values(d, facet))
    out: dict[str, Any] = {}
    for key, counter in tables.items():
        table: dict[str, dict[str, int]] = {}
        for (year, value), n in sorted(counter.items()):
            table.setdefault(str(year), {})[value] = n
        out[key] = table
    out["start_year_without_cell_category"] = {str(year): n for year, n in sorted(without.items())}
    out["msc_source_tissue"] = dict(sorted(tissues.items(), key=lambda kv: (-kv[1], kv[0])))
    return out
