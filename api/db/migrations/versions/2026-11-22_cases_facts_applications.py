"""Cases, facts, applications, the audit trail, sharing and survivor access codes.

Revision ID: c1d2e3f4a5b6
Revises: b1c2d3e4f5a6
Create Date: 2026-11-22 12:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c1d2e3f4a5b6"
down_revision: str | Sequence[str] | None = "b1c2d3e4f5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT_FACT = "superseded_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "legal_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("preferred_language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("jurisdiction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("survivor_user_id", sa.Integer(), nullable=True),
        sa.Column("wrapped_data_key", sa.Text(), nullable=False),
        sa.Column("next_deadline_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"], ["app_user.id"], name=op.f("fk_legal_case_assigned_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_legal_case_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_user_id"], ["app_user.id"], name=op.f("fk_legal_case_survivor_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_case")),
        sa.UniqueConstraint(
            "organisation_id", "reference", name=op.f("uq_legal_case_organisation_id_reference")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_legal_case_public_id")),
    )
    op.create_index(
        "ix_legal_case_organisation_id_next_deadline_on",
        "legal_case",
        ["organisation_id", "next_deadline_on"],
        unique=False,
    )
    op.create_index(
        "ix_legal_case_organisation_id_updated_at",
        "legal_case",
        ["organisation_id", "updated_at"],
        unique=False,
    )
    op.create_index(op.f("ix_legal_case_organisation_id"), "legal_case", ["organisation_id"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("workflow_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("progress_answered", sa.Integer(), nullable=False),
        sa.Column("progress_applicable", sa.Integer(), nullable=False),
        sa.Column("next_deadline_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_application_case_id_legal_case"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("case_id", "workflow_id", name=op.f("uq_application_case_id_workflow_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_application_public_id")),
    )
    op.create_index(op.f("ix_application_case_id"), "application", ["case_id"], unique=False)

    op.create_table(
        "case_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("value_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("value_plain", sa.Text(), nullable=True),
        sa.Column("is_unknown", sa.Boolean(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("given_by_user_id", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_case_fact_case_id_legal_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["given_by_user_id"], ["app_user.id"], name=op.f("fk_case_fact_given_by_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_fact")),
    )
    op.create_index(op.f("ix_case_fact_case_id"), "case_fact", ["case_id"], unique=False)
    op.create_index(
        "uq_case_fact_case_id_key_current",
        "case_fact",
        ["case_id", "key"],
        unique=True,
        sqlite_where=sa.text(_CURRENT_FACT),
        postgresql_where=sa.text(_CURRENT_FACT),
    )

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["app_user.id"], name=op.f("fk_case_event_actor_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_case_event_case_id_legal_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_case_event_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    op.create_index("ix_case_event_case_id_id", "case_event", ["case_id", "id"], unique=False)
    op.create_index(op.f("ix_case_event_organisation_id"), "case_event", ["organisation_id"], unique=False)

    op.create_table(
        "case_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("lawyer_user_id", sa.Integer(), nullable=False),
        sa.Column("shared_by_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_case_share_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_case_share_case_id_legal_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lawyer_user_id"], ["app_user.id"], name=op.f("fk_case_share_lawyer_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_user_id"], ["app_user.id"], name=op.f("fk_case_share_shared_by_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_share")),
    )
    op.create_index(op.f("ix_case_share_case_id"), "case_share", ["case_id"], unique=False)
    op.create_index(op.f("ix_case_share_lawyer_user_id"), "case_share", ["lawyer_user_id"], unique=False)

    op.create_table(
        "survivor_access_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_survivor_access_code_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_survivor_access_code_created_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survivor_access_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_survivor_access_code_code_hash")),
    )
    op.create_index(
        op.f("ix_survivor_access_code_case_id"), "survivor_access_code", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_survivor_access_code_case_id"), table_name="survivor_access_code")
    op.drop_table("survivor_access_code")
    op.drop_index(op.f("ix_case_share_lawyer_user_id"), table_name="case_share")
    op.drop_index(op.f("ix_case_share_case_id"), table_name="case_share")
    op.drop_table("case_share")
    op.drop_index(op.f("ix_case_event_organisation_id"), table_name="case_event")
    op.drop_index("ix_case_event_case_id_id", table_name="case_event")
    op.drop_table("case_event")
    op.drop_index(
        "uq_case_fact_case_id_key_current",
        table_name="case_fact",
        sqlite_where=sa.text(_CURRENT_FACT),
        postgresql_where=sa.text(_CURRENT_FACT),
    )
    op.drop_index(op.f("ix_case_fact_case_id"), table_name="case_fact")
    op.drop_table("case_fact")
    op.drop_index(op.f("ix_application_case_id"), table_name="application")
    op.drop_table("application")
    op.drop_index(op.f("ix_legal_case_organisation_id"), table_name="legal_case")
    op.drop_index("ix_legal_case_organisation_id_updated_at", table_name="legal_case")
    op.drop_index("ix_legal_case_organisation_id_next_deadline_on", table_name="legal_case")
    op.drop_table("legal_case")
