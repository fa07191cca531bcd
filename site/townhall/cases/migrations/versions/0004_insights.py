"""What the content team learns: searches that found nothing or nothing clicked, and postcodes outside the area.

Revision ID: 0004
Revises: 0002 (re-pointed at merge)
Create Date: 2026-12-04

Three small tables, written off the request path. None holds an address, a
time of day or a raw query: words are scrubbed first, visitors are a keyed
hash that changes every day, postcodes are kept as their outward code only.
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
        "search_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("visitor", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_records")),
        sa.CheckConstraint("language IN ('en', 'cy')", name=op.f("ck_search_records_language")),
    )
    op.create_index(op.f("ix_search_records_day"), "search_records", ["day"])
    op.create_index("ix_search_records_query_day", "search_records", ["query", "day"])
    op.create_table(
        "search_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_clicks")),
    )
    op.create_index("ix_search_clicks_query_day", "search_clicks", ["query", "day"])
    op.create_table(
        "outside_postcodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outward", sa.String(4), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_postcodes")),
    )
    op.create_index(op.f("ix_outside_postcodes_day"), "outside_postcodes", ["day"])


def downgrade() -> None:
    for table in ("outside_postcodes", "search_clicks", "search_records"):
        op.drop_table(table)
