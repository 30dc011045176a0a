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
    UniqueConstraint,
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

store_state = Table(
    "store_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Named values written in the transactions they describe (store/state.py): ``links_stale`` says that records
changed since the last re-link."""

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

# ---------------------------------------------------------------- curation (migration 0003)
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text),
    Column("created_at", String(32), nullable=False),
)
"""Accounts: role ``reader``, ``curator`` or ``admin``; ``password_hash`` is ``scrypt$n$r$p$salt$hash`` (per-user
salt) or null for an account that only uses API tokens."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)
"""API tokens, stored as the sha256 of the token (the token itself is shown once); revoked tokens stay, dated."""

sessions = Table(
    "sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)
"""Web sessions, server-side (the cookie holds a random ID, the table its sha256): logging out, a role change or a
removed account take effect at once, and no signing secret has to be kept and rotated. Each has its CSRF token."""

overrides = Table(
    "overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trial_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("target_key", String(64), nullable=False),
    Column("field", String(32), nullable=False),
    Column("value_json", Text, nullable=False),
    Column("original_json", Text),
    Column("set_by", String(128), nullable=False),
    Column("set_at", String(32), nullable=False),
    Column("note", Text),
    UniqueConstraint("trial_id", "kind", "target_key", "field", name="uq_overrides_target"),
)
"""Curators' overrides of annotations, keyed by the record's registry ID (``trials.id``, no foreign key: an override
outlives re-imports), applied to every incoming version before it is stored (store/curation.py). ``kind`` is
``condition`` (``target`` the condition text, ``field`` ``terms``) or ``cell_product`` (``target`` the product name,
or ``#N`` for an unnamed N-th product; ``field`` one of category, cell_type, …); ``target_key`` is the sha256 of the
normalized target. ``original_json`` is what the annotator said, restored when the override is removed."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(128)),
    Column("related", String(128)),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("note", Text),
    Index("ix_audit_log_target", "target"),
    Index("ix_audit_log_related", "related"),
)
"""Every curation and account change: who, when, what, before and after. Append-only: no code updates or deletes a
row, and migration 0003 adds triggers (SQLite and PostgreSQL) that refuse UPDATE, DELETE (and TRUNCATE). ``target``
is a registry ID (or ``user:NAME``); ``related`` the other record of a link decision."""

# The full-text index ``trials_fts`` is created by migration 0001, not by SQLAlchemy, and written by store/fulltext.py:
# on SQLite an FTS5 virtual table with one column per weight (title > conditions > interventions > text, weighted at
# query time); on PostgreSQL a table (trial_id, document tsvector) under GIN, plus a pg_trgm index on lower(value)
# of trial_facets for substring filters.
FTS_COLUMNS = ("title", "conditions", "interventions", "body")
