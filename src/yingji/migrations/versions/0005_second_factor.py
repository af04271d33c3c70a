"""TOTP second factor per user (等保 2.0 三级: two factors for administrators)

One row per user holding the encrypted TOTP secret, when it was confirmed and the time step
of the last accepted code (so a code cannot be replayed). Existing users have no row; those
whose role requires a second factor enrol at their next sign-in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from yingji.core.db import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create accounts_second_factor."""
    op.create_table(
        "accounts_second_factor",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sealed", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_accounts_second_factor_user_id_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_second_factor")),
        sa.UniqueConstraint("user_id", name=op.f("uq_accounts_second_factor_user_id")),
    )


def downgrade() -> None:
    """Drop accounts_second_factor."""
    op.drop_table("accounts_second_factor")
