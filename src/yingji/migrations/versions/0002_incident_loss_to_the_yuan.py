"""incident direct loss kept to 4 decimal places of 万元 (to the yuan)

Official loss figures are published to the yuan (e.g. 373.9228 万元); the column held two
places and rounded them. Widening the scale keeps every stored value.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Widen incidents_incident.direct_loss_wan_yuan to NUMERIC(14, 4)."""
    with op.batch_alter_table("incidents_incident", schema=None) as batch_op:
        batch_op.alter_column(
            "direct_loss_wan_yuan",
            existing_type=sa.Numeric(precision=14, scale=2),
            type_=sa.Numeric(precision=14, scale=4),
            existing_nullable=False,
        )


def downgrade() -> None:
    """Narrow the column back to two places (rounds the yuan away)."""
    with op.batch_alter_table("incidents_incident", schema=None) as batch_op:
        batch_op.alter_column(
            "direct_loss_wan_yuan",
            existing_type=sa.Numeric(precision=14, scale=4),
            type_=sa.Numeric(precision=14, scale=2),
            existing_nullable=False,
        )
