"""Schema migrations (Alembic), imported only by ``kekiz init`` and the tests.

Opening a store compares its ``alembic_version`` with :data:`SCHEMA_HEAD` and imports
neither SQLAlchemy nor Alembic; only creating or upgrading a store runs the migrations in
``migrations/`` here, on a SQLAlchemy connection of its own.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from kekiz.storage.url import StoreUrl

__all__ = ["SCHEMA_HEAD", "alembic_head", "upgrade"]

#: The schema version this kekiz reads and writes (the newest migration's revision;
#: ``tests/storage`` checks that it equals Alembic's head).
SCHEMA_HEAD = "0010"


def _config(connection: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("kekiz.storage") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def alembic_head() -> str:
    """The head revision of the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError("kekiz ships no migrations")
    return str(head)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
                   "busy_timeout=30000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def upgrade(url: StoreUrl, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (the head) on the store at ``url``, in one
    transaction."""
    from alembic import command
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import SQLAlchemyError

    from kekiz.domain.errors import StoreError
    from kekiz.storage.url import safe_url

    if url.backend == "sqlite":
        engine = create_engine(f"sqlite:///{url.target}")
        event.listen(engine, "connect", _sqlite_on_connect)
    else:
        engine = create_engine("postgresql+psycopg://" + url.target.split("://", 1)[1])
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), revision)
    except SQLAlchemyError as exc:
        shown = safe_url(url.url)
        raise StoreError(f"Schema-Migration des Stores {shown} fehlgeschlagen: "
                         f"{getattr(exc, 'orig', exc)}. Es wurde nichts geändert.",
                         message_en=f"Migrating the schema of the store {shown} failed: "
                         f"{getattr(exc, 'orig', exc)}. Nothing was changed.") from exc
    finally:
        engine.dispose()
