"""Login, logout, CSRF, rate limit, API tokens, admin pages and API, grants, audit (#8)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.settings import Settings, load_settings
from kekiz.web import create_app
from tests.web.auth_helpers import (
    BONN,
    KOELN,
    LEVERKUSEN,
    PASSWORD,
    csrf_of,
    ensure_accounts,
    login,
)
from tests.web.conftest import PRIVATE_SHARED


@pytest.fixture(scope="module")
def tokens(web_settings: Settings) -> dict[str, str]:
    return ensure_accounts(web_settings)


@pytest.fixture
def browser(app: FastAPI, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def monitor(web_settings: Settings) -> Iterator[Kekiz]:
    m = Kekiz(web_settings)
    yield m
    m.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_page_german_english_and_labelled(browser: TestClient) -> None:
    de = browser.get("/login")
    assert de.status_code == 200 and "Anmelden" in de.text and "Passwort" in de.text
    for field in ("name", "password"):
        assert f'<label for="{field}">' in de.text and f'id="{field}"' in de.text
    assert 'autocomplete="current-password"' in de.text
    cookie = de.headers["set-cookie"]
    assert "kekiz_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    en = browser.get("/login?lang=en")
    assert "Log in" in en.text and "Password" in en.text and 'lang="en"' in en.text


def test_login_sets_a_strict_httponly_session_and_logout_ends_it(
        browser: TestClient, monitor: Kekiz) -> None:
    assert browser.get("/api/v1/auth/me").json()["role"] == "public"
    page = browser.get("/login")
    r = browser.post("/login", data={"name": "t-koeln-lesen", "password": PASSWORD,
                                      "csrf_token": csrf_of(page.text), "next": "/atlas"},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/atlas"
    cookie = next(c for c in r.headers.get_list("set-cookie") if "kekiz_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    session = browser.cookies["kekiz_session"]
    me = browser.get("/api/v1/auth/me").json()
    assert me == {"name": "t-koeln-lesen", "role": "viewer", "tenant": KOELN, "active": True}
    csrf = csrf_of(browser.get("/account").text)
    # logout without the token is refused and changes nothing
    assert browser.post("/logout", data={}).status_code == 403
    assert browser.get("/api/v1/auth/me").json()["name"] == "t-koeln-lesen"
    r = browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert monitor.admin.session_account(session) is None  # gone from the store
    browser.cookies.set("kekiz_session", session)  # a stolen old cookie is worthless
    assert browser.get("/api/v1/auth/me").json()["role"] == "public"


def test_open_redirect_after_login_is_refused(browser: TestClient) -> None:
    page = browser.get("/login")
    r = browser.post("/login", data={"name": "t-land", "password": PASSWORD,
                                      "csrf_token": csrf_of(page.text),
                                      "next": "//evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_secure_cookie_setting(web_url: str, tokens: dict[str, str]) -> None:
    app = create_app(load_settings({"store": web_url, "secure_cookies": "on"}, environ={}))
    with TestClient(app) as c:
        page = c.get("/login")
        assert "Secure" in page.headers["set-cookie"]


def test_wrong_password_gives_401_in_german_and_no_session(browser: TestClient) -> None:
    page = browser.get("/login")
    r = browser.post("/login", data={"name": "t-land", "password": "falsch-falsch-1",
                                      "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401
    assert "Name oder Passwort ist falsch" in r.text and 'role="alert"' in r.text
    assert "kekiz_session" not in browser.cookies


def test_csrf_is_required_for_every_browser_post(browser: TestClient) -> None:
    page = browser.get("/login")
    form = {"name": "t-land", "password": PASSWORD}
    assert browser.post("/login", data=form).status_code == 403
    r = browser.post("/login", data={**form, "csrf_token": "erfunden"})
    assert r.status_code == 403 and "CSRF" in r.text
    # a form posted from elsewhere has no cookie to match
    with TestClient(browser.app) as other:
        assert other.post("/login", data={**form, "csrf_token": csrf_of(page.text)}
                          ).status_code == 403
    csrf = login(browser, "t-admin")
    body = {"name": "t-csrf-opfer", "password": PASSWORD, "role": "viewer", "tenant": KOELN}
    assert browser.post("/admin/users", data=body).status_code == 403
    assert browser.post("/admin/users", data={**body, "csrf_token": "x" * 43}
                        ).status_code == 403
    assert browser.post("/api/v1/admin/users", json=body).status_code == 403
    assert "t-csrf-opfer" not in browser.get("/admin").text
    # the JSON API with the session cookie needs the header; a bearer token does not
    r = browser.post("/api/v1/auth/tokens", json={"label": "x"},
                     headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


def test_login_rate_limit_429_in_german(app: FastAPI, tokens: dict[str, str]) -> None:
    with TestClient(app) as c:
        for _ in range(5):
            page = c.get("/login")
            r = c.post("/login", data={"name": "t-bonn-lesen", "password": "nein-nein-nein",
                                       "csrf_token": csrf_of(page.text)})
            assert r.status_code == 401
        page = c.get("/login")
        r = c.post("/login", data={"name": "t-bonn-lesen", "password": PASSWORD,
                                   "csrf_token": csrf_of(page.text)})
        assert r.status_code == 429
        assert "Zu viele fehlgeschlagene Anmeldungen" in r.text
        assert "15 Minuten" in r.text
        assert "kekiz_session" not in c.cookies
        # another name from the same address is not blocked
        login(c, "t-leverkusen-lesen")


def test_api_tokens_shown_once_and_work_as_bearer(browser: TestClient,
                                                  monitor: Kekiz) -> None:
    csrf = login(browser, "t-koeln-redaktion")
    page = browser.post("/account/tokens", data={"label": "QGIS", "days": "30",
                                                 "csrf_token": csrf})
    assert page.status_code == 200
    found = re.search(r'<code id="new-token">([^<]+)</code>', page.text)
    assert found
    token = found.group(1)
    assert token not in browser.get("/account").text  # shown once only
    with TestClient(browser.app) as script:
        me = script.get("/api/v1/auth/me", headers=_bearer(token)).json()
        assert me["name"] == "t-koeln-redaktion"
        assert script.get(f"/api/v1/units/{KOELN}", headers=_bearer(token)).status_code == 200
        # outside its own units a tenant's account reads what the public reads (#20)
        bonn = script.get(f"/api/v1/units/{BONN}", headers=_bearer(token))
        assert bonn.status_code == 200
        assert bonn.json() == script.get(f"/api/v1/units/{BONN}").json()
        bad = script.get("/api/v1/levels", headers=_bearer(token + "x"))
        assert bad.status_code == 401 and "API-Token" in bad.json()["description"]
    log = monitor.admin.audit_log(action="token.create", actor="t-koeln-redaktion")
    assert json.loads(log.iloc[0]["after"])["label"] == "QGIS"


def test_admin_pages_and_api(browser: TestClient, tokens: dict[str, str],
                             monitor: Kekiz) -> None:
    r = browser.get("/admin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin"
    for key in ("state", "editor_koeln", "viewer_koeln"):
        assert browser.get("/api/v1/admin/users", headers=_bearer(tokens[key])
                           ).status_code == 403
    csrf = login(browser, "t-admin")
    page = browser.get("/admin")
    assert page.status_code == 200 and "t-koeln-lesen" in page.text
    r = browser.post("/admin/users", data={"name": "t-neu", "password": PASSWORD,
                                           "role": "viewer", "tenant": KOELN,
                                           "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code in (303, 409)
    assert "t-neu" in browser.get("/admin").text
    r = browser.post("/admin/users", data={"name": "t-kurz", "password": "kurz",
                                           "role": "viewer", "tenant": KOELN,
                                           "csrf_token": csrf})
    assert r.status_code == 400 and "zu kurz" in r.text
    users = browser.get("/api/v1/admin/users", headers=_bearer(tokens["admin"])).json()
    assert {"name": "t-neu", "role": "viewer", "tenant": KOELN, "active": True} in users
    r = browser.post("/api/v1/admin/users", headers=_bearer(tokens["admin"]),
                     json={"name": "t-api-land", "password": PASSWORD, "role": "state"})
    assert r.status_code in (201, 409)
    audit = browser.get("/api/v1/admin/audit?action=user.create",
                        headers=_bearer(tokens["admin"])).json()
    entry = next(e for e in audit if e["object"] == "user:t-neu")
    assert entry["actor"] == "t-admin" and entry["before"] is None
    assert json.loads(entry["after"]) == {"name": "t-neu", "role": "viewer",
                                          "tenant": KOELN, "active": True}
    assert "password" not in entry["after"].lower()
    assert "user:t-neu" in browser.get("/admin").text  # the audit log on the page


def test_grants_open_and_close_a_foreign_tenant(browser: TestClient,
                                                tokens: dict[str, str],
                                                monitor: Kekiz) -> None:
    lev = _bearer(tokens["viewer_leverkusen"])
    adm = _bearer(tokens["admin"])
    stadtteil = f"{KOELN}-101"
    leverkusen = monitor.admin.account("t-leverkusen-lesen")
    public = browser.get(f"/api/v1/units/{stadtteil}").json()
    # without a grant Köln is outside Leverkusen's own units: it reads the public view
    assert browser.get(f"/api/v1/units/{stadtteil}", headers=lev).json() == public
    private = f"/api/v1/indicators/{PRIVATE_SHARED}"
    assert browser.get(private, headers=lev).status_code == 404  # Köln's private data
    assert stadtteil not in (monitor.audience(leverkusen).own_units or ())
    r = browser.post("/api/v1/admin/grants", headers=adm,
                     json={"grantor": KOELN, "grantee": LEVERKUSEN})
    assert r.status_code == 201 and r.json()["added"] is True
    try:
        # the grant makes Köln (and everything below it) Leverkusen's own units
        assert {KOELN, stadtteil} <= set(monitor.audience(leverkusen).own_units or ())
        assert browser.get(f"/api/v1/units/{stadtteil}", headers=lev).status_code == 200
        # ... and Köln's private indicators with them (issue #20)
        assert browser.get(private, headers=lev).json()["id"] == PRIVATE_SHARED
        obs = browser.get(f"/api/v1/observations?unit={KOELN}", headers=lev).json()
        assert obs["number_matched"] > 0
        # a viewer may not grant, an editor only its own unit
        csrf = login(browser, "t-koeln-redaktion")
        r = browser.post("/account/grants", data={"grantee": BONN, "csrf_token": csrf},
                         follow_redirects=False)
        assert r.status_code == 303
        bonn_viewer = monitor.admin.account("t-bonn-lesen")
        assert KOELN in (monitor.audience(bonn_viewer).own_units or ())
    finally:
        monitor.admin.revoke_grant(KOELN, LEVERKUSEN, actor="pytest")
        monitor.admin.revoke_grant(KOELN, BONN, actor="pytest")
    assert stadtteil not in (monitor.audience(leverkusen).own_units or ())
    assert browser.get(f"/api/v1/units/{stadtteil}", headers=lev).json() == public
    assert browser.get(private, headers=lev).status_code == 404
    log = monitor.admin.audit_log(action="grant", limit=20)
    assert {"grant.add", "grant.remove"} <= set(log["action"])
    added = log[(log["action"] == "grant.add") & (log["actor"] == "t-koeln-redaktion")]
    assert json.loads(added.iloc[0]["after"]) == {"grantor": KOELN, "grantee": BONN}
