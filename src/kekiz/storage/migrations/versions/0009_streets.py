"""The stored street directory of the family finder and the place search (issue #19).

One row per section of a street (house numbers, side, postcode, unit and, where known,
a position in WGS84).  A new import replaces the whole directory.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "streets",
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("street", sa.Text, nullable=False),
        sa.Column("street_key", sa.Text, nullable=False),
        sa.Column("number_first", sa.Integer, nullable=False),
        sa.Column("number_last", sa.Integer, nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("postcode", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
    )
    op.create_index("ix_streets_key", "streets", ["street_key"])


def downgrade() -> None:
    op.drop_index("ix_streets_key", table_name="streets")
    op.drop_table("streets")
