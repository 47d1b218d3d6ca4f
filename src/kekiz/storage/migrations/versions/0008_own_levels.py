"""A municipality's own district levels (issue #18).

``levels`` gets ``parent_id`` (the next coarser level of a declared hierarchy),
``municipality`` (the unit id of the municipality that declared the level; NULL for the
built-in levels) and the plural names ``plural_de`` / ``plural_en`` that reports use
("58 Prognoseräume").

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("levels", sa.Column("parent_id", sa.String(32), nullable=True))
    op.add_column("levels", sa.Column("municipality", sa.String(64), nullable=True))
    op.add_column("levels", sa.Column("plural_de", sa.String(100), nullable=False,
                                      server_default=""))
    op.add_column("levels", sa.Column("plural_en", sa.String(100), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("levels") as batch:
        for name in ("plural_en", "plural_de", "municipality", "parent_id"):
            batch.drop_column(name)
