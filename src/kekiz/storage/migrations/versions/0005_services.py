"""Service directory of the prevention chain (HSDS 3.0 entities and kekiz extensions).

Revision ID: 0005
Revises: 0004
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _dataset() -> sa.Column[Any]:
    return sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), primary_key=True,
                     autoincrement=False)


def _service_child(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("dataset_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("service_id", sa.Text, primary_key=True),
        *columns,
        sa.ForeignKeyConstraint(["dataset_id", "service_id"],
                                ["services.dataset_id", "services.id"],
                                name=f"fk_{name}_service", ondelete="CASCADE"),
    )


def upgrade() -> None:
    op.create_table(
        "organizations",
        _dataset(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("alternate_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("website", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_table(
        "services",
        _dataset(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("organization_id", sa.Text, nullable=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("age_min", sa.Float, nullable=True),
        sa.Column("age_max", sa.Float, nullable=True),
        sa.Column("eligibility_description", sa.Text, nullable=False),
        sa.Column("sector", sa.String(32), nullable=True),
        sa.Column("capacity", sa.Float, nullable=True),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_id", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_index("ix_services_sector", "services", ["sector"])
    _service_child("service_life_phases",
                   sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
                   sa.Column("life_phase", sa.String(16), nullable=False))
    _service_child("service_transitions",
                   sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
                   sa.Column("transition", sa.String(32), nullable=False))
    _service_child("service_labels",
                   sa.Column("kind", sa.String(16), primary_key=True),
                   sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
                   sa.Column("label", sa.Text, nullable=False))
    op.create_table(
        "locations",
        _dataset(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("organization_id", sa.Text, nullable=True),
        sa.Column("location_type", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_index("ix_locations_unit", "locations", ["unit_id"])
    op.create_table(
        "service_at_locations",
        _dataset(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("service_id", sa.Text, nullable=False),
        sa.Column("location_id", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_table(
        "taxonomies",
        _dataset(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_table(
        "taxonomy_terms",
        _dataset(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("parent_id", sa.Text, nullable=True),
        sa.Column("taxonomy", sa.Text, nullable=False),
        sa.Column("taxonomy_id", sa.Text, nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("term_uri", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_table(
        "hsds_records",
        _dataset(),
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "hsds_links",
        _dataset(),
        sa.Column("parent_table", sa.Text, primary_key=True),
        sa.Column("parent_id", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("child_table", sa.String(64), nullable=False),
        sa.Column("child_id", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("hsds_links", "hsds_records", "service_labels", "service_transitions",
                  "service_life_phases", "service_at_locations", "services", "locations",
                  "taxonomy_terms", "taxonomies", "organizations"):
        op.drop_table(table)
