"""Search: ranked full text, filters, facet counts, sorting and cursor pagination.

Shared by the CLI, the REST API and the web UI. Full text runs on SQLite FTS5 with BM25 field weights (title >
conditions and ontology labels/synonyms > interventions and cell products > summary and criteria). Ontology filters
(condition, cell type) match a term and all its descendants through the ``*_closure`` facets the store keeps.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine, Select, and_, exists, false, func, literal_column, or_, select, text

from ..store import schema as s
from ..store.reader import with_study
from .synonyms import SYNONYMS

# BM25 weights per FTS column: trial_id (unindexed), title, conditions, interventions, body.
BM25_WEIGHTS = (0.0, 10.0, 5.0, 3.0, 1.0)
# Weights alone don't guarantee that title matches come first (a short conditions column, or a query word so common
# that FTS5 clamps its IDF, can outrank a long title): a trial whose title holds a query word or phrase gets this
# bonus, so relevance orders title matches first, each tier by the weighted bm25.
TITLE_ONLY_WEIGHTS = (0.0, 1.0, 0.0, 0.0, 0.0)
TITLE_TIER = -1.0e6

Sort = Literal["relevance", "start_date", "last_update", "enrollment"]
SORTS: tuple[str, ...] = ("relevance", "start_date", "last_update", "enrollment")


class QueryError(ValueError):
    """A query that can't be run as asked (a bad cursor, an unknown sort); the message says which."""


@dataclass
class Filters:
    q: str | None = None
    status: list[str] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)
    study_type: list[str] = field(default_factory=list)
    registry: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    condition: list[str] = field(default_factory=list)
    cell_type: list[str] = field(default_factory=list)
    cell_category: list[str] = field(default_factory=list)
    pluripotent_origin: list[str] = field(default_factory=list)
    source_tissue: list[str] = field(default_factory=list)
    donor: list[str] = field(default_factory=list)
    sponsor: list[str] = field(default_factory=list)
    start_year_min: int | None = None
    start_year_max: int | None = None
    age: float | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    stem_cell_only: bool = False
    per_record: bool = False
    """Count and list registry records; by default each study (all registrations of one trial) counts once."""


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
    next: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


# ---------------------------------------------------------------- full text
def _quote(phrase: str) -> str | None:
    words = re.findall(r"\w+", phrase.lower())
    return '"' + " ".join(words) + '"' if words else None


def fts_query(q: str) -> str | None:
    """User text → a safe FTS5 query.

    Quoted phrases stay phrases; other words are AND-ed; a word with known synonyms matches any of them; the last
    word also matches as a prefix (type-ahead). Every token is quoted, so FTS5 operators and punctuation in user
    input can't cause syntax errors.
    """
    phrases = re.findall(r'"([^"]+)"', q)
    rest = re.sub(r'"[^"]*"', " ", q)
    parts = [p for p in (_quote(ph) for ph in phrases) if p]
    words = re.findall(r"\w+", rest.lower())
    for i, word in enumerate(words):
        alternatives = [f'"{word}"']
        if i == len(words) - 1 and len(word) >= 3:
            alternatives[0] += "*"
        alternatives.extend(p for p in (_quote(syn) for syn in SYNONYMS.get(word, ())) if p)
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts) if parts else None


# ---------------------------------------------------------------- filters
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lowered(values: list[str]) -> list[str]:
    """What ``lower(column)`` may yield for these values: SQLite's lower() folds ASCII letters only ('SBÜ' →
    'sbÜ'), PostgreSQL's every letter ('sbü'); listing both makes a value match itself in any letter case on
    either backend."""
    return list(dict.fromkeys(x for v in values for x in (v.lower(), v.translate(_ASCII_LOWER))))


def _facet_in(facet: str, values: list[str]) -> Any:
    tf = s.trial_facets.c
    return exists().where(tf.trial_id == s.trials.c.id, tf.facet == facet,
                          func.lower(tf.value).in_(_lowered(values)))


def _ontology_filter(facet: str, closure_facet: str, prefix: str, terms: list[str]) -> Any:
    """Each term: a CURIE or a label resolved to one matches the term and its descendants; text the ontology
    doesn't know matches the facet's values as a substring. Several terms are OR-ed."""
    from ..enrich.ontology import resolve
    from ..enrich.ontology.snapshot import normalize_curie

    tf = s.trial_facets.c
    clauses = []
    for term in terms:
        curie = resolve(term, prefix) if term.strip() else None
        if curie is None and normalize_curie(term):  # a CURIE of another ontology (DOID, MeSH) links records too
            curie = resolve(term)
        if curie:
            clauses.append(exists().where(tf.trial_id == s.trials.c.id, tf.facet == closure_facet,
                                          tf.value == curie))
        else:
            clauses.append(exists().where(tf.trial_id == s.trials.c.id, tf.facet == facet, or_(*(
                func.lower(tf.value).contains(low, autoescape=True) for low in _lowered([term.strip()])))))
    return or_(*clauses)


