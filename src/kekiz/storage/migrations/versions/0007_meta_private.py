"""The data version counter, and private indicators and datasets (issues #16, #20).

``meta`` holds named counters; ``data_version`` grows by one with every write
transaction that changed data, so that caches in several processes know when to refresh.
``indicators`` and ``datasets`` get ``private_to`` (the unit id of the municipality that
owns a private row; NULL for public rows) and ``private_state`` (the owner lets the state
office read it).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO meta (name, value) VALUES ('data_version', 0)")
    for table in ("indicators", "datasets"):
        op.add_column(table, sa.Column("private_to", sa.String(64), nullable=True))
        op.add_column(table, sa.Column("private_state", sa.Boolean, nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    for table in ("datasets", "indicators"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("private_state")
            batch.drop_column("private_to")
    op.drop_table("meta")
