"""Storage room: ``open_store(url)`` over SQLite (default) or PostgreSQL."""

from kekiz.storage.store import DEFAULT_STORE_URL, Store, Writer, open_store

__all__ = ["DEFAULT_STORE_URL", "Store", "Writer", "open_store"]
