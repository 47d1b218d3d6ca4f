"""Users, roles, tenants, sessions, API tokens, access grants and the audit log (#8).

:class:`AdminService` tells the web layer who a session cookie or a bearer token belongs
to, and which units are an account's own (:meth:`AdminService.visible_units`): its tenant
unit, everything below it, and the units granted to its tenant (with everything below
those).  What an account may read is decided by the publication gate
(:mod:`kekiz.privacy.publish`) from the account and those units.  Passwords are stored as
argon2id hashes; session and API tokens as SHA-256 of 256-bit random strings; login
attempts in the store, so that the rate limit holds across worker processes.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kekiz.domain.accounts import (
    TENANT_ROLES,
    Account,
    AuthFailed,
    Conflict,
    Forbidden,
    Role,
    TooManyAttempts,
    hash_token,
)
from kekiz.domain.errors import KekizError, NotFound
from kekiz.services.base import actor as acting
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["MAX_FAILURES", "MIN_PASSWORD", "WINDOW", "AdminService", "Session"]

#: Failed logins per name and address within :data:`WINDOW` before the limit holds.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_hasher = PasswordHasher()
# A hash to verify against when the name is unknown: the same time for both answers.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Session:
    """A new login: the cookie value (shown once) and the CSRF token of the session."""

    def __init__(self, account: Account, token: str, csrf: str) -> None:
        self.account = account
        self.token = token
        self.csrf = csrf


def _wrong_login() -> AuthFailed:
    return AuthFailed("Anmeldung fehlgeschlagen: Name oder Passwort ist falsch, oder das "
                      "Konto ist gesperrt.",
                      message_en="Login failed: wrong name or password, or the account is "
                      "disabled.")


class AdminService:
    """Accounts, logins, sessions, API tokens, grants between units, the audit log."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._children_cache: tuple[Any, dict[str, list[str]]] | None = None

    # -- users -------------------------------------------------------------------------------
    def create_user(self, name: str, password: str, role: Role | str = Role.VIEWER,
                    tenant: str | None = None, *, actor: str | None = None) -> Account:
        """A new account; the password is checked (length) and stored as argon2 hash."""
        role = self._role(role)
        if not _NAME.match(name or ""):
            raise KekizError(f"Ungültiger Benutzername '{name}': erlaubt sind 1–100 Zeichen "
                             "aus Buchstaben, Ziffern und . _ @ - (erstes Zeichen Buchstabe "
                             "oder Ziffer).",
                             message_en=f"Invalid user name '{name}': 1-100 characters of "
                             "letters, digits and . _ @ - (first a letter or digit).")
        self._check_password(password)
        tenant = self._check_tenant(role, tenant)
        store = self.store
        if store.auth.password_hash_of(name) is not None:
            raise Conflict(f"Den Benutzer '{name}' gibt es schon. 'kekiz admin user list' "
                           "zeigt alle.", message_en=f"The user '{name}' exists already.")
        with store.transaction() as tx:
            account = tx.auth.add_user(name, _hasher.hash(password), role, tenant)
            tx.auth.add_audit(actor or acting(self.settings), "user.create", f"user:{name}", None,
                              _account_summary(account))
        return account

    def update_user(self, name: str, *, role: Role | str | None = None,
                    tenant: str | None = None, active: bool | None = None,
                    password: str | None = None, actor: str | None = None) -> Account:
        """Change role, tenant, active flag or password of an account (audited)."""
        old = self.account(name)
        new_role = self._role(role) if role is not None else old.role
        new_tenant = tenant if tenant is not None else old.tenant
        new_tenant = self._check_tenant(new_role, new_tenant)
        password_hash = None
        if password is not None:
            self._check_password(password)
            password_hash = _hasher.hash(password)
        new = Account(old.id, old.name, new_role, new_tenant,
                      old.active if active is None else active, old.created)
        after = _account_summary(new)
        if password is not None:
            after["password"] = "geändert / changed"
        with self.store.transaction() as tx:
            tx.auth.update_user(old.id, role=new_role, tenant=new_tenant, active=active,
                                password_hash=password_hash)
            if active is False:
                tx.auth.delete_sessions_of(old.id)
            tx.auth.add_audit(actor or acting(self.settings), "user.update", f"user:{name}",
                              _account_summary(old), after)
        return new

    def accounts(self) -> list[Account]:
        return self.store.auth.users()

    def account(self, name: str) -> Account:
        found = self.store.auth.password_hash_of(name)
        if found is None:
            raise NotFound(f"Unbekannter Benutzer '{name}'. 'kekiz admin user list' zeigt "
                           "alle.", message_en=f"Unknown user '{name}'.")
        return found[0]

    @staticmethod
    def _role(role: Role | str) -> Role:
        try:
            value = Role(str(role))
        except ValueError:
            value = Role.PUBLIC
        if value is Role.PUBLIC:
            known = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
            raise KekizError(f"Unbekannte Rolle '{role}'. Möglich: {known}.",
                             message_en=f"Unknown role '{role}'. Possible: {known}.")
        return value

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password or "") < MIN_PASSWORD:
            raise KekizError(f"Das Passwort ist zu kurz: mindestens {MIN_PASSWORD} Zeichen.",
                             message_en=f"The password is too short: at least {MIN_PASSWORD} "
                             "characters.")

    def _check_tenant(self, role: Role, tenant: str | None) -> str | None:
        if role in TENANT_ROLES:
            if not tenant:
                raise KekizError(f"Die Rolle '{role}' braucht eine Kommune (--tenant "
                                 "Gebietsschlüssel, z. B. 05315000 für Köln).",
                                 message_en=f"The role '{role}' needs a municipality "
                                 "(--tenant unit id, e.g. 05315000 for Köln).")
            self.store.unit(tenant)  # NotFound with the id
            return tenant
        return None

    # -- login, sessions and tokens ------------------------------------------------------------
    def login(self, name: str, password: str, address: str) -> Session:
        """Check name and password; a new session.  After :data:`MAX_FAILURES` failures
        of the same name from the same address within :data:`WINDOW`, refuses (429)."""
        store = self.store
        since = datetime.now(UTC) - WINDOW
        if store.auth.failures(name, address, since) >= MAX_FAILURES:
            with store.transaction() as tx:
                tx.auth.add_audit(name, "login.blocked", f"user:{name}", None,
                                  {"address": address})
            raise TooManyAttempts(
                f"Zu viele fehlgeschlagene Anmeldungen für „{name}“ von dieser Adresse. "
                f"Bitte in {int(WINDOW.total_seconds() // 60)} Minuten erneut versuchen.",
                message_en=f"Too many failed logins for '{name}' from this address. Please "
                f"try again in {int(WINDOW.total_seconds() // 60)} minutes.")
        found = store.auth.password_hash_of(name)
        ok = False
        try:
            ok = _hasher.verify(found[1] if found else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
        ok = ok and found is not None and found[0].active
        with store.transaction() as tx:
            tx.auth.record_attempt(name, address, ok)
            tx.auth.add_audit(name, "login" if ok else "login.failed", f"user:{name}", None,
                              {"address": address})
            if not ok or found is None:
                session = None
            else:
                account, stored = found
                if _hasher.check_needs_rehash(stored):
                    tx.auth.set_password_hash(account.id, _hasher.hash(password))
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                tx.auth.add_session(hash_token(token), account.id, csrf,
                                    datetime.now(UTC) + SESSION_LIFETIME)
                session = Session(account, token, csrf)
        if session is None:
            raise _wrong_login()
        return session

    def session_account(self, token: str) -> tuple[Account, str] | None:
        """The account and CSRF token of a session cookie, or None."""
        if not token:
            return None
        return self.store.auth.session_of(hash_token(token))

    def logout(self, token: str, actor: str) -> None:
        with self.store.transaction() as tx:
            tx.auth.delete_session(hash_token(token))
            tx.auth.add_audit(actor, "logout", f"user:{actor}")

    def create_token(self, user: str, label: str = "", days: int | None = 365, *,
                     actor: str | None = None) -> str:
        """A new API token for ``user`` (shown once; only its hash is stored)."""
        account = self.account(user)
        token = "kekiz_" + secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        with self.store.transaction() as tx:
            token_id = tx.auth.add_token(hash_token(token), account.id, label[:200], expires)
            tx.auth.add_audit(actor or acting(self.settings), "token.create", f"token:{token_id}",
                              None, {"user": user, "label": label, "expires": expires})
        return token

    def token_account(self, token: str) -> Account | None:
        if not token:
            return None
        return self.store.auth.token_of(hash_token(token))

    def api_tokens(self, user: str | None = None) -> pd.DataFrame:
        return self.store.auth.tokens(self.account(user).id if user else None)

    def revoke_token(self, token_id: int, *, actor: str | None = None) -> None:
        with self.store.transaction() as tx:
            if not tx.auth.delete_token(token_id):
                raise NotFound(f"Kein API-Token mit der Nummer {token_id}.",
                               message_en=f"No API token number {token_id}.")
            tx.auth.add_audit(actor or acting(self.settings), "token.revoke", f"token:{token_id}",
                              {"id": token_id}, None)

    # -- grants ----------------------------------------------------------------------------------
    def grant(self, grantor: str, grantee: str, *, actor: str | None = None,
              account: Account | None = None) -> bool:
        """Let ``grantee`` (its users) read ``grantor``'s units.  ``account``, when given,
        must be an admin or an editor of ``grantor`` (a Kreis grants its towns access,
        a town its Kreis)."""
        self._may_grant(grantor, account)
        self.store.unit(grantor)
        self.store.unit(grantee)
        with self.store.transaction() as tx:
            added = tx.auth.add_grant(grantor, grantee, actor or acting(self.settings))
            if added:
                tx.auth.add_audit(actor or acting(self.settings), "grant.add",
                                  f"grant:{grantor}->{grantee}", None,
                                  {"grantor": grantor, "grantee": grantee})
        return added

    def revoke_grant(self, grantor: str, grantee: str, *, actor: str | None = None,
                     account: Account | None = None) -> bool:
        self._may_grant(grantor, account)
        with self.store.transaction() as tx:
            removed = tx.auth.remove_grant(grantor, grantee)
            if removed:
                tx.auth.add_audit(actor or acting(self.settings), "grant.remove",
                                  f"grant:{grantor}->{grantee}",
                                  {"grantor": grantor, "grantee": grantee}, None)
        return removed

    @staticmethod
    def _may_grant(grantor: str, account: Account | None) -> None:
        if account is None or account.role is Role.ADMIN:
            return
        if account.role is Role.EDITOR and account.tenant == grantor:
            return
        raise Forbidden("Freigaben darf nur die Administration oder die Redaktion der "
                        "freigebenden Kommune anlegen.",
                        message_en="Only an admin or an editor of the granting municipality "
                        "may manage grants.")

    def access_grants(self) -> pd.DataFrame:
        return self.store.auth.grants()

    # -- audit -----------------------------------------------------------------------------------
    def record_audit(self, actor: str, action: str, obj: str, before: Any = None,
                     after: Any = None) -> None:
        """Log a change made outside the services' own writes (a web handler's)."""
        with self.store.transaction() as tx:
            tx.auth.add_audit(actor, action, obj, before, after)

    def audit_log(self, *, limit: int = 100, offset: int = 0, actor: str | None = None,
                  action: str | None = None) -> pd.DataFrame:
        """Newest first: id, at, actor, action, object, before and after (JSON text)."""
        return self.store.auth.audit_entries(limit=limit, offset=offset, actor=actor,
                                            action=action)

    # -- tenant scope ------------------------------------------------------------------------------
    def visible_units(self, account: Account | None) -> frozenset[str] | None:
        """The ids of the units ``account`` may read; None for every unit."""
        if account is None or account.role not in TENANT_ROLES:
            return None
        tree = self._unit_children()
        grants = self.access_grants()
        roots = {account.tenant} | set(
            grants.loc[grants["grantee_id"] == account.tenant, "grantor_id"].astype(str))
        out: set[str] = set()
        todo = [r for r in roots if r]
        while todo:
            uid = todo.pop()
            if uid in out:
                continue
            out.add(uid)
            todo.extend(tree.get(uid, ()))
        return frozenset(out)

    def _unit_children(self) -> dict[str, list[str]]:
        version = self.store.data_version()
        cached = self._children_cache
        if cached is not None and cached[0] == version:
            return dict(cached[1])
        children: dict[str, list[str]] = {}
        for uid, parent in self.store.unit_tree().items():
            if parent:
                children.setdefault(parent, []).append(uid)
        self._children_cache = (version, children)
        return children


def _account_summary(account: Account) -> dict[str, Any]:
    return {"name": account.name, "role": account.role.value, "tenant": account.tenant,
            "active": account.active}
