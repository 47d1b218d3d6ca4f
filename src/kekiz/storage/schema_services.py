"""Tables of the service directory of the prevention chain (issue #5), on the shared metadata.

Created by migration ``0005_services``; :mod:`kekiz.storage.schema` imports this module
at its end so that every query, snapshot and schema check sees the tables.

The directory follows Open Referral HSDS 3.0 (organization, service, location,
service_at_location, taxonomy, taxonomy_term) with the kekiz extensions of a service
(ages in decimal years, sector, capacity, published, synthetic, source) and its life
phases, transitions, topics and target groups in child tables.  Every other HSDS table
(phones, languages, schedules, costs, addresses, attributes ...) is kept as JSON in
``hsds_records`` and the nesting of the documents in ``hsds_links``, so that an imported
HSDS document is exported again without losing a field.

Every row belongs to one import (``dataset_id``); the key of an entity is
``(dataset_id, id)``, so two sources may both name the same organisation.  A new
revision of a dataset replaces the rows of the earlier revisions as a whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
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

__all__ = ["SERVICE_TABLES", "hsds_links", "hsds_records", "locations", "organizations",
           "service_at_locations", "service_labels", "service_life_phases",
           "service_transitions", "services", "taxonomies", "taxonomy_terms"]


def _dataset() -> Column[int]:
    return Column("dataset_id", Integer, ForeignKey("datasets.id"), primary_key=True,
                  autoincrement=False)


organizations = Table(
    "organizations", metadata,
    _dataset(),
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("alternate_name", Text, nullable=False, default=""),
    Column("email", Text, nullable=False, default=""),
    Column("website", Text, nullable=False, default=""),
    Column("extra", Text, nullable=False, default="{}"),
)

services = Table(
    "services", metadata,
    _dataset(),
    Column("id", Text, primary_key=True),
    Column("organization_id", Text, nullable=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("status", String(32), nullable=False, default="active"),
    Column("url", Text, nullable=False, default=""),
    Column("email", Text, nullable=False, default=""),
    Column("age_min", Float, nullable=True),
    Column("age_max", Float, nullable=True),
    Column("eligibility_description", Text, nullable=False, default=""),
    Column("sector", String(32), nullable=True),
    Column("capacity", Float, nullable=True),
    Column("published", Boolean, nullable=False, default=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("source", Text, nullable=False, default=""),
    Column("source_id", Text, nullable=False, default=""),
    Column("extra", Text, nullable=False, default="{}"),
    Index("ix_services_sector", "sector"),
)


def _of_service(name: str, *extra: Column[Any]) -> Table:
    return Table(
        name, metadata,
        Column("dataset_id", Integer, primary_key=True, autoincrement=False),
        Column("service_id", Text, primary_key=True),
        *extra,
        ForeignKeyConstraint(["dataset_id", "service_id"],
                             ["services.dataset_id", "services.id"],
                             name=f"fk_{name}_service", ondelete="CASCADE"),
    )


service_life_phases = _of_service(
    "service_life_phases",
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("life_phase", String(16), nullable=False),
)
service_transitions = _of_service(
    "service_transitions",
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("transition", String(32), nullable=False),
)
service_labels = _of_service(
    "service_labels",
    Column("kind", String(16), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("label", Text, nullable=False),
)

locations = Table(
    "locations", metadata,
    _dataset(),
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False, default=""),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("organization_id", Text, nullable=True),
    Column("location_type", String(32), nullable=False, default="physical"),
    Column("description", Text, nullable=False, default=""),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("extra", Text, nullable=False, default="{}"),
    Index("ix_locations_unit", "unit_id"),
)

service_at_locations = Table(
    "service_at_locations", metadata,
    _dataset(),
    Column("id", Text, primary_key=True),
    Column("service_id", Text, nullable=False),
    Column("location_id", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("extra", Text, nullable=False, default="{}"),
)

taxonomies = Table(
    "taxonomies", metadata,
    _dataset(),
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("uri", Text, nullable=False, default=""),
    Column("version", Text, nullable=False, default=""),
    Column("extra", Text, nullable=False, default="{}"),
)

taxonomy_terms = Table(
    "taxonomy_terms", metadata,
    _dataset(),
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("code", Text, nullable=False, default=""),
    Column("parent_id", Text, nullable=True),
    Column("taxonomy", Text, nullable=False, default=""),
    Column("taxonomy_id", Text, nullable=True),
    Column("language", String(16), nullable=False, default=""),
    Column("term_uri", Text, nullable=False, default=""),
    Column("extra", Text, nullable=False, default="{}"),
)

hsds_records = Table(
    "hsds_records", metadata,
    _dataset(),
    Column("table_name", Text, primary_key=True),
    Column("id", Text, primary_key=True),
    Column("data", Text, nullable=False),
)

hsds_links = Table(
    "hsds_links", metadata,
    _dataset(),
    Column("parent_table", Text, primary_key=True),
    Column("parent_id", Text, primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("key", String(64), nullable=False),
    Column("child_table", String(64), nullable=False),
    Column("child_id", Text, nullable=False),
)

#: Every table of the directory, children before parents (the order of deleting).
SERVICE_TABLES: tuple[Table, ...] = (
    hsds_links, hsds_records, service_labels, service_transitions, service_life_phases,
    service_at_locations, services, locations, taxonomy_terms, taxonomies, organizations)
