"""The database schema (SQLAlchemy Core). Alembic migrations in ``store/migrations`` create exactly this.

One row per trial record in ``trials`` holds the current version's JSON plus the columns that queries filter on;
``versions`` keeps every distinct version ever imported; ``raw_inputs`` keeps each raw input once, by sha256;
``trial_ids`` finds a record by any of its registry IDs; ``trial_facets`` holds multi-valued facets.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

trials = Table(
    "trials",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("registry", String(64)),
    Column("study_id", String(64), nullable=False, index=True),
    Column("unidentified", Boolean, nullable=False, default=False),
    Column("title", Text),
    Column("status", String(32), index=True),
    Column("study_type", String(32)),
    Column("start_date", String(10)),
    Column("start_year", Integer, index=True),
    Column("last_update", String(10)),
    Column("enrollment", Integer),
    Column("min_age", Float),
    Column("max_age", Float),
    Column("sex", String(8)),
    Column("healthy_volunteers", Boolean),
    Column("is_stem_cell", Boolean, nullable=False, default=False),
    Column("current_version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("record_json", Text, nullable=False),
    Column("link_json", Text),
    Column("representative", Boolean, nullable=False, default=True),
    Column("first_imported_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_trials_non_representative", "study_id", sqlite_where=text("representative = 0"),
          postgresql_where=text("NOT representative")),
)

versions = Table(
    "versions",
    metadata,
    Column("trial_id", String(64), ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("record_json", Text, nullable=False),
    Column("raw_sha256", String(64), ForeignKey("raw_inputs.sha256")),
    Column("source_format", String(32), nullable=False),
    Column("source_file", Text),
    Column("last_update", String(10)),
    Column("imported_at", String(32), nullable=False),
    Index("ix_versions_hash", "trial_id", "content_hash"),
)

raw_inputs = Table(
    "raw_inputs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("format", String(32), nullable=False),
    Column("compression", String(8), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

trial_ids = Table(
    "trial_ids",
    metadata,
    Column("registry_id", String(128), primary_key=True),
    Column("trial_id", String(64), ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), nullable=False),
    Index("ix_trial_ids_trial", "trial_id"),
)


trial_facets = Table(
    "trial_facets",
    metadata,
    Column("trial_id", String(64), ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
    Column("facet", String(32), primary_key=True),
    Column("value", String(255), primary_key=True),
    Index("ix_trial_facets_value", "facet", "value"),
)
"""Multi-valued facets, one row per (trial, facet, value). Ontology filters use the ``*_closure`` facets, which hold
each linked term and all its ancestors, so "lung disease" finds every trial linked to any of its descendants with
one index lookup."""

MULTI_FACETS = (
    "phase", "country", "condition", "condition_closure", "cell_type", "cell_type_closure", "cell_category",
    "source_tissue", "donor", "pluripotent_origin", "sponsor",
)
COLUMN_FACETS = ("status", "study_type", "registry", "sex", "start_year")

links = Table(
    "links",
    metadata,
    Column("a", String(64), primary_key=True),
    Column("b", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Index("ix_links_b", "b"),
)
"""Every link the linker found between two records (a < b), with its evidence; ``accepted`` says whether it shaped
the current studies (a curator's split or a conflicting stronger link can overrule it)."""

link_decisions = Table(
    "link_decisions",
    metadata,
    Column("a", String(64), primary_key=True),
    Column("b", String(64), primary_key=True),
    Column("decision", String(8), nullable=False),
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", String(32), nullable=False),
    Column("note", Text),
)
"""Curators' decisions: 'confirm' (same trial) or 'split' (different trials), by registry IDs; they survive
re-imports and re-linking."""

# The full-text index is a SQLite FTS5 virtual table (created by the migration, not by SQLAlchemy): one row per
# trial, rowid-free, keyed by trial id; columns weighted at query time (title > conditions > interventions > text).
FTS_COLUMNS = ("title", "conditions", "interventions", "body")
