"""Issue 3: one-time set-up codes with which staff choose their passphrase (new colleagues, and
a forgotten passphrase), stored only as a keyed hash.

Revision ID: f9a1b2c3d4e9
Revises: f6a1b2c3d4e6
Create Date: 2026-12-07 15:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f9a1b2c3d4e9"
down_revision: str | Sequence[str] | None = "f6a1b2c3d4e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_setup_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_staff_setup_code_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_staff_setup_code_created_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_setup_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_setup_code_code_hash")),
    )
    op.create_index(op.f("ix_staff_setup_code_user_id"), "staff_setup_code", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_setup_code_user_id"), table_name="staff_setup_code")
    op.drop_table("staff_setup_code")
