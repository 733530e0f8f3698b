"""Issue 6: the times a survivor marked as safe for messages (hours on the organisation's clock,
and weekdays only).

Revision ID: f5a1b2c3d4e5
Revises: e6a1b2c3d4e5
Create Date: 2026-12-07 14:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f5a1b2c3d4e5"
down_revision: str | Sequence[str] | None = "e6a1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_preference") as batch:
        batch.add_column(sa.Column("safe_from_hour", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("safe_until_hour", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("weekdays_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("contact_preference") as batch:
        batch.drop_column("weekdays_only")
        batch.drop_column("safe_until_hour")
        batch.drop_column("safe_from_hour")
