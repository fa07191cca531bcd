"""Monthly performance figures for "How we're doing" (one row per measure per month), and the one-question
satisfaction survey a closing email links to.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Written out in full, not imported from the models: a migration records what the
database looked like at this revision. New tables only, so they can be created
and dropped in place on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "performance_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(60), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_figures")),
        sa.CheckConstraint("source IN ('cases', 'import', 'demo')", name=op.f("ck_performance_figures_source")),
        sa.CheckConstraint("counted >= 0 AND met >= 0 AND met <= counted",
                           name=op.f("ck_performance_figures_counts")),
    )
    op.create_index("ix_performance_figures_measure_month", "performance_figures", ["measure", "month"],
                    unique=True)
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(43), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_survey_answers_case_id_cases"),
                                ondelete="SET NULL"),
        sa.UniqueConstraint("token", name=op.f("uq_survey_answers_token")),
        sa.UniqueConstraint("case_id", name=op.f("uq_survey_answers_case_id")),
        sa.CheckConstraint("language IN ('en', 'cy')", name=op.f("ck_survey_answers_language")),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name=op.f("ck_survey_answers_score")),
    )
    op.create_index("ix_survey_answers_answered_on", "survey_answers", ["answered_on"])


def downgrade() -> None:
    op.drop_index("ix_survey_answers_answered_on", table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_index("ix_performance_figures_measure_month", table_name="performance_figures")
    op.drop_table("performance_figures")
