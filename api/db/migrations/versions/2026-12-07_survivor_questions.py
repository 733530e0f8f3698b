"""Issue 6: questions an advocate asks the survivor to answer on their own pages.

Revision ID: f6a1b2c3d4e6
Revises: f8a1b2c3d4e8
Create Date: 2026-12-07 14:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f6a1b2c3d4e6"
down_revision: str | Sequence[str] | None = "f8a1b2c3d4e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survivor_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("fact_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("note_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("asked_by_user_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asked_by_user_id"], ["app_user.id"], name=op.f("fk_survivor_question_asked_by_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_survivor_question_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_survivor_question_withdrawn_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survivor_question")),
        sa.UniqueConstraint("public_id", name=op.f("uq_survivor_question_public_id")),
    )
    op.create_index(op.f("ix_survivor_question_case_id"), "survivor_question", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_survivor_question_case_id"), table_name="survivor_question")
    op.drop_table("survivor_question")
