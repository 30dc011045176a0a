"""Writing records: upsert by registry ID, one version per distinct content, raw inputs kept by sha256.

A :class:`FileTransaction` is one input file's transaction: everything it puts lands together on ``commit`` or not at
all. Inside it each record is its own savepoint, so a record the database refuses costs only that record.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from ..model import TrialRecord
from ..vocab import today_iso
from . import fulltext, locking, state
from . import schema as s
from .overrides import apply_overrides
from .projection import filled_fields, link_projection

Outcome = Literal["new", "updated", "unchanged"]


def content_hash(data: dict) -> str:
    """Hash of a record's content: everything but the ``source`` block (where and when it was read)."""
    body = {k: v for k, v in data.items() if k != "source"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def id_key(registry_id: str) -> str:
    """Lookup key for any registry ID: case and spaces don't matter ('nct 03123458' finds NCT03123458)."""
    return "".join(registry_id.split()).upper()


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.problems.extend(other.problems)

    def summary(self) -> str:
        return (f"imported: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.errors} errors")


@lru_cache(maxsize=65536)
def _closure(curie: str) -> tuple[str, ...]:
    """The term and all its ancestors (from the shipped ontology snapshot), for descendant-aware filters."""
    from ..enrich.ontology import ancestors

    try:
        return (curie, *sorted(ancestors(curie)))
    except Exception:  # an ID outside the snapshot (a curator's new term): the term itself still filters
        return (curie,)


def facet_values(record: TrialRecord) -> dict[str, list[str]]:
    """Every multi-valued facet of a record (schema.MULTI_FACETS), values deduplicated in order."""
    conditions: list[str] = []
    condition_terms: list[str] = []
    for cond in record.conditions:
        linked = [t for t in cond.terms if t.id]
        conditions.extend(t.label or t.id for t in linked if t.label or t.id)  # type: ignore[misc]
        if not linked:
            conditions.append(cond.text)
        condition_terms.extend(t.id for t in linked if t.id)
    cell_types: list[str] = []
    cell_terms: list[str] = []
    for product in record.cell_products:
        if product.cell_type and (product.cell_type.label or product.cell_type.id):
            cell_types.append(product.cell_type.label or product.cell_type.id)  # type: ignore[arg-type]
            if product.cell_type.id:
                cell_terms.append(product.cell_type.id)
    values = {
        "phase": list(record.phases),
        "country": record.countries(),
        "condition": conditions,
        "condition_closure": [c for t in condition_terms for c in _closure(t)],
        "cell_type": cell_types,
        "cell_type_closure": [c for t in cell_terms for c in _closure(t)],
        "cell_category": [p.category for p in record.cell_products if p.category],
        "source_tissue": [p.source_tissue.label for p in record.cell_products
                          if p.source_tissue and p.source_tissue.label],
        "donor": [p.donor for p in record.cell_products if p.donor],
        "pluripotent_origin": [p.pluripotent_origin for p in record.cell_products if p.pluripotent_origin],
        "sponsor": [sp.name for sp in record.sponsors if sp.role in ("lead", "collaborator")],
    }
    return {k: list(dict.fromkeys(v[:255] for v in vs if v)) for k, vs in values.items()}


def _year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso and iso[:4].isdigit() else None


def _trial_columns(record: TrialRecord, data: dict, record_json: str, digest: str) -> dict:
    start = record.dates.start.date if record.dates.start else None
    last_update = record.dates.last_update.date if record.dates.last_update else None
    return {
        "registry": record.registry,
        "unidentified": record.unidentified,
        "title": record.title or record.official_title,
        "status": record.status,
        "study_type": record.study_type,
        "start_date": start,
        "start_year": _year(start),
        "last_update": last_update,
        "enrollment": record.enrollment.count,
        "min_age": record.eligibility.min_age_years,
        "max_age": record.eligibility.max_age_years,
        "sex": record.eligibility.sex,
        "healthy_volunteers": record.eligibility.healthy_volunteers,
        "is_stem_cell": record.is_stem_cell_trial(),
        "content_hash": digest,
        "record_json": record_json,
        "link_json": link_projection(data),
    }


class FileTransaction:
    """One input file's writes. Use as a context manager; call :meth:`commit` when the file was read whole."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self.counts = Counts()
        self.now = today_iso()
        self._changed = False  # a record was added or replaced: the studies must be recomputed

    def __enter__(self) -> FileTransaction:
        # The store's write lock for the whole file (store/locking.py says why): put() reads before it writes
        # (is the trial known? which version is current?), and a concurrent importer must not change the answer
        # in between. Taken up front, so two importers queue instead of failing on a lock upgrade (SQLite) or a
        # duplicate key or lost update (PostgreSQL); the caller parses the file before it opens this transaction.
        self._conn = locking.writer(self._engine).connect()
        self._conn.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._conn is not None
        if self._conn.in_transaction():
            self._conn.rollback()
        self._conn.close()

    def commit(self) -> None:
        assert self._conn is not None
        if self._changed:
            # Lands with the records: an import killed before its re-link leaves the studies marked stale, and the
            # next import re-links even when it finds nothing new (store/state.py).
            state.put(self._conn, state.LINKS_STALE, "1")
        self._conn.commit()

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for writes that must land with the records (curation, audit log)."""
        assert self._conn is not None
        return self._conn

    def put_curated(self, record: TrialRecord, note: str) -> int | None:
        """Store a curator's change to a stored record as its new current version — source format ``curation``, no
        raw input, ``note`` where an import names its file — and re-index it the way imports do. Unlike
        :meth:`put` no registry date decides: the curated content is what users see next. Returns the new version,
        or None when the content is the current one already."""
        conn = self.connection
        data = record.to_json_dict()
        data.pop("study_id")  # kept in its column by linking, as in put()
        digest = content_hash(data)
        with conn.begin_nested():
            current = conn.execute(select(s.trials.c.content_hash).where(s.trials.c.id == record.id)).first()
            if current is None:
                raise LookupError(f"no stored record {record.id!r} to curate")
            if current.content_hash == digest:
                return None
            record_json = json.dumps(data, ensure_ascii=False)
            version = (conn.execute(select(func.max(s.versions.c.version))
                                    .where(s.versions.c.trial_id == record.id)).scalar() or 0) + 1
            conn.execute(insert(s.versions).values(
                trial_id=record.id, version=version, content_hash=digest, record_json=record_json, raw_sha256=None,
                source_format="curation", source_file=note,
                last_update=record.dates.last_update.date if record.dates.last_update else None,
                imported_at=self.now))
            conn.execute(update(s.trials).where(s.trials.c.id == record.id).values(
                current_version=version, updated_at=self.now, **_trial_columns(record, data, record_json, digest)))
            self._index(conn, record, fresh=False)
        return version

    # ------------------------------------------------------------------ writes
    def put(self, record: TrialRecord, raw: bytes) -> Outcome:
        """Insert or update one record inside a savepoint; raises on database errors (the savepoint is undone)."""
        conn = self._conn
        assert conn is not None
        if record.source.imported_at is None:
            record = record.model_copy(update={"source": record.source.model_copy(update={"imported_at": self.now})})
        record = apply_overrides(conn, record)  # curators' overrides survive re-imports (store/overrides.py)
        data = record.to_json_dict()
        # study_id is derived by linking (store/studies.py) and kept in its column, not in the versioned content.
        study_id = data.pop("study_id")
        digest = content_hash(data)
        with conn.begin_nested():
            current = conn.execute(
                select(s.trials.c.current_version, s.trials.c.last_update).where(s.trials.c.id == record.id)
            ).first()
            if current is not None:
                seen = conn.execute(
                    select(s.versions.c.version).where(
                        s.versions.c.trial_id == record.id, s.versions.c.content_hash == digest
                    )
                ).first()
                if seen is not None:
                    return "unchanged"
            record_json = json.dumps(data, ensure_ascii=False)  # serialized once: the trial row and its version
            raw_sha = self._put_raw(conn, raw, record.source.format)
            incoming_update = record.dates.last_update.date if record.dates.last_update else None
            if current is None:
                version = 1
                conn.execute(insert(s.trials).values(
                    id=record.id, study_id=study_id, current_version=1, first_imported_at=self.now,
                    updated_at=self.now,
                    **_trial_columns(record, data, record_json, digest)))
            else:
                version = (conn.execute(select(func.max(s.versions.c.version))
                                        .where(s.versions.c.trial_id == record.id)).scalar() or 0) + 1
            conn.execute(insert(s.versions).values(
                trial_id=record.id, version=version, content_hash=digest,
                record_json=record_json,
                raw_sha256=raw_sha, source_format=record.source.format, source_file=record.source.file,
                last_update=incoming_update, imported_at=record.source.imported_at or self.now))
            self._changed = True
            if current is None:
                self._index(conn, record, fresh=True)
                return "new"
            if self._becomes_current(conn, record.id, data, incoming_update, current.last_update):
                conn.execute(update(s.trials).where(s.trials.c.id == record.id).values(
                    current_version=version, updated_at=self.now, **_trial_columns(record, data, record_json, digest)))
                self._index(conn, record, fresh=False)
            return "updated"

    @staticmethod
    def _becomes_current(conn: Connection, trial_id: str, data: dict, incoming: str | None,
                         current: str | None) -> bool:
        """Whether a new version replaces the current one.

        The registry's own last-update date decides: an older snapshot (an archive imported after a newer export)
        joins the history without replacing what users see. When the dates are equal or unknown — the same snapshot
        in another export format — the more complete rendering stays current, so importing a thin CSV export after
        the full JSON does not strip a record of its criteria and sites.
        """
        if incoming and current and incoming != current:
            return incoming > current
        existing = conn.execute(select(s.trials.c.record_json).where(s.trials.c.id == trial_id)).scalar()
        return filled_fields(data) >= filled_fields(json.loads(existing or "{}"))

    def _put_raw(self, conn: Connection, raw: bytes, fmt: str) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        exists = conn.execute(select(s.raw_inputs.c.sha256).where(s.raw_inputs.c.sha256 == digest)).first()
        if exists is None:
            conn.execute(insert(s.raw_inputs).values(
                sha256=digest, format=fmt, compression="zlib", content=zlib.compress(raw, 6)))
        return digest

    def _index(self, conn: Connection, record: TrialRecord, *, fresh: bool) -> None:
        """(Re)build the lookup, facet and full-text rows of the record's current version."""
        if not fresh:
            conn.execute(delete(s.trial_ids).where(s.trial_ids.c.trial_id == record.id))
            conn.execute(delete(s.trial_facets).where(s.trial_facets.c.trial_id == record.id))
        ids: dict[str, str] = {id_key(record.id): "primary"}
        for rid in record.registry_ids:
            ids.setdefault(id_key(rid.id), rid.kind)
        conn.execute(insert(s.trial_ids), [
            {"registry_id": key, "trial_id": record.id, "kind": kind} for key, kind in ids.items()])
        rows = [{"trial_id": record.id, "facet": facet, "value": v}
                for facet, values in facet_values(record).items() for v in values]
        if rows:
            conn.execute(insert(s.trial_facets), rows)
        fulltext.put(conn, record, fresh=fresh)
