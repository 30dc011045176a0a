"""Landscape counts: trials by status, phase, country, cell type, cell category, condition, start year."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from ..store import schema as s


def _count_column(conn: Any, column: Any, limit: int | None = None) -> dict[str, int]:
    stmt = (select(column, func.count().label("n")).where(column.is_not(None)).group_by(column)
            .order_by(func.count().desc(), column))
    if limit:
        stmt = stmt.limit(limit)
    return {str(k): n for k, n in conn.execute(stmt).all()}


def stats(engine: Engine, top: int = 25) -> dict[str, Any]:
    t = s.trials.c
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(s.trials)).scalar() or 0
        stem = conn.execute(select(func.count()).where(t.is_stem_cell.is_(True))).scalar() or 0
        versions = conn.execute(select(func.count()).select_from(s.versions)).scalar() or 0
        return {
            "trials": total,
            "stem_cell_trials": stem,
            "versions": versions,
            "registry": _count_column(conn, t.registry),
            "status": _count_column(conn, t.status),
            "study_type": _count_column(conn, t.study_type),
            "phase": _count_column(conn, s.trial_phases.c.phase),
            "country": _count_column(conn, s.trial_countries.c.country, top),
            "cell_category": _count_column(conn, s.trial_cell_categories.c.category),
            "cell_type": _count_column(conn, s.trial_cell_types.c.cell_type, top),
            "condition": _count_column(conn, s.trial_conditions.c.condition, top),
            "start_year": dict(sorted(_count_column(conn, t.start_year).items())),
        }
