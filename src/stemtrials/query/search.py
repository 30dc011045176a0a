"""Search: ranked full text, filters, facet counts, sorting and cursor pagination.

Shared by the CLI, the REST API and the web UI. SQL answers which trials match — full text (query/fulltext.py: FTS5
on SQLite, tsvector on PostgreSQL, the same words found on both) and the filters, ontology filters (condition, cell
type) matching a term and its descendants through the ``*_closure`` facets the store keeps — in one query per
request. Everything after that (one trial per study, totals, facet counts, sorting, the page) runs over the matched
set against an in-memory snapshot of the trials' columns (query/trial_index.py), so the match is evaluated once.
"""

from __future__ import annotations

import base64
import heapq
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any, Literal

from sqlalchemy import Engine, and_, exists, func, or_, select

from ..store import schema as s
from ..store.reader import with_study_json
from . import fulltext
from .trial_index import TrialIndex, trial_index

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
    record_json: str
    """The record JSON of CONTRACT.md (with its study) as text: API lists send it on without parsing it."""

    @cached_property
    def record(self) -> dict[str, Any]:
        return json.loads(self.record_json)


@dataclass
class Results:
    total: int
    hits: list[Hit]
    next: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


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
    """The SQL conditions of the filters (``stem_cell_only`` is applied on the snapshot, see :func:`match`)."""
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
    return clauses


@dataclass
class Matched:
    """The trials a search selects (snapshot positions, one per study unless ``per_record``), every matching record
    before that choice, and their full-text scores (lower ranks first; None without a query)."""

    index: TrialIndex
    docs: Sequence[int]
    records: Sequence[int]
    scores: dict[int, float] | None


def _filter_sql(engine: Engine, f: Filters) -> Any:
    """The SQL selecting the IDs of the trials the filters keep; None when no filter is set."""
    t = s.trials.c
    clauses = filter_clauses(f)
    words = fulltext.tokens(f.q) if f.q else []
    if words and engine.dialect.name not in ("sqlite", "postgresql"):
        # No full-text index on this backend: every word must occur in the title (case-insensitive).
        clauses.extend(func.lower(t.title).contains(word, autoescape=True) for word in words)
    return select(t.id).where(and_(*clauses)) if clauses else None


def match(engine: Engine, f: Filters) -> Matched:
    """Run the full-text query and the filters once each (two indexed lookups, intersected here rather than joined
    in SQL, which would read every matching document's row); the rest of a search works on the result."""
    ranked = fulltext.ranked(engine.dialect.name, f.q) if f.q else None
    filtered = _filter_sql(engine, f)
    with engine.connect() as conn:
        text_rows = conn.execute(ranked[0], ranked[1]).all() if ranked is not None else None
        ids = conn.execute(filtered).scalars().all() if filtered is not None else None
    index = trial_index(engine)
    if any(k not in index.text_keys for k, _ in text_rows or ()) or any(i not in index.position for i in ids or ()):
        index = trial_index(engine, force=True)  # committed after the snapshot was taken
    scores: dict[int, float] | None = None
    docs: Sequence[int]
    if text_rows is not None:
        keys = index.text_keys
        scores = {keys[k]: score for k, score in text_rows if k in keys}
        docs = list(scores)
        if ids is not None:
            kept = {index.position[i] for i in ids if i in index.position}
            docs = [d for d in docs if d in kept]
    elif ids is not None:
        docs = [index.position[i] for i in ids if i in index.position]
    else:
        docs = range(len(index))
    if f.stem_cell_only:
        docs = [d for d in docs if index.stem_cell[d]]
    return Matched(index, docs if f.per_record else index.collapse(docs), docs, scores)


# ---------------------------------------------------------------- sorting and cursors
def _sort_key(sort: str, m: Matched) -> tuple[Callable[[int], Any], bool]:
    """(key of a trial, ascending) for a sort; missing values sort last."""
    index = m.index
    if sort == "relevance" and m.scores is not None:
        scores = m.scores
        return scores.__getitem__, True
    if sort == "last_update":
        return (lambda d: index.last_update[d] or ""), False
    if sort == "enrollment":
        return (lambda d: -1 if index.enrollment[d] is None else index.enrollment[d]), False
    return (lambda d: index.start_date[d] or ""), False


