"""Comments on a case or one of its applications, their text encrypted under the case's key.

Revision ID: d1e2f3a4b5c6
Revises: c1d2e3f4a5b6
Create Date: 2026-11-22 15:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d1e2f3a4b5c6"
down_revision: str | Sequence[str] | None = "c1d2e3f4a5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("body_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_case_comment_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["app_user.id"], name=op.f("fk_case_comment_author_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_comment_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_comment")),
        sa.UniqueConstraint("public_id", name=op.f("uq_case_comment_public_id")),
    )
    op.create_index(op.f("ix_case_comment_case_id"), "case_comment", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_comment_case_id"), table_name="case_comment")
    op.drop_table("case_comment")
