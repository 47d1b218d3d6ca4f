"""Tables of the cooperation network and the Leitbild (issue #6), on the shared metadata.

Created by migration ``0004_cooperation_goals``; :mod:`kekiz.storage.schema` imports this
module at its end so that every query, snapshot and schema check sees the tables.

* ``coop_waves`` / ``coop_actors`` / ``coop_ties``: one survey wave of the cooperation
  network, replaced as a whole when the wave is imported again;
* ``leitbilder`` / ``leitbild_indicators`` / ``leitbild_goals`` / ``leitbild_targets`` /
  ``leitbild_programmes``: a municipality's Leitbild (results, indicators, targets,
  programmes with their measures), replaced as a whole when it is imported again.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from kekiz.storage.schema import metadata

__all__ = ["coop_actors", "coop_ties", "coop_waves", "leitbild_goals", "leitbild_indicators",
           "leitbild_programmes", "leitbild_targets", "leitbilder"]

coop_waves = Table(
    "coop_waves", metadata,
    Column("wave", Integer, primary_key=True, autoincrement=False),
    Column("label", String(200), nullable=False, default=""),
    Column("first_date", Date, nullable=True),
    Column("last_date", Date, nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=True),
)

coop_actors = Table(
    "coop_actors", metadata,
    Column("wave", Integer, ForeignKey("coop_waves.wave", ondelete="CASCADE"),
           primary_key=True, autoincrement=False),
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("sector", String(32), nullable=False),
    Column("life_phases", String(100), nullable=False, default=""),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("respondent", Boolean, nullable=False, default=False),
    Index("ix_coop_actors_unit", "unit_id"),
)

coop_ties = Table(
    "coop_ties", metadata,
    Column("wave", Integer, primary_key=True, autoincrement=False),
    Column("source_id", String(64), primary_key=True),
    Column("target_id", String(64), primary_key=True),
    Column("types", String(100), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("intensity", Integer, nullable=True),
    Column("trust", Float, nullable=True),
    Column("value", Float, nullable=True),
    Column("surveyed_on", Date, nullable=True),
    ForeignKeyConstraint(["wave", "source_id"], ["coop_actors.wave", "coop_actors.id"],
                         name="fk_coop_ties_source", ondelete="CASCADE"),
    ForeignKeyConstraint(["wave", "target_id"], ["coop_actors.wave", "coop_actors.id"],
                         name="fk_coop_ties_target", ondelete="CASCADE"),
)

leitbilder = Table(
    "leitbilder", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("baseline_year", Integer, nullable=True),
    Column("forecast_window", Integer, nullable=False, default=10),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("note", Text, nullable=False, default=""),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=True),
)

leitbild_indicators = Table(
    "leitbild_indicators", metadata,
    Column("leitbild_id", String(64), ForeignKey("leitbilder.id", ondelete="CASCADE"),
           primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("name_de", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("unit", String(50), nullable=False, default=""),
    Column("polarity", Integer, nullable=False, default=0),
    Column("decimals", Integer, nullable=False, default=1),
    Column("note_de", Text, nullable=False, default=""),
    Column("note_en", Text, nullable=False, default=""),
)

leitbild_goals = Table(
    "leitbild_goals", metadata,
    Column("leitbild_id", String(64), ForeignKey("leitbilder.id", ondelete="CASCADE"),
           primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("result_de", Text, nullable=False),
    Column("result_en", Text, nullable=False, default=""),
    Column("life_phase", String(16), nullable=False, default="all"),
    Column("sector", String(32), nullable=False, default="general"),
)

leitbild_targets = Table(
    "leitbild_targets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leitbild_id", String(64), nullable=False),
    Column("goal_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("indicator_id", String(64), nullable=False),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("level", String(32), ForeignKey("levels.id"), nullable=True),
    Column("baseline_year", Integer, nullable=True),
    Column("baseline_value", Float, nullable=True),
    Column("target_value", Float, nullable=False),
    Column("target_year", Integer, nullable=False),
    Column("direction", String(16), nullable=False),
    Column("tolerance", Float, nullable=True),
    ForeignKeyConstraint(["leitbild_id", "goal_id"],
                         ["leitbild_goals.leitbild_id", "leitbild_goals.id"],
                         name="fk_leitbild_targets_goal", ondelete="CASCADE"),
    Index("ix_leitbild_targets_goal", "leitbild_id", "goal_id"),
)

leitbild_programmes = Table(
    "leitbild_programmes", metadata,
    Column("leitbild_id", String(64), primary_key=True),
    Column("goal_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name_de", String(300), nullable=False),
    Column("name_en", String(300), nullable=False, default=""),
    Column("lead", String(300), nullable=False, default=""),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("measures", Text, nullable=False, default="[]"),
    ForeignKeyConstraint(["leitbild_id", "goal_id"],
                         ["leitbild_goals.leitbild_id", "leitbild_goals.id"],
                         name="fk_leitbild_programmes_goal", ondelete="CASCADE"),
)
