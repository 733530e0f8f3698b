"""Generated documents (versions with their encrypted outputs), their review comments and filings.

Revision ID: e4a1b2c3d4e5
Revises: e5a1b2c3d4e5
Create Date: 2026-11-22 11:16:20.856913

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e4a1b2c3d4e5"
down_revision: str | Sequence[str] | None = "e5a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("template_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("facts_used", sa.Text(), nullable=False),
        sa.Column("stale_facts", sa.Text(), nullable=True),
        sa.Column("docx_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("preview_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("docx_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("pdf_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("pdf_note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("review_status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("reviewed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_document_version_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_document_version_requested_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_document_version_reviewed_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
        sa.UniqueConstraint("public_id", name=op.f("uq_document_version_public_id")),
    )
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_document_version_case_id_template", ["case_id", "template", "number"], unique=False
        )
        batch_op.create_index(
            "ix_document_version_status_requested_at", ["status", "requested_at"], unique=False
        )

    op.create_table(
        "document_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("body_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["app_user.id"], name=op.f("fk_document_comment_author_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_version.id"],
            name=op.f("fk_document_comment_version_id_document_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_comment")),
        sa.UniqueConstraint("public_id", name=op.f("uq_document_comment_public_id")),
    )
    with op.batch_alter_table("document_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_comment_version_id"), ["version_id"], unique=False)

    op.create_table(
        "document_filing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_document_filing_recorded_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_version.id"],
            name=op.f("fk_document_filing_version_id_document_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_filing")),
    )
    with op.batch_alter_table("document_filing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_filing_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document_filing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_filing_version_id"))

    op.drop_table("document_filing")
    with op.batch_alter_table("document_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_comment_version_id"))

    op.drop_table("document_comment")
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.drop_index("ix_document_version_status_requested_at")
        batch_op.drop_index("ix_document_version_case_id_template")

    op.drop_table("document_version")
