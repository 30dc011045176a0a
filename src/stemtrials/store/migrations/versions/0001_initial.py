"""Initial schema: trials, versions, raw inputs, registry IDs, facets, full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("registry", sa.String(64)),
        sa.Column("study_id", sa.String(64), nullable=False),
        sa.Column("unidentified", sa.Boolean, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("status", sa.String(32)),
        sa.Column("study_type", sa.String(32)),
        sa.Column("start_date", sa.String(10)),
        sa.Column("start_year", sa.Integer),
        sa.Column("last_update", sa.String(10)),
        sa.Column("enrollment", sa.Integer),
        sa.Column("min_age", sa.Float),
        sa.Column("max_age", sa.Float),
        sa.Column("sex", sa.String(8)),
        sa.Column("healthy_volunteers", sa.Boolean),
        sa.Column("is_stem_cell", sa.Boolean, nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record_json", sa.Text, nullable=False),
        sa.Column("first_imported_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_trials_study_id", "trials", ["study_id"])
    op.create_index("ix_trials_status", "trials", ["status"])
    op.create_index("ix_trials_start_year", "trials", ["start_year"])
    op.create_table(
        "raw_inputs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("compression", sa.String(8), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column("trial_id", sa.String(64), sa.ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record_json", sa.Text, nullable=False),
        sa.Column("raw_sha256", sa.String(64), sa.ForeignKey("raw_inputs.sha256")),
        sa.Column("source_format", sa.String(32), nullable=False),
        sa.Column("source_file", sa.Text),
        sa.Column("last_update", sa.String(10)),
        sa.Column("imported_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_versions_hash", "versions", ["trial_id", "content_hash"])
    op.create_table(
        "trial_ids",
        sa.Column("registry_id", sa.String(128), primary_key=True),
        sa.Column("trial_id", sa.String(64), sa.ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_trial_ids_trial", "trial_ids", ["trial_id"])
    op.create_table(
        "trial_facets",
        sa.Column("trial_id", sa.String(64), sa.ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("facet", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(255), primary_key=True),
    )
    op.create_index("ix_trial_facets_value", "trial_facets", ["facet", "value"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # unicode61 with diacritics removed; prefix indexes make type-ahead prefixes cheap.
        op.execute(
            "CREATE VIRTUAL TABLE trials_fts USING fts5("
            "trial_id UNINDEXED, title, conditions, interventions, body, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    elif dialect == "postgresql":
        # The same index on PostgreSQL (store/fulltext.py writes both): a weighted tsvector of pre-folded tokens
        # under GIN. pg_trgm indexes the facet values that text filters match as substrings ("lung" in a condition).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE TABLE trials_fts (trial_id VARCHAR(64) PRIMARY KEY REFERENCES trials (id) ON DELETE CASCADE, "
            "document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_trials_fts_document ON trials_fts USING GIN (document)")
        op.execute("CREATE INDEX ix_trial_facets_value_trgm ON trial_facets USING GIN (lower(value) gin_trgm_ops)")
        # A counter that every transaction writing the trials or their facets moves, so a server's in-memory search
        # snapshot (query/trial_index.py) knows when it is stale. SQLite needs none: its PRAGMA data_version tells
        # the same. Once per transaction, not per statement: an executemany fires a statement trigger per row, and
        # updating one row thousands of times in a transaction grows its version chain, quadratically slow. The
        # transaction-local setting is undone with a rolled-back savepoint, as the bump itself is.
        op.execute("CREATE TABLE store_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL)")
        op.execute("INSERT INTO store_generation VALUES (1, 0)")
        op.execute(
            "CREATE FUNCTION stemtrials_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF coalesce(current_setting('stemtrials.generation_bumped', true), '') <> txid_current()::text THEN "
            "UPDATE store_generation SET n = n + 1 WHERE id = 1; "
            "PERFORM set_config('stemtrials.generation_bumped', txid_current()::text, true); "
            "END IF; RETURN NULL; END $$"
        )
        for table in ("trials", "trial_facets"):
            op.execute(
                f"CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION stemtrials_bump_generation()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name in ("sqlite", "postgresql"):
        op.execute("DROP TABLE IF EXISTS trials_fts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS store_generation")
        for table in ("trials", "trial_facets"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_generation ON {table}")
        op.execute("DROP FUNCTION IF EXISTS stemtrials_bump_generation()")
    for name in ("trial_facets", "trial_ids", "versions", "raw_inputs", "trials"):
        op.drop_table(name)