def encode_cursor(key: Any, trial_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, trial_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, trial_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(trial_id, str) or not isinstance(key, (str, int, float)) or isinstance(key, bool):
            raise ValueError
        # Keys we write are dates (strings), enrollments (64-bit ints) and finite relevance scores: anything else is
        # not the key of a page we served (a bool compares like an int, NaN is unordered).
        if isinstance(key, int) and not -(2**63) <= key < 2**63:
            raise ValueError
        if isinstance(key, float) and not math.isfinite(key):
            raise ValueError
        return key, trial_id
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise QueryError(f"invalid cursor {cursor!r}: pass the 'next' value of a previous page") from exc


def _after(key: Any, trial_id: str, last_key: Any, last_id: str, ascending: bool) -> bool:
    if key == last_key:
        return trial_id > last_id
    return key > last_key if ascending else key < last_key


def search(engine: Engine, f: Filters, limit: int = 20, cursor: str | None = None, sort: str | None = None,
           with_facets: bool = False, facet_limit: int = 25, offset: int = 0) -> Results:
    """Run a search. ``sort`` defaults to relevance with a query, else start date (newest first)."""
    sort = sort or ("relevance" if f.q else "start_date")
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    m = match(engine, f)
    key, ascending = _sort_key(sort, m)
    ids = m.index.ids
    # Sorted by ID, then (stably) by key: ties in the key keep ID order, in either direction.
    ordered = sorted(m.docs, key=ids.__getitem__)
    ordered.sort(key=key, reverse=not ascending)
    if cursor:
        last_key, last_id = decode_cursor(cursor)
        if ordered and isinstance(key(ordered[0]), str) != isinstance(last_key, str):
            raise QueryError(f"invalid cursor {cursor!r}: it belongs to another sort order")
        ordered = [d for d in ordered if _after(key(d), ids[d], last_key, last_id, ascending)]
    page = ordered[offset:offset + limit + 1]
    more = len(page) > limit
    page = page[:limit]
    t = s.trials.c
    with engine.connect() as conn:
        records = {r.id: r for r in conn.execute(
            select(t.id, t.title, t.status, t.start_date, t.study_id, t.record_json)
            .where(t.id.in_([ids[d] for d in page])))} if page else {}
    hits = [Hit(rec.id, rec.title, rec.status, rec.start_date,
                m.scores[d] if m.scores is not None else None, with_study_json(rec.record_json, rec.study_id))
            for d in page if (rec := records.get(ids[d])) is not None]
    nxt = encode_cursor(key(page[-1]), ids[page[-1]]) if more and page else None
    return Results(total=len(m.docs), hits=hits, next=nxt,
                   facets=count_facets(m, facet_limit) if with_facets else {})


# ---------------------------------------------------------------- facets
FACETS_SHOWN = ("status", "phase", "study_type", "registry", "country", "condition", "cell_category", "cell_type",
                "source_tissue", "donor", "pluripotent_origin", "sponsor", "sex", "start_year")


def count_facets(m: Matched, limit: int | None) -> dict[str, dict[str, int]]:
    """Counts per facet value over the matched trials, most frequent first (start years in year order); ``limit``
    caps the multi-valued facets."""
    out: dict[str, dict[str, int]] = {f: {} for f in FACETS_SHOWN}
    per_facet: dict[str, list[tuple[int, str]]] = {}
    names = m.index.names
    for code, n in m.index.count_values(m.docs).items():
        facet, value = names[code]
        per_facet.setdefault(facet, []).append((-n, value))  # ascending order = most frequent first, then by value
    for facet, items in per_facet.items():
        if facet not in out:
            continue
        if facet == "start_year":
            items.sort(key=itemgetter(1))
        elif limit is not None and facet in s.MULTI_FACETS:
            items = heapq.nsmallest(limit, items)
        else:
            items.sort()
        out[facet] = {value: -negative for negative, value in items}
    return out


def facets(engine: Engine, f: Filters, limit: int | None = 25) -> dict[str, dict[str, int]]:
    return count_facets(match(engine, f), limit)


def count(engine: Engine, f: Filters) -> int:
    return len(match(engine, f).docs)
