"""Links between records of the same trial, and curators' decisions on them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trials") as batch:
        # What linking reads of each record, kept small so re-linking 1M records never parses their full JSON.
        batch.add_column(sa.Column("link_json", sa.Text, nullable=True))
        # The record that stands for its study in study-level search and counts.
        batch.add_column(sa.Column("representative", sa.Boolean, nullable=False, server_default=sa.true()))
    # Few records are non-representatives; this partial index finds them (and tells whether any exist) at once.
    op.create_index("ix_trials_non_representative", "trials", ["study_id"],
                    sqlite_where=sa.text("representative = 0"), postgresql_where=sa.text("NOT representative"))
    op.create_table(
        "links",
        sa.Column("a", sa.String(64), primary_key=True),
        sa.Column("b", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_links_b", "links", ["b"])
    # Keyed by registry IDs, not row ids: a decision outlives re-imports (and even deletion) of either record.
    op.create_table(
        "link_decisions",
        sa.Column("a", sa.String(64), primary_key=True),
        sa.Column("b", sa.String(64), primary_key=True),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("link_decisions")
    op.drop_index("ix_links_b", "links")
    op.drop_table("links")
    op.drop_index("ix_trials_non_representative", "trials")
    with op.batch_alter_table("trials") as batch:
        batch.drop_column("representative")
        batch.drop_column("link_json")
