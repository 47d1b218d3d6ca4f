"""Reading and writing users, sessions, API tokens, grants, login attempts and the audit
log (issue #8); and :class:`ScopedStore`, the store as one tenant may read it.

Writes take the :class:`~kekiz.storage.store.Writer` of an open transaction, reads the
:class:`~kekiz.storage.store.Store`.  Tokens are stored as their SHA-256 only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, select, update

from kekiz.domain.accounts import Account, Role
from kekiz.domain.errors import NotFound
from kekiz.domain.model import Dataset, Member, Unit
from kekiz.storage import schema as t
from kekiz.storage import schema_auth as a
from kekiz.storage.store import Store, Writer

__all__ = ["ScopedStore", "add_audit", "add_grant", "add_session", "add_token", "add_user",
           "audit_dataset", "audit_entries", "delete_session", "delete_token", "failures",
           "grants", "hash_token", "password_hash_of", "record_attempt", "remove_grant",
           "session_of", "token_of", "tokens", "unit_tree", "update_user", "users"]


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _account(row: Any) -> Account:
    return Account(id=int(row.id), name=row.name, role=Role(row.role), tenant=row.tenant_id,
                   active=bool(row.active), created=_aware(row.created))


_ACCOUNT_COLS = (a.users.c.id, a.users.c.name, a.users.c.role, a.users.c.tenant_id,
                 a.users.c.active, a.users.c.created)


# -- audit ---------------------------------------------------------------------------------
def add_audit(conn: Connection | Writer, actor: str, action: str, obj: str,
              before: Any = None, after: Any = None) -> None:
    """One entry of the audit log, in the caller's transaction."""
    c = conn.conn if isinstance(conn, Writer) else conn
    c.execute(a.audit_log.insert().values(at=now(), actor=actor or "?", action=action,
                                          object=obj, before=_json(before),
                                          after=_json(after)))


def audit_dataset(conn: Connection, ds: Dataset) -> None:
    """The audit entry of an import (called by ``Writer.add_dataset``): the dataset's
    earlier revision as *before*, this one as *after* (summaries, not the rows)."""
    prev = conn.execute(
        select(t.datasets.c.revision, t.datasets.c.rows, t.datasets.c.sha256,
               t.datasets.c.imported_at)
        .where(t.datasets.c.name == ds.name, t.datasets.c.id != ds.id)
        .order_by(t.datasets.c.revision.desc()).limit(1)).first()
    before = None if prev is None else {
        "revision": prev.revision, "rows": prev.rows, "sha256": prev.sha256,
        "imported_at": prev.imported_at}
    after = {"dataset_id": ds.id, "revision": ds.revision, "kind": ds.kind, "rows": ds.rows,
             "file": ds.file, "sha256": ds.sha256, "licence": ds.licence,
             "source": ds.source}
    add_audit(conn, ds.user, f"import:{ds.kind}", f"dataset:{ds.name}", before, after)


def audit_dataset_rows(conn: Connection, dataset_id: int, rows: int) -> None:
    """Correct the row count of an import's audit entry once it is known."""
    row = conn.execute(select(a.audit_log.c.id, a.audit_log.c.after)
                       .where(a.audit_log.c.action.like("import:%"))
                       .order_by(a.audit_log.c.id.desc()).limit(20)).all()
    for entry_id, after in row:
        data = json.loads(after or "{}")
        if data.get("dataset_id") == dataset_id:
            data["rows"] = rows
            conn.execute(update(a.audit_log).where(a.audit_log.c.id == entry_id)
                         .values(after=_json(data)))
            return


def audit_entries(store: Store, *, limit: int = 100, offset: int = 0,
                  actor: str | None = None, action: str | None = None) -> pd.DataFrame:
    q = select(a.audit_log).order_by(a.audit_log.c.id.desc())
    if actor:
        q = q.where(a.audit_log.c.actor == actor)
    if action:
        q = q.where(a.audit_log.c.action.like(f"{action}%"))
    q = q.limit(limit).offset(offset)
    with store._connect() as conn:
        rows = conn.execute(q).all()
    frame = pd.DataFrame(rows, columns=["id", "at", "actor", "action", "object", "before",
                                        "after"])
    frame["at"] = [_aware(v) for v in frame["at"]]
    for col in ("before", "after"):  # JSON text or None, never NaN
        frame[col] = pd.Series([v if isinstance(v, str) else None for v in frame[col]],
                               index=frame.index, dtype=object)
    return frame


# -- users ---------------------------------------------------------------------------------
def add_user(tx: Writer, name: str, password_hash: str, role: Role,
             tenant: str | None) -> Account:
    created = now()
    result = tx.conn.execute(a.users.insert().values(
        name=name, password_hash=password_hash, role=role.value, tenant_id=tenant,
        active=True, created=created))
    key = result.inserted_primary_key
    assert key is not None
    return Account(int(key[0]), name, role, tenant, True, created)


