"""First tables: cases and their timelines, page feedback, staff, the audit log and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-01-05

The vocabularies in the CHECK constraints are written out here rather than
imported from the models: a migration records what the database looked like at
this revision, and must not change when the models do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def one_of(table: str, column: str, values: tuple[str, ...], nullable: bool = False) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", UTC_TIME, nullable=True),
        sa.Column("last_login_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
        one_of("staff_users", "role", ("customer_service", "content", "admin")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.Column("stage_one_id", sa.Integer(), nullable=True),
        sa.Column("service_slug", sa.String(100), nullable=True),
        sa.Column("service_title", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("desired_outcome", sa.Text(), nullable=True),
        sa.Column("format_requested", sa.String(20), nullable=True),
        sa.Column("format_language", sa.String(60), nullable=True),
        sa.Column("format_details", sa.String(500), nullable=True),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("postcode", sa.String(10), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("contact_preference", sa.String(10), nullable=False),
        sa.Column("access_needs", sa.String(300), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=True),
        sa.Column("answer_by", sa.Date(), nullable=True),
        sa.Column("revised_answer_by", sa.Date(), nullable=True),
        sa.Column("revised_reason", sa.String(500), nullable=True),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("personal_data_removed_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
        sa.ForeignKeyConstraint(["stage_one_id"], ["cases.id"], name=op.f("fk_cases_stage_one_id_cases"),
                                ondelete="SET NULL"),
        one_of("cases", "kind", ("enquiry", "complaint", "format_request", "compliment")),
        one_of("cases", "channel", ("web", "email", "letter", "phone", "visit")),
        one_of("cases", "language", ("en", "cy")),
        one_of("cases", "status", ("received", "acknowledged", "answered", "closed")),
        one_of("cases", "contact_preference", ("email", "phone", "letter", "none")),
        one_of("cases", "outcome", ("upheld", "partly_upheld", "not_upheld", "withdrawn", "resolved", "referred",
                                    "passed_on"), nullable=True),
        one_of("cases", "format_requested", ("large_print", "audio", "braille", "easy_read", "bsl",
                                             "spoken_language", "other"), nullable=True),
        sa.CheckConstraint("stage IS NULL OR stage IN (1, 2)", name=op.f("ck_cases_stage")),
    )
    op.create_index("ix_cases_open_due", "cases", ["status", "answer_by"])
    op.create_index("ix_cases_email", "cases", ["email"])
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("public_note", sa.Text(), nullable=True),
        sa.Column("new_date", sa.Date(), nullable=True),
        sa.Column("related_case_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"],
                                name=op.f("fk_case_events_staff_id_staff_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["related_case_id"], ["cases.id"],
                                name=op.f("fk_case_events_related_case_id_cases"), ondelete="SET NULL"),
        one_of("case_events", "kind", ("received", "acknowledged", "answered", "new_date", "escalated", "closed")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"])

    op.create_table(
        "page_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("useful", sa.Boolean(), nullable=False),
        sa.Column("trying_to", sa.String(1000), nullable=True),
        sa.Column("went_wrong", sa.String(1000), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_feedback")),
        one_of("page_feedback", "language", ("en", "cy")),
    )
    op.create_index("ix_page_feedback_path_useful", "page_feedback", ["path", "useful"])

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(60), nullable=True),
        sa.Column("detail", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"],
                                name=op.f("fk_audit_entries_staff_id_staff_users"), ondelete="SET NULL"),
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"])
    op.create_index(op.f("ix_audit_entries_staff_id"), "audit_entries", ["staff_id"])

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("claimed_until", UTC_TIME, nullable=True),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("gave_up_at", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("idempotency_key", sa.String(120), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_messages_idempotency_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_messages_message_id")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outbox_messages_case_id_cases"),
                                ondelete="SET NULL"),
        one_of("outbox_messages", "language", ("en", "cy")),
    )
    op.create_index(op.f("ix_outbox_messages_case_id"), "outbox_messages", ["case_id"])
    op.create_index("ix_outbox_messages_pending", "outbox_messages", ["sent_at", "next_attempt_at"])


def downgrade() -> None:
    for table in ("outbox_messages", "audit_entries", "page_feedback", "case_events", "cases", "staff_users"):
        op.drop_table(table)
