"""Cooperation network (survey waves, actors, ties) and the Leitbild (goals, targets).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coop_waves",
        sa.Column("wave", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("first_date", sa.Date, nullable=True),
        sa.Column("last_date", sa.Date, nullable=True),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=True),
    )
    op.create_table(
        "coop_actors",
        sa.Column("wave", sa.Integer, sa.ForeignKey("coop_waves.wave", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
        sa.Column("life_phases", sa.String(100), nullable=False),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("respondent", sa.Boolean, nullable=False),
    )
    op.create_index("ix_coop_actors_unit", "coop_actors", ["unit_id"])
    op.create_table(
        "coop_ties",
        sa.Column("wave", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("source_id", sa.String(64), primary_key=True),
        sa.Column("target_id", sa.String(64), primary_key=True),
        sa.Column("types", sa.String(100), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("intensity", sa.Integer, nullable=True),
        sa.Column("trust", sa.Float, nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("surveyed_on", sa.Date, nullable=True),
        sa.ForeignKeyConstraint(["wave", "source_id"], ["coop_actors.wave", "coop_actors.id"],
                                name="fk_coop_ties_source", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["wave", "target_id"], ["coop_actors.wave", "coop_actors.id"],
                                name="fk_coop_ties_target", ondelete="CASCADE"),
    )
    op.create_table(
        "leitbilder",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("baseline_year", sa.Integer, nullable=True),
        sa.Column("forecast_window", sa.Integer, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=True),
    )
    op.create_table(
        "leitbild_indicators",
        sa.Column("leitbild_id", sa.String(64),
                  sa.ForeignKey("leitbilder.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_de", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(50), nullable=False),
        sa.Column("polarity", sa.Integer, nullable=False),
        sa.Column("decimals", sa.Integer, nullable=False),
        sa.Column("note_de", sa.Text, nullable=False),
        sa.Column("note_en", sa.Text, nullable=False),
    )
    op.create_table(
        "leitbild_goals",
        sa.Column("leitbild_id", sa.String(64),
                  sa.ForeignKey("leitbilder.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("result_de", sa.Text, nullable=False),
        sa.Column("result_en", sa.Text, nullable=False),
        sa.Column("life_phase", sa.String(16), nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
    )
    op.create_table(
        "leitbild_targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("leitbild_id", sa.String(64), nullable=False),
        sa.Column("goal_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("level", sa.String(32), sa.ForeignKey("levels.id"), nullable=True),
        sa.Column("baseline_year", sa.Integer, nullable=True),
        sa.Column("baseline_value", sa.Float, nullable=True),
        sa.Column("target_value", sa.Float, nullable=False),
        sa.Column("target_year", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("tolerance", sa.Float, nullable=True),
        sa.ForeignKeyConstraint(["leitbild_id", "goal_id"],
                                ["leitbild_goals.leitbild_id", "leitbild_goals.id"],
                                name="fk_leitbild_targets_goal", ondelete="CASCADE"),
    )
    op.create_index("ix_leitbild_targets_goal", "leitbild_targets", ["leitbild_id", "goal_id"])
    op.create_table(
        "leitbild_programmes",
        sa.Column("leitbild_id", sa.String(64), primary_key=True),
        sa.Column("goal_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name_de", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("lead", sa.String(300), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("measures", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["leitbild_id", "goal_id"],
                                ["leitbild_goals.leitbild_id", "leitbild_goals.id"],
                                name="fk_leitbild_programmes_goal", ondelete="CASCADE"),
    )


def downgrade() -> None:
    for table in ("leitbild_programmes", "leitbild_targets", "leitbild_goals",
                  "leitbild_indicators", "leitbilder", "coop_ties", "coop_actors",
                  "coop_waves"):
        op.drop_table(table)
