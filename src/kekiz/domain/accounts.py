"""Accounts, roles and tenants of the web application (issue #8, item 3).

* ``admin``: everything, including users, grants and the audit log;
* ``state``: the state office (Landesstelle): reads every unit of every member, with the
  internal columns (who imported, method parameters); writes nothing;
* ``editor``: a municipality's editor: reads its own municipality (the tenant unit and
  everything below it) and the units granted to it; may grant its own unit to others;
* ``viewer``: like the editor, read only;
* ``public``: anonymous; reads published, disclosure-controlled data only.

Suppressed values stay withheld for every role (``web.access.publish``).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from kekiz.domain.errors import KekizError

__all__ = ["TENANT_ROLES", "Account", "AuthFailed", "Conflict", "Forbidden", "ReadScope",
           "Role", "TooManyAttempts", "hash_token"]


class Role(enum.StrEnum):
    ADMIN = "admin"
    STATE = "state"
    EDITOR = "editor"
    VIEWER = "viewer"
    PUBLIC = "public"


#: Roles bound to a tenant unit (and scoped to it).
TENANT_ROLES = frozenset({Role.EDITOR, Role.VIEWER})


@dataclass(frozen=True)
class Account:
    """A stored user (without the password hash)."""

    id: int
    name: str
    role: Role
    tenant: str | None = None
    active: bool = True
    created: datetime | None = None


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a session or API token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReadScope:
    """What a store view reads of the private data (issue #20).

    Public rows (indicators and datasets without ``private_to``) are read by every scope.
    A private row is read when its owner (``private_to``) is one of ``tenants``, or when
    ``state`` is set and the owner lets the state office read it (``private_state``).
    An observation is read when both its indicator and its dataset are.  Every unit is
    read by every scope: outside its own units a municipality's account sees what the
    public sees.  The store applies all of this in SQL.
    """

    tenants: frozenset[str] = frozenset()
    state: bool = False


class AuthFailed(KekizError):
    """Name or password wrong, or the session/token is not (any longer) valid."""

    status = 401


class Forbidden(KekizError):
    """The account's role or tenant does not allow this."""

    status = 403


class TooManyAttempts(KekizError):
    """Login rate limit reached."""

    status = 429


class Conflict(KekizError):
    status = 409