def update_user(tx: Writer, user_id: int, **values: Any) -> None:
    tx.conn.execute(update(a.users).where(a.users.c.id == user_id).values(**values))


def users(store: Store) -> list[Account]:
    with store._connect() as conn:
        rows = conn.execute(select(*_ACCOUNT_COLS).order_by(a.users.c.name)).all()
    return [_account(r) for r in rows]


def password_hash_of(store: Store, name: str) -> tuple[Account, str] | None:
    with store._connect() as conn:
        row = conn.execute(select(*_ACCOUNT_COLS, a.users.c.password_hash)
                           .where(a.users.c.name == name)).first()
    return None if row is None else (_account(row), str(row.password_hash))


# -- sessions and tokens ---------------------------------------------------------------------
def add_session(tx: Writer, token_hash: str, user_id: int, csrf: str,
                expires: datetime) -> None:
    at = now()
    tx.conn.execute(delete(a.sessions).where(a.sessions.c.expires < at))
    tx.conn.execute(a.sessions.insert().values(token_hash=token_hash, user_id=user_id,
                                               csrf=csrf, created=at, expires=expires))


def session_of(store: Store, token_hash: str) -> tuple[Account, str] | None:
    """The active account and CSRF token of an unexpired session."""
    q = (select(*_ACCOUNT_COLS, a.sessions.c.csrf, a.sessions.c.expires)
         .join(a.users, a.users.c.id == a.sessions.c.user_id)
         .where(a.sessions.c.token_hash == token_hash))
    with store._connect() as conn:
        row = conn.execute(q).first()
    if row is None or not row.active or (_aware(row.expires) or now()) <= now():
        return None
    return _account(row), str(row.csrf)


def delete_session(tx: Writer, token_hash: str) -> None:
    tx.conn.execute(delete(a.sessions).where(a.sessions.c.token_hash == token_hash))


def add_token(tx: Writer, token_hash: str, user_id: int, label: str,
              expires: datetime | None) -> int:
    result = tx.conn.execute(a.api_tokens.insert().values(
        token_hash=token_hash, user_id=user_id, label=label, created=now(), expires=expires))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def token_of(store: Store, token_hash: str) -> Account | None:
    """The active account of an unexpired API token; marks the token as used."""
    q = (select(*_ACCOUNT_COLS, a.api_tokens.c.id.label("token_id"), a.api_tokens.c.expires)
         .join(a.users, a.users.c.id == a.api_tokens.c.user_id)
         .where(a.api_tokens.c.token_hash == token_hash))
    with store._connect() as conn:
        row = conn.execute(q).first()
    if row is None or not row.active:
        return None
    expires = _aware(row.expires)
    if expires is not None and expires <= now():
        return None
    with store.transaction() as tx:
        tx.conn.execute(update(a.api_tokens).where(a.api_tokens.c.id == row.token_id)
                        .values(last_used=now()))
    return _account(row)


def tokens(store: Store, user_id: int | None = None) -> pd.DataFrame:
    q = (select(a.api_tokens.c.id, a.users.c.name.label("user"), a.api_tokens.c.label,
                a.api_tokens.c.created, a.api_tokens.c.expires, a.api_tokens.c.last_used)
         .join(a.users, a.users.c.id == a.api_tokens.c.user_id).order_by(a.api_tokens.c.id))
    if user_id is not None:
        q = q.where(a.api_tokens.c.user_id == user_id)
    with store._connect() as conn:
        return pd.DataFrame(conn.execute(q).all(),
                            columns=["id", "user", "label", "created", "expires", "last_used"])


def delete_token(tx: Writer, token_id: int) -> int:
    return int(tx.conn.execute(delete(a.api_tokens).where(a.api_tokens.c.id == token_id))
               .rowcount or 0)


# -- login attempts ----------------------------------------------------------------------------
def record_attempt(tx: Writer, name: str, ip: str, success: bool) -> None:
    """Record a login attempt; attempts older than a day are dropped."""
    tx.conn.execute(delete(a.login_attempts).where(
        a.login_attempts.c.at < now() - timedelta(days=1)))
    tx.conn.execute(a.login_attempts.insert().values(name=name[:100], ip=ip[:64], at=now(),
                                                     success=success))


def failures(store: Store, name: str, ip: str, since: datetime) -> int:
    """Failed logins of ``name`` from ``ip`` since ``since`` (after the last success)."""
    la = a.login_attempts
    with store._connect() as conn:
        last_ok = conn.execute(select(func.max(la.c.at)).where(
            la.c.name == name, la.c.ip == ip, la.c.success.is_(True))).scalar_one()
        start = max(since, _aware(last_ok) or since)
        return int(conn.execute(select(func.count()).select_from(la).where(
            la.c.name == name, la.c.ip == ip, la.c.success.is_(False),
            la.c.at > start)).scalar_one())


