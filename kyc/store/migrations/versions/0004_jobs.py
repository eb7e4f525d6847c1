"""jobs: durable heavy work (video checks) with a lease, a heartbeat and attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 12:00:00

Video checks an older server left queued or running (their videos are in the blob store)
become queued jobs, so that a worker runs them instead of their being marked interrupted.
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
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result_ref", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_jobs_claim", "jobs", ["state", "kind", "created_at"], unique=False)
    op.execute(
        "INSERT INTO jobs (id, kind, ref_id, payload, state, attempts, created_at)"
        " SELECT id, 'video_check', id, '{}', 'queued', 0, created_at FROM video_checks"
        " WHERE status IN ('queued', 'running') AND video_key IS NOT NULL"
    )
    op.execute(
        "UPDATE video_checks SET status = 'queued'"
        " WHERE status = 'running' AND id IN (SELECT id FROM jobs)"
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_claim", table_name="jobs")
    op.drop_table("jobs")
