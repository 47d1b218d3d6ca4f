"""Login, logout, the account page (API tokens, grants) and the admin pages and API.

Browser forms carry a CSRF token (checked centrally by :func:`access.csrf_protect`); the
session cookie is HttpOnly, SameSite=Strict and Secure behind https (setting
``secure_cookies``: ``auto`` follows the request scheme, ``on`` always, ``off`` never).
Every change here is written to the audit log by the accounts service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from kekiz.domain.accounts import AuthFailed, Forbidden, Role, TooManyAttempts
from kekiz.domain.errors import KekizError
from kekiz.i18n import Translator
from kekiz.services.admin import AdminService
from kekiz.services.views.common import records
from kekiz.web.access import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    User,
    client_address,
    current_user,
    new_csrf,
    require,
)
from kekiz.web.deps import Lang, render

__all__ = ["api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["Konten / accounts"])
Admin = Annotated[User, Depends(require(Role.ADMIN))]
LoggedIn = Annotated[User, Depends(require(Role.ADMIN, Role.STATE, Role.EDITOR, Role.VIEWER))]
AnyUser = Annotated[User, Depends(current_user)]
ROLE_NAMES = {"admin": ("Administration", "administrator"),
              "state": ("Landesstelle", "state office"),
              "editor": ("Redaktion einer Kommune", "municipality editor"),
              "viewer": ("Lesezugriff einer Kommune", "municipality viewer")}


def _admin(request: Request) -> AdminService:
    """The accounts service of the application (accounts are not unit data)."""
    admin: AdminService = request.app.state.kekiz.admin
    return admin


def _secure(request: Request) -> bool:
    mode = str(getattr(request.app.state.settings, "secure_cookies", "auto")).lower()
    if mode in ("on", "true", "1", "yes"):
        return True
    if mode in ("off", "false", "0", "no"):
        return False
    return request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_page(request: Request, lang: str, *, message: str = "", status: int = 200,
                name: str = "", target: str = "/") -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or new_csrf()
    response = render(request, "login.html", lang, {
        "csrf": token, "message": message, "name": name, "next": _safe_next(target)},
        status_code=status)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: AnyUser, lang: Lang,
               next: Annotated[str | None, Query()] = None) -> Response:
    if user.logged_in:
        return RedirectResponse("/account", status_code=303)
    return _login_page(request, lang, target=next or "/")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, user: AnyUser, lang: Lang,
          name: Annotated[str, Form(max_length=100)],
          password: Annotated[str, Form(max_length=1000)],
          next: Annotated[str, Form()] = "/") -> Response:
    try:
        session = _admin(request).login(name, password, client_address(request))
    except (AuthFailed, TooManyAttempts) as exc:
        return _login_page(request, lang, message=exc.text(lang), status=exc.status,
                           name=name, target=next)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/", max_age=12 * 3600)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, user: AnyUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and user.via == "session":
        _admin(request).logout(token, user.name)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _account_page(request: Request, user: User, lang: str, *, new_token: str = "",
                  message: str = "", status: int = 200) -> HTMLResponse:
    m = _admin(request)
    t = Translator(lang)
    tokens = records(m.api_tokens(user.name))
    grants = m.access_grants()
    mine = grants[(grants["grantor_id"] == user.tenant) | (grants["grantee_id"] == user.tenant)] \
        if user.tenant else grants.iloc[0:0]
    response = render(request, "account.html", lang, {
        "user": user, "role_name": t.pick(*ROLE_NAMES.get(user.role.value, ("", ""))),
        "csrf": user.csrf, "tokens": tokens, "grants": records(mine), "new_token": new_token,
        "message": message, "may_grant": user.role is Role.EDITOR}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _to_login(target: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={target}", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, user: AnyUser, lang: Lang) -> Response:
    if not user.logged_in:
        return _to_login("/account")
    return _account_page(request, user, lang)


@router.post("/account/tokens", response_class=HTMLResponse)
def account_token(request: Request, user: LoggedIn, lang: Lang,
                  label: Annotated[str, Form(max_length=200)] = "",
                  days: Annotated[int, Form(ge=1, le=3650)] = 365) -> HTMLResponse:
    token = _admin(request).create_token(user.name, label, days, actor=user.name)
    return _account_page(request, user, lang, new_token=token)


@router.post("/account/grants", response_class=HTMLResponse)
def account_grant(request: Request, user: LoggedIn, lang: Lang,
                  grantee: Annotated[str, Form(max_length=64)]) -> Response:
    try:
        _admin(request).grant(user.tenant or "", grantee, actor=user.name,
                                account=user.account)
    except KekizError as exc:
        return _account_page(request, user, lang, message=exc.text(lang), status=exc.status)
    return RedirectResponse("/account", status_code=303)


def _admin_page(request: Request, user: User, lang: str, *, message: str = "",
                status: int = 200) -> HTMLResponse:
    m = _admin(request)
    audit = m.audit_log(limit=200)
    response = render(request, "admin.html", lang, {
        "user": user, "csrf": user.csrf, "accounts": m.accounts(),
        "grants": records(m.access_grants()), "audit": records(audit), "message": message,
        "roles": [(k, v) for k, v in ROLE_NAMES.items()]}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, user: AnyUser, lang: Lang) -> Response:
    if not user.logged_in:
        return _to_login("/admin")
    if user.role is not Role.ADMIN:
        raise Forbidden("Diese Seite ist der Administration vorbehalten.",
                        message_en="This page is for administrators only.")
    return _admin_page(request, user, lang)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_create_user(request: Request, user: Admin, lang: Lang,
                      name: Annotated[str, Form(max_length=100)],
                      password: Annotated[str, Form(max_length=1000)],
                      role: Annotated[str, Form(max_length=16)],
                      tenant: Annotated[str, Form(max_length=64)] = "") -> Response:
    try:
        _admin(request).create_user(name, password, role, tenant or None, actor=user.name)
    except KekizError as exc:
        return _admin_page(request, user, lang, message=exc.text(lang), status=exc.status)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/grants", response_class=HTMLResponse)
def admin_grant(request: Request, user: Admin, lang: Lang,
                grantor: Annotated[str, Form(max_length=64)],
                grantee: Annotated[str, Form(max_length=64)],
                revoke: Annotated[str, Form()] = "") -> Response:
    m = _admin(request)
    try:
        if revoke:
            m.revoke_grant(grantor, grantee, actor=user.name, account=user.account)
        else:
            m.grant(grantor, grantee, actor=user.name, account=user.account)
    except KekizError as exc:
        return _admin_page(request, user, lang, message=exc.text(lang), status=exc.status)
    return RedirectResponse("/admin", status_code=303)


# -- JSON API ----------------------------------------------------------------------------------
class AccountOut(BaseModel):
    name: str
    role: str
    tenant: str | None = None
    active: bool = True


class NewUser(BaseModel):
    name: str = Field(max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    role: str = Field(description="admin, state, editor, viewer")
    tenant: str | None = Field(None, description="Gebietsschlüssel der Kommune / unit id")


class NewGrant(BaseModel):
    grantor: str = Field(description="freigebende Einheit / granting unit")
    grantee: str = Field(description="empfangende Einheit / receiving unit")


class NewToken(BaseModel):
    label: str = Field("", max_length=200)
    days: int = Field(365, ge=1, le=3650)
    user: str | None = Field(None, description="nur Administration: für wen / admin only")


class TokenOut(BaseModel):
    token: str = Field(description="nur jetzt sichtbar / shown only now")
    user: str


@api_router.get("/auth/me", response_model=AccountOut, summary="Wer bin ich? / who am I?")
def me(user: AnyUser) -> AccountOut:
    return AccountOut(name=user.name, role=user.role.value, tenant=user.tenant)


@api_router.post("/auth/tokens", response_model=TokenOut, status_code=201,
                 summary="API-Token erzeugen / create an API token")
def api_token(request: Request, body: NewToken, user: LoggedIn) -> TokenOut:
    target = body.user or user.name
    if target != user.name and user.role is not Role.ADMIN:
        raise Forbidden("Nur die Administration erzeugt Tokens für andere.",
                        message_en="Only an admin creates tokens for others.")
    token = _admin(request).create_token(target, body.label, body.days, actor=user.name)
    return TokenOut(token=token, user=target)


@api_router.get("/admin/users", response_model=list[AccountOut],
                summary="Benutzer / users (admin)")
def api_users(request: Request, user: Admin) -> list[AccountOut]:
    return [AccountOut(name=a.name, role=a.role.value, tenant=a.tenant, active=a.active)
            for a in _admin(request).accounts()]


@api_router.post("/admin/users", response_model=AccountOut, status_code=201,
                 summary="Benutzer anlegen / create a user (admin)")
def api_create_user(request: Request, body: NewUser, user: Admin) -> AccountOut:
    a = _admin(request).create_user(body.name, body.password, body.role, body.tenant,
                                      actor=user.name)
    return AccountOut(name=a.name, role=a.role.value, tenant=a.tenant, active=a.active)


@api_router.get("/admin/grants", summary="Freigaben / access grants (admin)")
def api_grants(request: Request, user: Admin) -> list[dict[str, Any]]:
    return records(_admin(request).access_grants())


@api_router.post("/admin/grants", status_code=201,
                 summary="Freigabe anlegen / grant access (admin)")
def api_grant(request: Request, body: NewGrant, user: Admin) -> dict[str, Any]:
    added = _admin(request).grant(body.grantor, body.grantee, actor=user.name,
                                    account=user.account)
    return {"grantor": body.grantor, "grantee": body.grantee, "added": added}


@api_router.get("/admin/audit", summary="Protokoll / audit log (admin)")
def api_audit(request: Request, user: Admin,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0)] = 0,
              actor: Annotated[str | None, Query(max_length=100)] = None,
              action: Annotated[str | None, Query(max_length=64)] = None
              ) -> list[dict[str, Any]]:
    return records(_admin(request).audit_log(limit=limit, offset=offset, actor=actor,
                                               action=action))
