"""The table of the stored street directory (issue #19), on the shared metadata.

Created by migration ``0009_streets``; :mod:`kekiz.storage.schema` imports this module at
its end.  One row per section of a street (see :mod:`kekiz.ingest.streets`); every row
belongs to the import that brought it (``dataset_id``), and a new import replaces the
whole directory.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from kekiz.storage.schema import metadata

__all__ = ["streets"]

streets = Table(
    "streets", metadata,
    Column("dataset_id", Integer, ForeignKey("datasets.id"), primary_key=True,
           autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("street", Text, nullable=False),
    Column("street_key", Text, nullable=False),
    Column("number_first", Integer, nullable=False),
    Column("number_last", Integer, nullable=False),
    Column("side", String(16), nullable=False),
    Column("postcode", String(16), nullable=False, default=""),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Index("ix_streets_key", "street_key"),
)
