"""imported CAP messages keep their original bytes

An imported CAP message may be written in any encoding its XML declaration names (ISO-8859-1,
UTF-16 with a byte-order mark, GB18030 …). Until now it was decoded as UTF-8 into the text
column, which corrupted anything else. ``early_warnings_message.raw`` keeps the bytes exactly
as received; the public CAP link serves them with their own charset.

No backfill: the existing rows are either composed here (their text is the exact UTF-8
document) or imported as UTF-8 (decoded without loss); a row imported in another encoding was
already corrupted and its bytes cannot be recovered. A NULL ``raw`` means "the text, as UTF-8".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add early_warnings_message.raw (nullable bytes)."""
    with op.batch_alter_table("early_warnings_message") as batch:
        batch.add_column(sa.Column("raw", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    """Drop early_warnings_message.raw."""
    with op.batch_alter_table("early_warnings_message") as batch:
        batch.drop_column("raw")
