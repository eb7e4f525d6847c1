"""verification runs: batch re-verification results next to the original ones

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("manifest_hash", sa.String(length=64), nullable=False),
        sa.Column("settings_hash", sa.String(length=64), nullable=False),
        sa.Column("selection_key", sa.String(length=64), nullable=False),
        sa.Column("selection", sa.Text(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("verification_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_runs_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_verification_runs_key",
            ["manifest_hash", "settings_hash", "selection_key"],
            unique=False,
        )

    op.create_table(
        "verification_items",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("filing_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["verification_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "filing_id"),
    )
    op.create_table(
        "verification_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("filing_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("decision_before", sa.String(length=16), nullable=True),
        sa.Column("decision_after", sa.String(length=16), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("result_enc", sa.Text(), nullable=False),
        sa.Column("elapsed_ms", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["filing_id"], ["filings.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["verification_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "filing_id", name="uq_verification_result"),
    )
    with op.batch_alter_table("verification_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_results_filing_id"), ["filing_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_results_filing_id"))
    op.drop_table("verification_results")
    op.drop_table("verification_items")
    with op.batch_alter_table("verification_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_runs_key")
        batch_op.drop_index(batch_op.f("ix_verification_runs_status"))
    op.drop_table("verification_runs")
