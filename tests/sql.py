"""SQLAlchemy connections to a store, for tests that look at or change its tables
directly (schema comparisons, times set into the past, consistency counts).

kekiz itself reads and writes with plain DB-API SQL (``kekiz.storage``); these helpers
also show that the rows stay what SQLAlchemy writes and reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine


def engine(url: str) -> Engine:
    """A SQLAlchemy engine for a store URL (``postgresql://`` uses psycopg 3)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url)


@contextmanager
def connect(url: str, *, write: bool = False) -> Iterator[Connection]:
    """A connection to the store at ``url``; with ``write``, a committed transaction."""
    eng = engine(url)
    try:
        with (eng.begin() if write else eng.connect()) as conn:
            yield conn
    finally:
        eng.dispose()