def filter_clauses(f: Filters) -> list[Any]:
    t = s.trials.c
    clauses: list[Any] = []
    if f.status:
        clauses.append(t.status.in_([v.lower() for v in f.status]))
    if f.study_type:
        clauses.append(t.study_type.in_([v.lower() for v in f.study_type]))
    if f.registry:
        clauses.append(func.lower(t.registry).in_(_lowered(f.registry)))
    for facet in ("phase", "country", "cell_category", "pluripotent_origin", "source_tissue", "donor", "sponsor"):
        values = getattr(f, facet)
        if values:
            clauses.append(_facet_in(facet, values))
    if f.condition:
        clauses.append(_ontology_filter("condition", "condition_closure", "MONDO", f.condition))
    if f.cell_type:
        clauses.append(_ontology_filter("cell_type", "cell_type_closure", "CL", f.cell_type))
    if f.start_year_min is not None:
        clauses.append(t.start_year >= f.start_year_min)
    if f.start_year_max is not None:
        clauses.append(t.start_year <= f.start_year_max)
    if f.age is not None:
        # The trial's age range contains the age; an open bound doesn't exclude.
        clauses.append(or_(t.min_age.is_(None), t.min_age <= f.age))
        clauses.append(or_(t.max_age.is_(None), t.max_age >= f.age))
    if f.sex:
        clauses.append(t.sex.in_(["all", f.sex.lower()]))
    if f.healthy_volunteers is not None:
        clauses.append(t.healthy_volunteers.is_(f.healthy_volunteers))
    if f.stem_cell_only:
        clauses.append(t.is_stem_cell.is_(True))
    return clauses


def _matched(engine: Engine, f: Filters) -> tuple[Select, dict[str, Any], Any]:
    """The select of matching trials (id, title, status, start_date, record_json, score, sort key columns)."""
    t = s.trials.c
    match = fts_query(f.q) if f.q else None
    params: dict[str, Any] = {}
    cols = [t.id, t.study_id, t.title, t.status, t.start_date, t.last_update, t.enrollment, t.record_json]
    if match is not None and engine.dialect.name == "sqlite":
        weights = ", ".join(map(str, BM25_WEIGHTS))
        title_only = ", ".join(map(str, TITLE_ONLY_WEIGHTS))
        ranked = text(
            f"SELECT trial_id, bm25(trials_fts, {weights}) + CASE WHEN bm25(trials_fts, {title_only}) < 0 "
            f"THEN {TITLE_TIER} ELSE 0 END AS score FROM trials_fts WHERE trials_fts MATCH :match"
        ).columns(trial_id=s.trials.c.id.type, score=s.trials.c.min_age.type).subquery("ranked")
        stmt = select(*cols, ranked.c.score).join(ranked, ranked.c.trial_id == t.id)
        params["match"] = match
        score = ranked.c.score
    else:
        stmt = select(*cols, literal_column("NULL").label("score"))
        score = None
        if f.q:  # no FTS index on this backend: every word must occur in the title (case-insensitive)
            for word in re.findall(r"\w+", f.q.lower()):
                stmt = stmt.where(func.lower(t.title).contains(word, autoescape=True))
    clauses = filter_clauses(f)
    if clauses:
        stmt = stmt.where(and_(*clauses))
    if not f.per_record and _has_multi_record_studies(engine):
        # One row per study: of a study's matching records, its representative if it matches, else the first.
        rank = func.row_number().over(partition_by=t.study_id, order_by=(t.representative.desc(), t.id))
        firsts = stmt.with_only_columns(t.id.label("first_id"), rank.label("rn")).subquery("per_study")
        stmt = stmt.where(t.id.in_(select(firsts.c.first_id).where(firsts.c.rn == 1)))
    return stmt, params, score


def _has_multi_record_studies(engine: Engine) -> bool:
    """Whether any study has several records (a partial index answers at once)."""
    with engine.connect() as conn:
        return conn.execute(select(s.trials.c.id).where(s.trials.c.representative == false()).limit(1)).first() \
            is not None


# ---------------------------------------------------------------- sorting and cursors
def _sort_key(sort: str, score: Any) -> tuple[Any, bool]:
    """(column expression, ascending) for a sort; missing values sort last."""
    t = s.trials.c
    if sort == "relevance" and score is not None:
        return score, True
    if sort == "last_update":
        return func.coalesce(t.last_update, ""), False
    if sort == "enrollment":
        return func.coalesce(t.enrollment, -1), False
    return func.coalesce(t.start_date, ""), False


