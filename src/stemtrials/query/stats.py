"""Landscape counts: trials by status, phase, country, cell type and category, condition, start year — for the
whole database or any search (the same filters as search, ontology-aware)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, func, select

from ..store import schema as s
from .search import Filters, _matched, count, facets

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
        **by_year(engine, f),
    }


# Joint counts for the landscape charts (stacked by year), which one-dimensional facets can't give.
BY_YEAR_KEYS = {"start_year_by_cell_category": "cell_category",
                "start_year_by_pluripotent_origin": "pluripotent_origin"}


def by_year(engine: Engine, f: Filters) -> dict[str, Any]:
    """``{"start_year_by_cell_category": {year: {category: trials}}, "start_year_by_pluripotent_origin": …,
    "start_year_without_cell_category": {year: trials}, "msc_source_tissue": {tissue: trials}}`` over the matching
    trials. Source tissue is kept per trial, not per product, so ``msc_source_tissue`` counts the tissues of trials
    that have an MSC product (a trial mixing an MSC product with another tissue-sourced product is rare and is
    counted under both tissues)."""
    stmt, params, _ = _matched(engine, f)
    ids = select(stmt.with_only_columns(s.trials.c.id).subquery("matched").c.id)
    t, tf = s.trials.c, s.trial_facets.c
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for key, facet in BY_YEAR_KEYS.items():
            rows = conn.execute(
                select(t.start_year, tf.value, func.count(func.distinct(t.id)))
                .join_from(s.trials, s.trial_facets, tf.trial_id == t.id)
                .where(t.id.in_(ids), tf.facet == facet, t.start_year.is_not(None))
                .group_by(t.start_year, tf.value).order_by(t.start_year, tf.value), params).all()
            table: dict[str, dict[str, int]] = {}
            for year, value, n in rows:
                table.setdefault(str(year), {})[value] = n
            out[key] = table
        # Trials with no classified cell product yet, per year: the rest of each year's stack.
        has_category = select(tf.trial_id).where(tf.facet == "cell_category")
        rows = conn.execute(
            select(t.start_year, func.count()).where(t.id.in_(ids), t.id.not_in(has_category),
                                                     t.start_year.is_not(None))
            .group_by(t.start_year).order_by(t.start_year), params).all()
        out["start_year_without_cell_category"] = {str(year): n for year, n in rows}
        msc = select(tf.trial_id).where(tf.facet == "cell_category", tf.value == "msc")
        rows = conn.execute(
            select(tf.value, func.count()).where(tf.trial_id.in_(ids), tf.trial_id.in_(msc),
                                                 tf.facet == "source_tissue")
            .group_by(tf.value).order_by(func.count().desc(), tf.value), params).all()
        out["msc_source_tissue"] = {value: n for value, n in rows}
    return out
