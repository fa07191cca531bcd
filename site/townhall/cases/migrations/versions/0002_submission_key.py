"""A web form's submission key on each case, so a form sent twice (a double click, a resend) makes one case.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-02

A plain column and a unique index: both can be added and dropped in place on
SQLite, with no table rebuild (a rebuild of ``cases`` would take its foreign
keys' cascades with it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("submission_key", sa.String(40), nullable=True))
    op.create_index("ix_cases_submission_key", "cases", ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_cases_submission_key", table_name="cases")
    op.drop_column("cases", "submission_key")