def encode_cursor(key: Any, trial_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, trial_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, trial_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(trial_id, str) or not isinstance(key, (str, int, float)) or isinstance(key, bool):
            raise ValueError
        # Keys we write are strings, 64-bit ints and finite bm25 floats; anything else would fail in the database
        # (an int SQLite can't bind, a bool SQLAlchemy won't compare) or match nothing (NaN).
        if isinstance(key, int) and not -(2**63) <= key < 2**63:
            raise ValueError
        if isinstance(key, float) and not math.isfinite(key):
            raise ValueError
        return key, trial_id
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise QueryError(f"invalid cursor {cursor!r}: pass the 'next' value of a previous page") from exc


def search(engine: Engine, f: Filters, limit: int = 20, cursor: str | None = None, sort: str | None = None,
           with_facets: bool = False, facet_limit: int = 25, offset: int = 0) -> Results:
    """Run a search. ``sort`` defaults to relevance with a query, else start date (newest first)."""
    sort = sort or ("relevance" if f.q else "start_date")
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    stmt, params, score = _matched(engine, f)
    key, ascending = _sort_key(sort, score)
    t = s.trials.c
    # The page is chosen by (id, sort key) alone and its records read afterwards: sorting whole rows would drag the
    # JSON of every matching record through the sorter.
    page = stmt.with_only_columns(t.id, key.label("sort_key"), (score if score is not None else
                                                                 literal_column("NULL")).label("score"))
    if cursor:
        last_key, last_id = decode_cursor(cursor)
        after = key > last_key if ascending else key < last_key
        page = page.where(or_(after, and_(key == last_key, t.id > last_id)))
    page = page.order_by(key.asc() if ascending else key.desc(), t.id).limit(limit + 1).offset(offset)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(stmt.subquery()), params).scalar() or 0
        rows = conn.execute(page, params).all()
        more = len(rows) > limit
        rows = rows[:limit]
        records = {r.id: r for r in conn.execute(
            select(t.id, t.title, t.status, t.start_date, t.study_id, t.record_json)
            .where(t.id.in_([r.id for r in rows])))} if rows else {}
        facets = _facets(conn, stmt, params, facet_limit) if with_facets else {}
    hits = [Hit(r.id, rec.title, rec.status, rec.start_date, r.score, with_study(rec.record_json, rec.study_id))
            for r in rows for rec in (records[r.id],)]
    nxt = encode_cursor(rows[-1].sort_key, rows[-1].id) if more and rows else None
    return Results(total=total, hits=hits, next=nxt, facets=facets)


# ---------------------------------------------------------------- facets
FACETS_SHOWN = ("status", "phase", "study_type", "registry", "country", "condition", "cell_category", "cell_type",
                "source_tissue", "donor", "pluripotent_origin", "sponsor", "sex", "start_year")


def _facets(conn: Any, matched: Select, params: dict[str, Any], limit: int | None) -> dict[str, dict[str, int]]:
    """Counts per facet value over the matched trials: one grouped query for the multi-valued facets, one for the
    column facets."""
    ids = matched.with_only_columns(s.trials.c.id).subquery("matched")
    # Nothing narrows the trials (no filter or per-study choice in the WHERE clause, no full-text match — the only
    # bound parameter _matched adds): count over the tables as they are, which spares a membership test per facet
    # row — the unfiltered counts are the landing page's and the dashboard's.
    everything = matched.whereclause is None and not params
    tf = s.trial_facets.c
    multi = [f for f in FACETS_SHOWN if f in s.MULTI_FACETS]
    out: dict[str, dict[str, int]] = {f: {} for f in FACETS_SHOWN}
    rows = conn.execute(
        select(tf.facet, tf.value, func.count().label("n"))
        .where(tf.facet.in_(multi), *([] if everything else [tf.trial_id.in_(select(ids.c.id))]))
        .group_by(tf.facet, tf.value).order_by(tf.facet, func.count().desc(), tf.value), params).all()
    for facet, value, n in rows:
        if limit is None or len(out[facet]) < limit:
            out[facet][value] = n
    t = s.trials.c
    # All column facets in one pass, counted per combination of values and summed here: the matched set (a full-text
    # match, say) is evaluated once rather than once per column.
    cols = [t[col] for col in s.COLUMN_FACETS]
    in_matched = [] if everything else [t.id.in_(select(ids.c.id))]
    for *values, n in conn.execute(select(*cols, func.count()).where(*in_matched).group_by(*cols), params).all():
        for facet, value in zip(s.COLUMN_FACETS, values, strict=True):
            if value is not None:
                out[facet][str(value)] = out[facet].get(str(value), 0) + n
    for facet in s.COLUMN_FACETS:
        ordered = sorted(out[facet].items(), key=(lambda kv: kv[0]) if facet == "start_year"
                         else (lambda kv: (-kv[1], kv[0])))
        out[facet] = dict(ordered)
    return out


def facets(engine: Engine, f: Filters, limit: int | None = 25) -> dict[str, dict[str, int]]:
    stmt, params, _ = _matched(engine, f)
    with engine.connect() as conn:
        return _facets(conn, stmt, params, limit)


def count(engine: Engine, f: Filters) -> int:
    stmt, params, _ = _matched(engine, f)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(stmt.subquery()), params).scalar() or 0
