"""Who is asking, and what may leave the server.

Every route reads the current user from the one dependency :func:`current_user`: a
bearer token (``Authorization: Bearer kekiz_...``, for scripts and GIS clients), else
the session cookie of a browser login, else the public role.  What a user may read is
decided in one place below the routes: :func:`kekiz.web.deps.get_pages` hands every
handler the read model for the user's audience, which reads through the publication gate
(:mod:`kekiz.privacy.publish`); a new route that reads through it inherits the gate.

State-changing requests from a browser (every method but GET/HEAD/OPTIONS) pass
:func:`csrf_protect`: a logged-in browser must send its session's CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``), an anonymous one (the login form) the value
of the ``kekiz_csrf`` cookie (double submit).  Requests with a bearer token are exempt:
browsers never add that header on their own.

What a user may see of a value is decided by the publication gate
(:mod:`kekiz.privacy.publish`), never here.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from kekiz.domain.accounts import Account, AuthFailed, Forbidden, Role

__all__ = ["CSRF_COOKIE", "PUBLIC", "SESSION_COOKIE", "Role", "User", "client_address",
           "csrf_protect", "current_user", "require"]

SESSION_COOKIE = "kekiz_session"
CSRF_COOKIE = "kekiz_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    tenant: str | None = None
    id: int | None = None
    #: how the request authenticated: "" (public), "session" or "token"
    via: str = ""
    #: the CSRF token of the session (only for ``via == "session"``)
    csrf: str = ""

    @property
    def account(self) -> Account | None:
        if self.role is Role.PUBLIC:
            return None
        return Account(self.id or 0, self.name, self.role, self.tenant)

    @property
    def logged_in(self) -> bool:
        return self.role is not Role.PUBLIC


PUBLIC = User(name="public", role=Role.PUBLIC)


def _user(account: Account, via: str, csrf: str = "") -> User:
    return User(account.name, account.role, account.tenant, account.id, via, csrf)


def current_user(request: Request) -> User:
    """The user of the current request (a FastAPI dependency).

    A bearer token that is unknown, expired or revoked is an error (401), not the
    public role: a script should learn that its token no longer works."""
    admin: Any = request.app.state.kekiz.admin
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        account = admin.token_account(auth[7:].strip())
        if account is None:
            raise AuthFailed("Ungültiges, abgelaufenes oder widerrufenes API-Token.",
                             message_en="Invalid, expired or revoked API token.")
        return _user(account, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = admin.session_account(cookie)
        if found is not None:
            return _user(found[0], "session", found[1])
    return PUBLIC


def require(*roles: Role) -> Any:
    """A dependency that lets only ``roles`` pass (401 for the public, else 403)."""
    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role in roles:
            return user
        if not user.logged_in:
            raise AuthFailed("Bitte zuerst anmelden (/login).",
                             message_en="Please log in first (/login).")
        raise Forbidden(f"Die Rolle '{user.role}' darf das nicht.",
                        message_en=f"The role '{user.role}' may not do this.")
    return check


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def csrf_protect(request: Request,
                       user: Annotated[User, Depends(current_user)]) -> None:
    """Reject a state-changing browser request without the right CSRF token (403)."""
    if request.method in SAFE_METHODS:
        return
    if user.via == "token":
        return
    expected = user.csrf if user.via == "session" else request.cookies.get(CSRF_COOKIE, "")
    given = request.headers.get("x-csrf-token", "")
    if not given and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else ""
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise Forbidden("Sicherheitsprüfung (CSRF) fehlgeschlagen: Bitte die Seite neu laden "
                        "und das Formular erneut absenden.",
                        message_en="Security check (CSRF) failed: please reload the page and "
                        "submit the form again.")


def new_csrf() -> str:
    return secrets.token_urlsafe(32)
