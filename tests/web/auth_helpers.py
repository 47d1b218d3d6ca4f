"""Accounts of the auth tests in the shared web store (created once, idempotent)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.domain.accounts import Role
from kekiz.settings import Settings

PASSWORD = "Test-Passwort-lang-genug-1"
KOELN = "05315000"
BONN = "05314000"
LEVERKUSEN = "05316000"


@dataclass(frozen=True)
class Who:
    key: str
    name: str
    role: Role
    tenant: str | None


ROLES: tuple[Who, ...] = (
    Who("admin", "t-admin", Role.ADMIN, None),
    Who("state", "t-land", Role.STATE, None),
    Who("editor_koeln", "t-koeln-redaktion", Role.EDITOR, KOELN),
    Who("viewer_koeln", "t-koeln-lesen", Role.VIEWER, KOELN),
    Who("viewer_bonn", "t-bonn-lesen", Role.VIEWER, BONN),
    Who("viewer_leverkusen", "t-leverkusen-lesen", Role.VIEWER, LEVERKUSEN),
)


def ensure_accounts(settings: Settings) -> dict[str, str]:
    """The test accounts (created if missing) and one API token each: key -> token."""
    m = Kekiz(settings)
    try:
        known = {a.name for a in m.admin.accounts()}
        tokens = {}
        for who in ROLES:
            if who.name not in known:
                m.admin.create_user(who.name, PASSWORD, who.role, who.tenant, actor="pytest")
            tokens[who.key] = m.admin.create_token(who.name, "pytest", 1, actor="pytest")
        return tokens
    finally:
        m.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from /account)."""
    page = client.get("/login")
    assert page.status_code == 200
    r = client.post("/login", data={"name": name, "password": password,
                                     "csrf_token": csrf_of(page.text), "next": "/account"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    account = client.get("/account")
    assert account.status_code == 200
    return csrf_of(account.text)
