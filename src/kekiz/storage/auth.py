"""Users, sessions, API tokens, grants, login attempts and the audit log in the store
(issue #8), in plain SQL: ``store.auth`` (:class:`SqlAuthStore`) reads, ``tx.auth``
(:class:`SqlAuthWriter`) writes inside the caller's transaction.

Tokens are stored as their SHA-256 only (:func:`kekiz.domain.accounts.hash_token`).
Sessions, tokens, login attempts and audit entries are bookkeeping: writing them does
not count as a change of the data (``store.data_version()`` stays); accounts and grants
do count, since they change what a scope reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kekiz.domain.accounts import Account, Role
from kekiz.domain.model import Dataset
from kekiz.storage.db import Conn, Database, Row

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SqlAuthStore", "SqlAuthWriter", "add_audit", "audit_dataset", "audit_dataset_rows"]

_ACCOUNT = "u.id, u.name, u.role, u.tenant_id, u.active, u.created"


def now() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class SqlAuthStore:
    """Reads of the account tables (see :class:`kekiz.storage.protocol.AuthStore`)."""

    def __init__(self, db: Database,
                 transaction: Callable[[], AbstractContextManager[Conn]]) -> None:
        self._db = db
        self._transaction = transaction

    def _account(self, row: Row) -> Account:
        return Account(id=int(row[0]), name=row[1], role=Role(row[2]), tenant=row[3],
                       active=bool(row[4]), created=self._db.dialect.datetime_out(row[5]))

    def users(self) -> list[Account]:
        rows = self._db.read(lambda c: c.all(f"SELECT {_ACCOUNT} FROM users u ORDER BY u.name"))
        return [self._account(r) for r in rows]

    def password_hash_of(self, name: str) -> tuple[Account, str] | None:
        row = self._db.read(lambda c: c.one(
            f"SELECT {_ACCOUNT}, u.password_hash FROM users u WHERE u.name = ?", (name,)))
        return None if row is None else (self._account(row), str(row[6]))

    def session_of(self, token_hash: str) -> tuple[Account, str] | None:
        row = self._db.read(lambda c: c.one(
            f"SELECT {_ACCOUNT}, s.csrf, s.expires FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", (token_hash,)))
        if row is None or not row[4]:
            return None
        expires = self._db.dialect.datetime_out(row[7])
        if expires is None or expires <= now():
            return None
        return self._account(row), str(row[6])

    def token_of(self, token_hash: str) -> Account | None:
        row = self._db.read(lambda c: c.one(
            f"SELECT {_ACCOUNT}, t.id, t.expires FROM api_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?", (token_hash,)))
        if row is None or not row[4]:
            return None
        expires = self._db.dialect.datetime_out(row[7])
        if expires is not None and expires <= now():
            return None
        with self._transaction() as conn:
            conn.run("UPDATE api_tokens SET last_used = ? WHERE id = ?",
                     (conn.dialect.datetime_in(now()), row[6]))
        return self._account(row)

    def _frame(self, sql: str, params: list[Any], columns: list[str],
               times: tuple[str, ...]) -> pd.DataFrame:
        import pandas as pd

        at = [columns.index(c) for c in times]
        out = self._db.dialect.datetime_out
        rows = [tuple(out(v) if i in at else v for i, v in enumerate(r))
                for r in self._db.read(lambda c: c.all(sql, params))]
        return pd.DataFrame(rows, columns=columns)

    def tokens(self, user_id: int | None = None) -> pd.DataFrame:
        where, params = ("", []) if user_id is None else (" WHERE t.user_id = ?", [user_id])
        return self._frame(
            'SELECT t.id, u.name, t.label, t.created, t.expires, t.last_used FROM api_tokens t '
            f"JOIN users u ON u.id = t.user_id{where} ORDER BY t.id", params,
            ["id", "user", "label", "created", "expires", "last_used"],
            ("created", "expires", "last_used"))

    def failures(self, name: str, ip: str, since: datetime) -> int:
        d = self._db.dialect

        def read(c: Conn) -> int:
            last_ok = d.datetime_out(c.scalar(
                "SELECT MAX(at) FROM login_attempts WHERE name = ? AND ip = ? AND success = ?",
                (name, ip, True)))
            start = max(since, last_ok or since)
            return int(c.scalar(
                "SELECT COUNT(*) FROM login_attempts WHERE name = ? AND ip = ? "
                "AND success = ? AND at > ?", (name, ip, False, d.datetime_in(start))))

        return self._db.read(read)

    def grants(self) -> pd.DataFrame:
        return self._frame(
            "SELECT grantor_id, grantee_id, created, created_by FROM access_grants "
            "ORDER BY grantor_id, grantee_id", [],
            ["grantor_id", "grantee_id", "created", "created_by"], ("created",))

    def audit_entries(self, *, limit: int = 100, offset: int = 0, actor: str | None = None,
                      action: str | None = None) -> pd.DataFrame:
        """Newest first: id, at, actor, action, object, before and after (JSON text)."""
        parts: list[str] = []
        params: list[Any] = []
        if actor:
            parts.append("actor = ?")
            params.append(actor)
        if action:  # a prefix: its own % and _ are taken literally
            parts.append("action LIKE ? ESCAPE '!'")
            params.append(action.replace("!", "!!").replace("%", "!%").replace("_", "!_")
                          + "%")
        where = " WHERE " + " AND ".join(parts) if parts else ""
        import pandas as pd

        frame = self._frame(
            f'SELECT id, at, actor, action, object, "before", "after" FROM audit_log{where} '
            "ORDER BY id DESC LIMIT ? OFFSET ?", [*params, int(limit), int(offset)],
            ["id", "at", "actor", "action", "object", "before", "after"],
            ("at",))
        for col in ("before", "after"):  # JSON text or None, never NaN
            frame[col] = pd.Series([v if isinstance(v, str) else None for v in frame[col]],
                                   index=frame.index, dtype=object)
        return frame


class SqlAuthWriter:
    """Writes of the account tables (see :class:`kekiz.storage.protocol.AuthWriter`)."""

    def __init__(self, conn: Conn, changed: Callable[[], None]) -> None:
        self._conn = conn
        self._changed = changed

    def _t(self, value: datetime | None) -> Any:
        return self._conn.dialect.datetime_in(value)

    # -- audit -------------------------------------------------------------------------------
    def add_audit(self, actor: str, action: str, obj: str, before: Any = None,
                  after: Any = None) -> None:
        """One entry of the audit log, in the caller's transaction."""
        add_audit(self._conn, actor, action, obj, before, after)

    # -- users ---------------------------------------------------------------------------------
    def add_user(self, name: str, password_hash: str, role: Role,
                 tenant: str | None) -> Account:
        created = now()
        user_id = self._conn.insert(
            "INSERT INTO users (name, password_hash, role, tenant_id, active, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, password_hash, role.value, tenant, True, self._t(created)))
        self._changed()
        return Account(user_id, name, role, tenant, True, created)

    def update_user(self, user_id: int, *, role: Role, tenant: str | None,
                    active: bool | None = None, password_hash: str | None = None) -> None:
        sets = ["role = ?", "tenant_id = ?"]
        params: list[Any] = [role.value, tenant]
        if active is not None:
            sets.append("active = ?")
            params.append(bool(active))
        if password_hash is not None:
            sets.append("password_hash = ?")
            params.append(password_hash)
        if self._conn.run(f"UPDATE users SET {', '.join(sets)} WHERE id = ?",
                          (*params, user_id)):
            self._changed()

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """A new hash of the same password (e.g. stronger parameters): not a data change."""
        self._conn.run("UPDATE users SET password_hash = ? WHERE id = ?",
                       (password_hash, user_id))

    # -- sessions and tokens ---------------------------------------------------------------------
    def delete_sessions_of(self, user_id: int) -> int:
        return self._conn.run("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    def add_session(self, token_hash: str, user_id: int, csrf: str,
                    expires: datetime) -> None:
        at = now()
        self._conn.run("DELETE FROM sessions WHERE expires < ?", (self._t(at),))
        self._conn.run("INSERT INTO sessions (token_hash, user_id, csrf, created, expires) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (token_hash, user_id, csrf, self._t(at), self._t(expires)))

    def delete_session(self, token_hash: str) -> None:
        self._conn.run("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def add_token(self, token_hash: str, user_id: int, label: str,
                  expires: datetime | None) -> int:
        return self._conn.insert(
            "INSERT INTO api_tokens (token_hash, user_id, label, created, expires) "
            "VALUES (?, ?, ?, ?, ?)",
            (token_hash, user_id, label, self._t(now()), self._t(expires)))

    def delete_token(self, token_id: int) -> int:
        return self._conn.run("DELETE FROM api_tokens WHERE id = ?", (token_id,))

    # -- login attempts ---------------------------------------------------------------------------
    def record_attempt(self, name: str, ip: str, success: bool) -> None:
        """Record a login attempt; attempts older than a day are dropped."""
        self._conn.run("DELETE FROM login_attempts WHERE at < ?",
                       (self._t(now() - timedelta(days=1)),))
        self._conn.run("INSERT INTO login_attempts (name, ip, at, success) VALUES (?, ?, ?, ?)",
                       (name[:100], ip[:64], self._t(now()), bool(success)))

    # -- grants -----------------------------------------------------------------------------------
    def add_grant(self, grantor: str, grantee: str, by: str) -> bool:
        """Grant ``grantee`` read access to ``grantor``'s units; False if it existed."""
        if self._conn.one("SELECT id FROM access_grants WHERE grantor_id = ? AND grantee_id = ?",
                          (grantor, grantee)) is not None:
            return False
        self._conn.run("INSERT INTO access_grants (grantor_id, grantee_id, created, created_by) "
                       "VALUES (?, ?, ?, ?)", (grantor, grantee, self._t(now()), by))
        self._changed()
        return True

    def remove_grant(self, grantor: str, grantee: str) -> bool:
        removed = self._conn.run(
            "DELETE FROM access_grants WHERE grantor_id = ? AND grantee_id = ?",
            (grantor, grantee))
        if removed:
            self._changed()
        return bool(removed)


# -- audit entries written by the other writes ----------------------------------------------
def add_audit(conn: Conn, actor: str, action: str, obj: str, before: Any = None,
              after: Any = None) -> None:
    """One entry of the audit log, in the transaction of ``conn``."""
    conn.run('INSERT INTO audit_log (at, actor, action, object, "before", "after") '
             "VALUES (?, ?, ?, ?, ?, ?)",
             (conn.dialect.datetime_in(now()), actor or "?", action, obj, _json(before),
              _json(after)))


def audit_dataset(conn: Conn, ds: Dataset) -> None:
    """The audit entry of an import (written by ``add_dataset``): the dataset's earlier
    revision as *before*, this one as *after* (summaries, not the rows)."""
    prev = conn.one('SELECT revision, "rows", sha256, imported_at FROM datasets '
                    "WHERE name = ? AND id <> ? ORDER BY revision DESC LIMIT 1",
                    (ds.name, ds.id))
    before = None if prev is None else {
        "revision": prev[0], "rows": prev[1], "sha256": prev[2],
        "imported_at": conn.dialect.datetime_out(prev[3])}
    after = {"dataset_id": ds.id, "revision": ds.revision, "kind": ds.kind, "rows": ds.rows,
             "file": ds.file, "sha256": ds.sha256, "licence": ds.licence, "source": ds.source}
    add_audit(conn, ds.user, f"import:{ds.kind}", f"dataset:{ds.name}", before, after)


def audit_dataset_rows(conn: Conn, dataset_id: int, rows: int) -> None:
    """Correct the row count of an import's audit entry once it is known."""
    for entry_id, after in conn.all('SELECT id, "after" FROM audit_log WHERE action LIKE ? '
                                    "ORDER BY id DESC LIMIT 20", ("import:%",)):
        data = json.loads(after or "{}")
        if data.get("dataset_id") == dataset_id:
            data["rows"] = rows
            conn.run('UPDATE audit_log SET "after" = ? WHERE id = ?', (_json(data), entry_id))
            return
