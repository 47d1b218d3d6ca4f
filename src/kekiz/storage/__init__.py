"""Storage room: ``open_store(url)`` over SQLite (default) or PostgreSQL.

The rest of kekiz programs against the :class:`Store` and :class:`Writer` protocols;
:func:`safe_url` shows a store address without its password.
"""

from kekiz.storage.protocol import AuthStore, AuthWriter, Store, Writer
from kekiz.storage.store import DEFAULT_STORE_URL, open_store
from kekiz.storage.url import safe_url

__all__ = ["DEFAULT_STORE_URL", "AuthStore", "AuthWriter", "Store", "Writer", "open_store",
           "safe_url"]
