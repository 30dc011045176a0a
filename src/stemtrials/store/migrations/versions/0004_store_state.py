"""Store state: small named values that must land in the same transaction as the writes they describe.

The first is ``links_stale``: an import that changes records sets it in each file's transaction and the re-link
clears it in its own, so an import killed between its last commit and the end of re-linking leaves the studies
marked stale and the next import (or ``stemtrials link``) re-links, although it finds nothing new to store.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_state")
