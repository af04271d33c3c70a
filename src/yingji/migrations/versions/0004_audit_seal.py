"""append-only audit log sealed in a hash chain

GB/T 22239-2019 8.1.4.3 安全审计 c) asks that audit records be protected from deletion,
modification and overwriting. The log gets a table of seals (a hash chain over the rows, filled
by the ``core.seal_audit`` job) and, on both engines, triggers that refuse UPDATE and DELETE on
the log and on the seals. Existing rows are sealed by the first run of the job.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from yingji.core.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("core_audit_entry", "core_audit_seal")
_MESSAGE = "audit log is append-only"


def upgrade() -> None:
    """Create core_audit_seal and the append-only triggers."""
    op.create_table(
        "core_audit_seal",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["core_audit_entry.id"]),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_core_audit_seal_entry_id", "core_audit_seal", ["entry_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION core_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION core_audit_append_only()"
            )
    else:
        for table in _TABLES:
            for verb in ("update", "delete"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}"
                    f" BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
                )


def downgrade() -> None:
    """Drop the triggers and the seals."""
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS core_audit_append_only()")
    else:
        for table in _TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_index("ix_core_audit_seal_entry_id", table_name="core_audit_seal")
    op.drop_table("core_audit_seal")
