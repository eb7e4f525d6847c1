"""journey: the filing's stage and lifecycle state, backdrop and form checks, SMS codes,
outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 11:00:00

Existing filings get their stage from their status (draft → materials, submitted →
initial_review, approved → identity_check, rejected → rejected); their state JSON is
built from it on first use (kyc.filing.journey.legacy_state).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("journey", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("journey_rev", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(batch_op.f("ix_filings_stage"), ["stage"], unique=False)
    op.execute(
        "UPDATE filings SET stage = CASE status"
        " WHEN 'draft' THEN 'materials' WHEN 'submitted' THEN 'initial_review'"
        " WHEN 'approved' THEN 'identity_check' WHEN 'rejected' THEN 'rejected'"
        " ELSE 'materials' END"
    )
    op.create_table(
        "backdrop_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("filing_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("result_enc", sa.Text(), nullable=False),
        sa.Column("raw_key", sa.String(length=64), nullable=True),
        sa.Column("portrait_document_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("backdrop_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backdrop_checks_filing_id"), ["filing_id"], unique=False
        )
    op.create_table(
        "form_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("filing_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("result_enc", sa.Text(), nullable=False),
        sa.Column("raw_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("form_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_checks_filing_id"), ["filing_id"], unique=False)
    op.create_table(
        "sms_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_id", sa.String(length=32), nullable=False),
        sa.Column("verifier", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("resend", sa.Boolean(), nullable=False),
        sa.Column("wrong_attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_codes_filing_id"), ["filing_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_id", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient_enc", sa.Text(), nullable=True),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_filing_id"), ["filing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_created_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_filing_id"))
    op.drop_table("outbox")
    with op.batch_alter_table("sms_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_codes_filing_id"))
    op.drop_table("sms_codes")
    with op.batch_alter_table("form_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_checks_filing_id"))
    op.drop_table("form_checks")
    with op.batch_alter_table("backdrop_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backdrop_checks_filing_id"))
    op.drop_table("backdrop_checks")
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filings_stage"))
        batch_op.drop_column("journey_rev")
        batch_op.drop_column("journey")
        batch_op.drop_column("stage")
