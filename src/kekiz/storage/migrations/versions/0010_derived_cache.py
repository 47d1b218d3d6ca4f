"""Derived results kept per data version (issue #17).

``derived_cache`` holds what pages and reports show, computed when the data change
(``kekiz demo``, imports, aggregate, monitor run, delete) or on the first read, under a
name, a key (hash of the parameters and the reader's read scope) and the data version it
was computed at.  A row of an older data version is never read; writing a row does not
change ``data_version``.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "derived_cache",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("data_version", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("derived_cache")
