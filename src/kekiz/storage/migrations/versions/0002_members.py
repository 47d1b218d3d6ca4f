"""Members of the state network.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("programme", sa.String(100), nullable=False),
        sa.Column("joined", sa.Date, nullable=False),
        sa.Column("left", sa.Date, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=True),
        sa.UniqueConstraint("unit_id", "programme", name="uq_members_unit_programme"),
    )


def downgrade() -> None:
    op.drop_table("members")
