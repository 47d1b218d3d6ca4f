"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

The tables are created and changed only by the Alembic migrations in ``migrations/``;
this module describes their current state for the migration environment and the tests
(``tests/storage`` checks that the migrated database matches it on both backends).  The
store itself reads and writes with plain SQL and never imports this module.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

__all__ = ["datasets", "derived_cache", "funding", "indicators", "levels", "members", "meta",
           "metadata", "observations", "unit_keys", "units"]

metadata = MetaData()

levels = Table(
    "levels", metadata,
    Column("id", String(32), primary_key=True),
    Column("name_de", String(100), nullable=False),
    Column("name_en", String(100), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("parent_id", String(32), nullable=True),
    Column("municipality", String(64), nullable=True),
    Column("plural_de", String(100), nullable=False, default="", server_default=""),
    Column("plural_en", String(100), nullable=False, default="", server_default=""),
)

datasets = Table(
    "datasets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("file", Text, nullable=False, default=""),
    Column("sha256", String(64), nullable=False, default=""),
    Column("licence", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("user_name", String(100), nullable=False, default=""),
    Column("rows", Integer, nullable=False, default=0),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("details", Text, nullable=False, default="{}"),
    Column("private_to", String(64), nullable=True),
    Column("private_state", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("name", "revision", name="uq_datasets_name_revision"),
)

units = Table(
    "units", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(32), ForeignKey("levels.id"), nullable=False),
    Column("parent_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("geometry", LargeBinary, nullable=True),
    Column("minx", Float, nullable=True),
    Column("miny", Float, nullable=True),
    Column("maxx", Float, nullable=True),
    Column("maxy", Float, nullable=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("arisen_from", Text, nullable=False, default="[]"),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=True),
    Index("ix_units_level", "level"),
    Index("ix_units_parent", "parent_id"),
)

unit_keys = Table(
    "unit_keys", metadata,
    Column("unit_id", String(64), ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column("scheme", String(16), primary_key=True),
    Column("key", String(64), nullable=False),
    Index("ix_unit_keys_key", "scheme", "key"),
)

indicators = Table(
    "indicators", metadata,
    Column("id", String(64), primary_key=True),
    Column("name_de", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("definition_de", Text, nullable=False, default=""),
    Column("definition_en", Text, nullable=False, default=""),
    Column("unit", String(50), nullable=False, default=""),
    Column("numerator", Text, nullable=False, default=""),
    Column("denominator", Text, nullable=False, default=""),
    Column("polarity", Integer, nullable=False, default=0),
    Column("sector", String(32), nullable=False, default="general"),
    Column("life_phase", String(16), nullable=False, default="all"),
    Column("aggregation", String(8), nullable=False, default="none"),
    Column("scale", Float, nullable=False, default=1.0),
    Column("source", Text, nullable=False, default=""),
    Column("licence", Text, nullable=False, default=""),
    Column("update_interval", String(50), nullable=False, default=""),
    Column("disclosure_rule", String(50), nullable=False, default=""),
    Column("decimals", Integer, nullable=False, default=1),
    Column("private_to", String(64), nullable=True),
    Column("private_state", Boolean, nullable=False, default=False, server_default=false()),
)

observations = Table(
    "observations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(64), ForeignKey("indicators.id"), nullable=False),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("period", String(16), nullable=False),
    Column("value", Float, nullable=True),
    Column("numerator", Float, nullable=True),
    Column("denominator", Float, nullable=True),
    Column("status", String(16), nullable=False, default="ok"),
    Column("lower", Float, nullable=True),
    Column("upper", Float, nullable=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=True),
    Column("method", String(100), nullable=True),
    Column("params", Text, nullable=True),
    UniqueConstraint("indicator_id", "unit_id", "period", name="uq_observations_key"),
    Index("ix_observations_unit", "unit_id"),
    Index("ix_observations_indicator_period", "indicator_id", "period"),
    Index("ix_observations_dataset", "dataset_id"),
)

members = Table(
    "members", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("programme", String(100), nullable=False),
    Column("joined", Date, nullable=False),
    Column("left", Date, nullable=True),
    Column("source", Text, nullable=False, default=""),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=True),
    UniqueConstraint("unit_id", "programme", name="uq_members_unit_programme"),
)

funding = Table(
    "funding", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("programme", String(100), nullable=False),
    Column("year", Integer, nullable=False),
    Column("source", String(100), nullable=False),
    Column("amount", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=True),
    UniqueConstraint("unit_id", "programme", "year", "source", name="uq_funding_key"),
)

#: Named counters; ``data_version`` grows with every write transaction that changed data.
meta = Table(
    "meta", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

#: Results derived from the data (page read models, goal status), kept per data version
#: and read scope so that a page reads them instead of computing them (issue #17).
#: Not data: writing here never changes ``data_version``.
derived_cache = Table(
    "derived_cache", metadata,
    Column("name", String(128), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("data_version", BigInteger, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

# Tables of the other rooms on this metadata (imported last: they import ``metadata``).
from kekiz.storage import (  # noqa: E402, F401
    schema_auth,
    schema_cooperation,
    schema_services,
    schema_streets,
)
