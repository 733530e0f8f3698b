"""Issue 3: the case's current facts are read through an index on (case_id, superseded_at).

With only an index on ``case_id``, SQLite's planner read every superseded row of the case to
find its few current ones, so each answer ever changed made every later step slower.

Revision ID: fa1b2c3d4e5a
Revises: f9a1b2c3d4e9
Create Date: 2026-12-07 20:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "fa1b2c3d4e5a"
down_revision: str | Sequence[str] | None = "f9a1b2c3d4e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_case_fact_case_id_superseded_at", "case_fact", ["case_id", "superseded_at"])
    op.drop_index("ix_case_fact_case_id", table_name="case_fact")


def downgrade() -> None:
    op.create_index("ix_case_fact_case_id", "case_fact", ["case_id"])
    op.drop_index("ix_case_fact_case_id_superseded_at", table_name="case_fact")
