"""Initial schema: levels, datasets, units and their keys, indicators, observations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "levels",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name_de", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.UniqueConstraint("name", "revision", name="uq_datasets_name_revision"),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(32), sa.ForeignKey("levels.id"), nullable=False),
        sa.Column("parent_id", sa.String(64), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("geometry", sa.LargeBinary, nullable=True),
        sa.Column("minx", sa.Float, nullable=True),
        sa.Column("miny", sa.Float, nullable=True),
        sa.Column("maxx", sa.Float, nullable=True),
        sa.Column("maxy", sa.Float, nullable=True),
        sa.Column("valid_from", sa.Date, nullable=True),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("arisen_from", sa.Text, nullable=False),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=True),
    )
    op.create_index("ix_units_level", "units", ["level"])
    op.create_index("ix_units_parent", "units", ["parent_id"])
    op.create_table(
        "unit_keys",
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("scheme", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
    )
    op.create_index("ix_unit_keys_key", "unit_keys", ["scheme", "key"])
    op.create_table(
        "indicators",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_de", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("definition_de", sa.Text, nullable=False),
        sa.Column("definition_en", sa.Text, nullable=False),
        sa.Column("unit", sa.String(50), nullable=False),
        sa.Column("numerator", sa.Text, nullable=False),
        sa.Column("denominator", sa.Text, nullable=False),
        sa.Column("polarity", sa.Integer, nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
        sa.Column("life_phase", sa.String(16), nullable=False),
        sa.Column("aggregation", sa.String(8), nullable=False),
        sa.Column("scale", sa.Float, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("update_interval", sa.String(50), nullable=False),
        sa.Column("disclosure_rule", sa.String(50), nullable=False),
        sa.Column("decimals", sa.Integer, nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(64), sa.ForeignKey("indicators.id"),
                  nullable=False),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("numerator", sa.Float, nullable=True),
        sa.Column("denominator", sa.Float, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lower", sa.Float, nullable=True),
        sa.Column("upper", sa.Float, nullable=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=True),
        sa.Column("method", sa.String(100), nullable=True),
        sa.Column("params", sa.Text, nullable=True),
        sa.UniqueConstraint("indicator_id", "unit_id", "period", name="uq_observations_key"),
    )
    op.create_index("ix_observations_unit", "observations", ["unit_id"])
    op.create_index("ix_observations_indicator_period", "observations",
                    ["indicator_id", "period"])
    op.create_index("ix_observations_dataset", "observations", ["dataset_id"])


def downgrade() -> None:
    for table in ("observations", "indicators", "unit_keys", "units", "datasets", "levels"):
        op.drop_table(table)
