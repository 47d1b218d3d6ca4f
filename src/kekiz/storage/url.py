"""Store addresses: ``sqlite:///path.db`` and ``postgresql[+psycopg]://user@host/db``.

:func:`parse_url` checks an address and says what to connect to; :func:`safe_url` is the
address as messages and logs may show it (the password replaced by ``***``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from kekiz.domain.errors import StoreError

__all__ = ["StoreUrl", "parse_url", "safe_url"]

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://(.*)$", re.DOTALL)
_EXAMPLES_DE = ("Erwartet z. B. 'sqlite:///kekiz.db' oder "
                "'postgresql+psycopg://benutzer@host/datenbank'.")
_EXAMPLES_EN = ("Expected e.g. 'sqlite:///kekiz.db' or "
                "'postgresql+psycopg://user@host/database'.")


@dataclass(frozen=True)
class StoreUrl:
    """A checked store address.

    ``backend`` is ``sqlite`` or ``postgresql``; ``target`` is the database file of
    SQLite, or the libpq connection URI (``postgresql://...``) of PostgreSQL.
    """

    url: str
    backend: str
    target: str


def parse_url(url: str) -> StoreUrl:
    """The backend and connection target of ``url``; :class:`StoreError` if unusable."""
    match = _URL.match(url.strip())
    if match is None:
        raise StoreError(f"Ungültige Store-Adresse '{url}'. {_EXAMPLES_DE}",
                         message_en=f"Invalid store URL '{url}'. {_EXAMPLES_EN}")
    scheme, rest = match.group(1).lower(), match.group(2)
    backend, _, driver = scheme.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return StoreUrl(url, "sqlite", _sqlite_path(url, rest))
    if backend == "postgresql" and driver in ("", "psycopg"):
        if not rest.strip("/"):
            raise StoreError(f"Ungültige Store-Adresse '{safe_url(url)}': Server und "
                             f"Datenbank fehlen. {_EXAMPLES_DE}",
                             message_en=f"Invalid store URL '{safe_url(url)}': server and "
                             f"database are missing. {_EXAMPLES_EN}")
        return StoreUrl(url, "postgresql", "postgresql://" + rest)
    shown = backend if driver in ("", "psycopg", "pysqlite") else scheme
    raise StoreError(f"Nicht unterstützte Datenbank '{shown}' in '{safe_url(url)}'. "
                     "Unterstützt: sqlite, postgresql.",
                     message_en=f"Unsupported database '{shown}' in '{safe_url(url)}'. "
                     "Supported: sqlite, postgresql.")


def _sqlite_path(url: str, rest: str) -> str:
    """``sqlite:///kekiz.db`` -> ``kekiz.db``; ``sqlite:////srv/k.db`` -> ``/srv/k.db``."""
    path = rest[1:] if rest.startswith("/") else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        raise StoreError(
            f"Die Store-Adresse '{url}' nennt keine Datei; ein SQLite-Store im Arbeitsspeicher "
            "wird nicht unterstützt. Abhilfe: z. B. 'sqlite:///kekiz.db'.",
            message_en=f"The store URL '{url}' names no file; an in-memory SQLite store is "
            "not supported. Fix: e.g. 'sqlite:///kekiz.db'.")
    return path


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))
