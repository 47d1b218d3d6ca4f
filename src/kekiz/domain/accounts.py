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
from dataclasses import dataclass
from datetime import datetime

from kekiz.domain.errors import KekizError

__all__ = ["TENANT_ROLES", "Account", "AuthFailed", "Conflict", "Forbidden", "Role",
           "TooManyAttempts"]


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
