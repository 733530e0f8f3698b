"""Issue 8: a user's copy of the fillable Form I-914 filled with a case's answers (form_fill;
the uploaded and filled PDFs encrypted under the case's key).

Revision ID: f8a1b2c3d4e8
Revises: f5a1b2c3d4e5
Create Date: 2026-12-07 14:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f8a1b2c3d4e8"
down_revision: str | Sequence[str] | None = "f5a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_fill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("blank_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("blank_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filled_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("filled_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_form_fill_case_id_legal_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"], ["app_user.id"], name=op.f("fk_form_fill_requested_by_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_fill")),
        sa.UniqueConstraint("public_id", name=op.f("uq_form_fill_public_id")),
    )
    with op.batch_alter_table("form_fill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_fill_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_form_fill_status_requested_at", ["status", "requested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_fill", schema=None) as batch_op:
        batch_op.drop_index("ix_form_fill_status_requested_at")
        batch_op.drop_index(batch_op.f("ix_form_fill_case_id"))
    op.drop_table("form_fill")
