"""server-side page sessions, so that signing out really ends a session

The session cookie used to carry the user id for 12 hours whatever happened; now it carries
a random id whose SHA-256 names a row here, revoked at sign-out, on a password change or by
an administrator, and refused once idle or too old. Existing cookies name no row, so every
user signs in again once after the upgrade.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 10:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from yingji.core.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create accounts_page_session."""
    op.create_table(
        "accounts_page_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_accounts_page_session_user_id_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_page_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_accounts_page_session_token_hash")),
    )
    with op.batch_alter_table("accounts_page_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_page_session_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    """Drop accounts_page_session (every browser signs in again)."""
    with op.batch_alter_table("accounts_page_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_page_session_user_id"))
    op.drop_table("accounts_page_session")
