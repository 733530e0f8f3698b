"""Issue 6: evidence files of a case and messages with its survivor (encrypted under the case's
key), and survivors' requests to delete their data.

Revision ID: e6a1b2c3d4e5
Revises: e4a1b2c3d4e5
Create Date: 2026-11-22 16:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e6a1b2c3d4e5"
down_revision: str | Sequence[str] | None = "e4a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("name_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("metadata_removed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_evidence_file_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_evidence_file_uploaded_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
        sa.UniqueConstraint("public_id", name=op.f("uq_evidence_file_public_id")),
    )
    op.create_index(op.f("ix_evidence_file_case_id"), "evidence_file", ["case_id"], unique=False)
    op.create_table(
        "case_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("from_survivor", sa.Boolean(), nullable=False),
        sa.Column("body_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["app_user.id"], name=op.f("fk_case_message_author_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_message_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_message")),
        sa.UniqueConstraint("public_id", name=op.f("uq_case_message_public_id")),
    )
    op.create_index(op.f("ix_case_message_case_id"), "case_message", ["case_id"], unique=False)
    op.create_table(
        "deletion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_by_user_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_deletion_request_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_deletion_request_handled_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_deletion_request_requested_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_request")),
    )
    op.create_index(op.f("ix_deletion_request_case_id"), "deletion_request", ["case_id"], unique=False)
    # The survivor's pages find their case by its survivor.
    with op.batch_alter_table("legal_case") as batch:
        batch.create_index("ix_legal_case_survivor_user_id", ["survivor_user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("legal_case") as batch:
        batch.drop_index("ix_legal_case_survivor_user_id")
    op.drop_index(op.f("ix_deletion_request_case_id"), table_name="deletion_request")
    op.drop_table("deletion_request")
    op.drop_index(op.f("ix_case_message_case_id"), table_name="case_message")
    op.drop_table("case_message")
    op.drop_index(op.f("ix_evidence_file_case_id"), table_name="evidence_file")
    op.drop_table("evidence_file")
