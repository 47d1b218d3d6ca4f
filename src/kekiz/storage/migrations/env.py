"""Alembic environment: run migrations on the connection kekiz hands over."""

from __future__ import annotations

from alembic import context

from kekiz.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - kekiz always passes a connection
    raise RuntimeError("kekiz migrations must be run through kekiz.storage.open_store")

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
