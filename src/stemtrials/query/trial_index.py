"""An in-memory column snapshot of every trial: what a search needs once SQL has said which trials match.

Facet counts, totals, the one-row-per-study choice, sorting and paging all run over the matched set. In SQL each of
those re-evaluates the match (a full-text query, filters) and scans facet rows per request — most of a request's time
on the sample. Held in memory they cost microseconds per matched trial, and the match runs once.

A snapshot is rebuilt when the store changes, which each backend tells cheaply: SQLite's ``PRAGMA data_version`` on
a connection of our own changes whenever any other connection commits; on PostgreSQL, statement triggers (migration
0001) bump ``store_generation`` on every write to the trials or their facets. Builds are serialized by a lock and
swap the snapshot whole, so concurrent requests always read a consistent one.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import Engine, text

from ..store import schema as s

# Facets kept per trial: those search shows and stats counts (the *_closure facets serve filters, which SQL runs).
INDEXED_FACETS = ("phase", "country", "condition", "cell_type", "cell_category", "source_tissue", "donor",
                  "pluripotent_origin", "sponsor")


@dataclass(frozen=True)
class TrialIndex:
    token: Any
    ids: list[str]
    position: dict[str, int]
    study: list[str]
    representative: list[bool]
    stem_cell: list[bool]
    start_date: list[str | None]
    last_update: list[str | None]
    enrollment: list[int | None]
    start_year: list[int | None]
    values: list[tuple[int, ...]]
    """Per trial, codes of its (facet, value) pairs: multi-valued facets and column facets alike."""
    names: list[tuple[str, str]]
    """Code → (facet, value)."""
    multi_record_studies: bool
    text_keys: dict[Any, int]
    """Full-text index key (query/fulltext.ranked) → position: the FTS5 rowid on SQLite, the trial ID elsewhere."""

    def __len__(self) -> int:
        return len(self.ids)

    def collapse(self, docs: Iterable[int]) -> list[int]:
        """One trial per study among ``docs``: the study's representative if it is among them, else the one with the
        smallest ID (a study's records share one study ID; most studies have one record)."""
        docs = list(docs)
        if not self.multi_record_studies:
            return docs
        chosen: dict[str, int] = {}
        for d in docs:
            study = self.study[d]
            held = chosen.get(study)
            if held is None or (self.representative[d], self.ids[held]) > (self.representative[held], self.ids[d]):
                chosen[study] = d
        return list(chosen.values())

    def count_values(self, docs: Iterable[int]) -> Counter[int]:
        return Counter(chain.from_iterable(self.values[d] for d in docs))

    def facet_values(self, doc: int, facet: str) -> list[str]:
        return [self.names[c][1] for c in self.values[doc] if self.names[c][0] == facet]


def _build(engine: Engine, token: Any) -> TrialIndex:
    t = s.trials.c
    ids: list[str] = []
    position: dict[str, int] = {}
    study: list[str] = []
    representative: list[bool] = []
    stem_cell: list[bool] = []
    start_date: list[str | None] = []
    last_update: list[str | None] = []
    enrollment: list[int | None] = []
    start_year: list[int | None] = []
    codes: dict[tuple[str, str], int] = {}
    per_doc: list[list[int]] = []
    with engine.connect() as conn:
        # One read transaction, so the trials and their facets are the same snapshot (PostgreSQL's REPEATABLE READ;
        # SQLite holds one read snapshot for the whole transaction anyway).
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        column_facets = [t[c] for c in s.COLUMN_FACETS]
        rows = conn.execute(s.trials.select().with_only_columns(
            t.id, t.study_id, t.representative, t.is_stem_cell, t.start_date, t.last_update, t.enrollment,
            t.start_year, *column_facets).order_by(t.id))
        for row in rows:
            position[row.id] = len(ids)
            ids.append(row.id)
            study.append(row.study_id)
            representative.append(bool(row.representative))
            stem_cell.append(bool(row.is_stem_cell))
            start_date.append(row.start_date)
            last_update.append(row.last_update)
            enrollment.append(row.enrollment)
            start_year.append(row.start_year)
            per_doc.append([codes.setdefault((facet, str(value)), len(codes))
                            for facet, value in zip(s.COLUMN_FACETS, row[8:], strict=True) if value is not None])
        tf = s.trial_facets.c
        for trial_id, facet, value in conn.execute(
                s.trial_facets.select().with_only_columns(tf.trial_id, tf.facet, tf.value)
                .where(tf.facet.in_(INDEXED_FACETS))):
            doc = position.get(trial_id)
            if doc is not None:
                per_doc[doc].append(codes.setdefault((facet, value), len(codes)))
        text_keys: dict[Any, int] = position
        if conn.dialect.name == "sqlite":
            text_keys = {rowid: position[trial_id] for rowid, trial_id in
                         conn.execute(text("SELECT rowid, trial_id FROM trials_fts")) if trial_id in position}
    names = [name for name, _ in sorted(codes.items(), key=lambda kv: kv[1])]
    return TrialIndex(token=token, ids=ids, position=position, study=study, representative=representative,
                      stem_cell=stem_cell, start_date=start_date, last_update=last_update, enrollment=enrollment,
                      start_year=start_year, values=[tuple(v) for v in per_doc], names=names,
                      multi_record_studies=not all(representative), text_keys=text_keys)


class _Holder:
    """The current snapshot of one engine's store, and how to tell it is stale."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self.current: TrialIndex | None = None
        self._probe: Any = None

    def token(self) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            if self._probe is None:
                # A connection of our own, outside the pool and never writing: its data_version moves exactly when
                # another connection (this process's or another's) commits.
                raw = self.engine.raw_connection()
                raw.detach()
                self._probe = raw
            cur = self._probe.cursor()
            try:
                cur.execute("PRAGMA data_version")
                return cur.fetchone()[0]
            finally:
                cur.close()
        if dialect == "postgresql":
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT n FROM store_generation")).scalar()
        return object()  # unknown backend: never reuse a snapshot

    def get(self, *, force: bool = False) -> TrialIndex:
        with self.lock:
            token = self.token()
            if force or self.current is None or self.current.token != token:
                self.current = _build(self.engine, token)
            return self.current


_holders: weakref.WeakKeyDictionary[Engine, _Holder] = weakref.WeakKeyDictionary()
_holders_lock = threading.Lock()


def trial_index(engine: Engine, *, force: bool = False) -> TrialIndex:
    """The engine's current snapshot, rebuilt first when the store changed (or when ``force``)."""
    with _holders_lock:
        holder = _holders.get(engine)
        if holder is None:
            holder = _holders[engine] = _Holder(engine)
    return holder.get(force=force)
