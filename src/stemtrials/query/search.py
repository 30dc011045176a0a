"""Search: full text (SQLite FTS5, BM25 with field weights) plus filters, shared by the CLI, API and web UI."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Select, and_, exists, func, or_, select, text

from ..store import schema as s

# BM25 weights per FTS column: trial_id (unindexed), title, conditions, interventions, body.
BM25_WEIGHTS = (0.0, 10.0, 5.0, 3.0, 1.0)


@dataclass
class Filters:
    q: str | None = None
    status: list[str] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    condition: str | None = None
    cell_type: str | None = None
    age: float | None = None
    sex: str | None = None
    stem_cell_only: bool = False


@dataclass
class Hit:
    id: str
    title: str | None
    status: str | None
    start_date: str | None
    score: float | None
    record: dict[str, Any]


@dataclass
class Results:
    total: int
    hits: list[Hit]


def fts_query(q: str) -> str | None:
    """User text → a safe FTS5 query: quoted phrases kept, other words AND-ed, the last word as a prefix.

    Every token is quoted, so FTS5 operators and punctuation in user input can't cause syntax errors.
    """
    phrases = re.findall(r'"([^"]+)"', q)
    rest = re.sub(r'"[^"]*"', " ", q)
    parts = ['"' + " ".join(re.findall(r"\w+", p)) + '"' for p in phrases if re.findall(r"\w+", p)]
    words = re.findall(r"\w+", rest)
    parts.extend(f'"{w}"' for w in words)
    if not parts:
        return None
    if words and len(words[-1]) >= 3:
        parts[-1] = parts[-1] + "*"
    return " ".join(parts)


def _facet_filter(table: Any, column: str, values: list[str], *, substring: bool = False) -> Any:
    col = table.c[column]
    conds = [func.lower(col).contains(v.lower()) if substring else func.lower(col) == v.lower() for v in values]
    return exists().where(table.c.trial_id == s.trials.c.id, or_(*conds))


def _apply_filters(stmt: Select, f: Filters) -> Select:
    t = s.trials.c
    clauses = []
    if f.status:
        clauses.append(t.status.in_([v.lower() for v in f.status]))
    if f.phase:
        clauses.append(_facet_filter(s.trial_phases, "phase", f.phase))
    if f.country:
        clauses.append(_facet_filter(s.trial_countries, "country", f.country))
    if f.condition:
        clauses.append(_facet_filter(s.trial_conditions, "condition", [f.condition], substring=True))
    if f.cell_type:
        clauses.append(_facet_filter(s.trial_cell_types, "cell_type", [f.cell_type], substring=True))
    if f.age is not None:
        clauses.append(or_(t.min_age.is_(None), t.min_age <= f.age))
        clauses.append(or_(t.max_age.is_(None), t.max_age >= f.age))
    if f.sex:
        clauses.append(t.sex.in_(["all", f.sex.lower()]))
    if f.stem_cell_only:
        clauses.append(t.is_stem_cell.is_(True))
    return stmt.where(and_(*clauses)) if clauses else stmt


def search(engine: Engine, f: Filters, limit: int = 20, offset: int = 0) -> Results:
    t = s.trials.c
    match = fts_query(f.q) if f.q else None
    use_fts = match is not None and engine.dialect.name == "sqlite"
    base = select(t.id, t.title, t.status, t.start_date, t.record_json)
    if use_fts:
        ranked = text(
            f"SELECT trial_id, bm25(trials_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS score "
            "FROM trials_fts WHERE trials_fts MATCH :match"
        ).columns(trial_id=s.trials.c.id.type, score=s.trials.c.min_age.type).subquery("ranked")
        stmt = base.add_columns(ranked.c.score).join(ranked, ranked.c.trial_id == t.id)
        order = [ranked.c.score, t.id]
    else:
        stmt = base.add_columns(text("NULL AS score"))
        if f.q:  # no FTS index on this backend yet: a plain substring match on the title
            stmt = stmt.where(func.lower(t.title).contains(f.q.lower()))
        order = [t.start_date.desc().nulls_last(), t.id]
    stmt = _apply_filters(stmt, f)
    params = {"match": match} if use_fts else {}
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(stmt.subquery()), params).scalar() or 0
        rows = conn.execute(stmt.order_by(*order).limit(limit).offset(offset), params).all()
    hits = [Hit(r.id, r.title, r.status, r.start_date, r.score, json.loads(r.record_json)) for r in rows]
    return Results(total=total, hits=hits)