# -- grants ------------------------------------------------------------------------------------
def add_grant(tx: Writer, grantor: str, grantee: str, by: str) -> bool:
    """Grant ``grantee`` read access to ``grantor``'s units; False if it existed."""
    exists = tx.conn.execute(select(a.access_grants.c.id).where(and_(
        a.access_grants.c.grantor_id == grantor,
        a.access_grants.c.grantee_id == grantee))).first()
    if exists is not None:
        return False
    tx.conn.execute(a.access_grants.insert().values(grantor_id=grantor, grantee_id=grantee,
                                                    created=now(), created_by=by))
    return True


def remove_grant(tx: Writer, grantor: str, grantee: str) -> bool:
    result = tx.conn.execute(delete(a.access_grants).where(and_(
        a.access_grants.c.grantor_id == grantor, a.access_grants.c.grantee_id == grantee)))
    return bool(result.rowcount)


def grants(store: Store) -> pd.DataFrame:
    g = a.access_grants
    with store._connect() as conn:
        return pd.DataFrame(conn.execute(
            select(g.c.grantor_id, g.c.grantee_id, g.c.created, g.c.created_by)
            .order_by(g.c.grantor_id, g.c.grantee_id)).all(),
            columns=["grantor_id", "grantee_id", "created", "created_by"])


def unit_tree(store: Store) -> dict[str, str | None]:
    """unit id -> parent id of every unit."""
    with store._connect() as conn:
        return {str(i): p for i, p in conn.execute(select(t.units.c.id, t.units.c.parent_id))}


# -- the store as a tenant reads it --------------------------------------------------------------
class ScopedStore(Store):
    """A read view of ``base`` that knows only the units in ``visible``.

    Every read of units, geometries, observations, members and funding is filtered; a
    unit outside the scope is reported as unknown, with one message for every id outside
    the scope whether it exists or not (and without the id: a page that looks up a unit
    of its own, e.g. the municipality of a Leitbild, does not name it).  Writes are not
    offered here: :meth:`transaction` still works on the shared engine for the audit and
    session tables.
    """

    def __init__(self, base: Store, visible: frozenset[str]) -> None:
        super().__init__(base.engine, base.url)
        self.visible = visible

    def _ok(self, ids: Any) -> Any:
        return pd.Series(ids, dtype=object).isin(self.visible).to_numpy()

    def units(self, level: str | None = None, parent_id: str | None = None,
              with_geometry: bool = False) -> list[Unit]:
        return [u for u in super().units(level, parent_id, with_geometry)
                if u.id in self.visible]

    def unit(self, unit_id: str) -> Unit:
        if unit_id not in self.visible:  # the same answer whether it exists or not
            raise NotFound("Unbekannte Einheit, oder sie liegt außerhalb Ihres Zugriffs.",
                           message_en="Unknown unit, or it lies outside your access.")
        return super().unit(unit_id)

    def units_frame(self, level: str | None = None) -> pd.DataFrame:
        frame = super().units_frame(level)
        return frame[self._ok(frame["id"])].reset_index(drop=True)

    def geometries(self, level: str) -> pd.DataFrame:
        frame = super().geometries(level)
        return frame[self._ok(frame["id"])].reset_index(drop=True)

    def key_index(self, level: str) -> dict[str, dict[str, str]]:
        return {scheme: {k: u for k, u in keys.items() if u in self.visible}
                for scheme, keys in super().key_index(level).items()}

    def count_units(self) -> dict[str, int]:
        frame = self.units_frame()
        return {str(k): int(v) for k, v in frame["level"].value_counts().items()}

    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame:
        if unit_ids is not None:
            unit_ids = [u for u in unit_ids if u in self.visible]
        frame = super().observations(indicator_id=indicator_id, unit_ids=unit_ids,
                                     level=level, period=period)
        return frame[self._ok(frame["unit_id"])].reset_index(drop=True)

    def periods(self) -> dict[str, list[str]]:
        obs = self.observations()
        return {str(ind): sorted({str(p) for p in grp["period"]})
                for ind, grp in obs.groupby("indicator_id")}

    def count_observations(self) -> int:
        return len(self.observations())

    def members(self, programme: str | None = None) -> list[Member]:
        return [m for m in super().members(programme) if m.unit_id in self.visible]

    def funding(self, programme: str | None = None) -> pd.DataFrame:
        frame = super().funding(programme)
        return frame[self._ok(frame["unit_id"])].reset_index(drop=True)

    def dispose(self) -> None:  # the engine belongs to the base store
        return None
