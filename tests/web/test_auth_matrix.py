"""The role x endpoint matrix (issue #8): every route of the app, every role, a foreign
tenant; no access beyond the rules, and the public never receives a suppressed value.

The routes are enumerated from ``app.routes`` when the test runs, so pages and API routes
added later are checked too.  A route whose path parameter or required query parameter
has no demo value here fails the test (fill :data:`PATH_VALUES` / :data:`QUERY_VALUES`):
nothing is skipped silently.

Rules checked:

* admin pages and ``/api/v1/admin/*``: only the admin (public 401, or 303 to the login
  form for the pages; others 403);
* ``/account``: every logged-in role; the public is sent to the login form (303);
* one rule for scope (issue #20): outside its own units a municipality's account sees
  exactly what the public sees; inside them, what its role allows.  The store holds two
  indicators private to Köln (one the state office may read, one it may not) and the
  classes derived from the first; their ids and names carry :data:`PRIVATE_MARK`.  Every
  GET answer of the Bonn viewer equals the public's answer for the same URL: the same
  status and the same content (JSON, CSV, SVG; for HTML pages the ``<main>`` element,
  since the page header names the logged-in account); the answers of Köln's editor and
  viewers equal the public's wherever they hold no private data of Köln (by name, or
  counted: :data:`COUNTS_PRIVATE`);
* private indicators (issue #20): the public and the Bonn viewer never receive a private
  id, name or value; the state office only the shared one; Köln's accounts see both on
  the indicator list, their observations and Köln's unit pages; the network
  benchmarking, the place search and the family finder hold them for nobody.  Every
  route that takes an indicator is called with each private id: for the public and
  Bonn the answer is exactly that of an indicator that does not exist;
* no response holds the digits of a suppressed value (:data:`SECRET`), for any role;
* the public never receives internal columns (``params``, ``user``, ``user_name``,
  ``file``) nor a server file path of an import;
* no state-changing request is accepted from the public, except the login form (which
  without its CSRF token is refused as well).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.settings import Settings
from tests.web.auth_helpers import BONN, KOELN, ROLES, ensure_accounts, login
from tests.web.conftest import (
    PRIVATE_CLOSED,
    PRIVATE_MARK,
    PRIVATE_NAMES,
    PRIVATE_SHARED,
    SECRET,
    SUPPRESSED_STADTTEIL,
)
from tests.web.routes import walk_routes

pytestmark = pytest.mark.slow  # every endpoint for every role

KOELN_STADTTEIL = SUPPRESSED_STADTTEIL[1]  # 05315000-101, holds a suppressed value
#: unit -> the OGC collection (level) it belongs to
LEVEL_OF = {KOELN: "gemeinde", BONN: "gemeinde", KOELN_STADTTEIL: "stadtteil"}
UNIT_PARAMS = {"unit_id", "feature_id"}
PATH_VALUES = {"indicator_id": "gisd_score", "fmt": "html"}
QUERY_VALUES = {"year": "2021", "level": "gemeinde", "indicator": "gisd_score", "q": "Koeln"}
PRIVATE_KEYS = {"params", "user", "user_name", "file"}
ROLE_KEYS = ("public", *(w.key for w in ROLES if w.key != "viewer_leverkusen"),
             "viewer_koeln_session")
TENANT = {"editor_koeln": KOELN, "viewer_koeln": KOELN, "viewer_koeln_session": KOELN,
          "viewer_bonn": BONN}
OWNERS = {k for k, unit in TENANT.items() if unit == KOELN}
#: who reads which private indicator of Köln
READS = {PRIVATE_SHARED: OWNERS | {"admin", "state"}, PRIVATE_CLOSED: OWNERS | {"admin"}}
#: where the owners must find their private indicator on the sweep of every route
SHOWN_TO_OWNERS = {"/api/v1/indicators", "/api/v1/observations", "/unit/{unit_id}",
                   "/api/v1/units/{unit_id}/profile"}
#: the network benchmarking and the searches: never private data, for any role
NEVER_PRIVATE = ("/network", "/api/v1/reach", "/api/v1/members", "/api/v1/funding",
                 "/api/v1/places", "/finder")
UNKNOWN = "kzprivat_nicht_da"  # an indicator that does not exist
#: answers of Köln's accounts that count Köln's private data without naming it: the number
#: of indicators (home page), of matching values (observations) and the time extent of
#: the Stadtteile (OGC collections, the private values are of 2021)
COUNTS_PRIVATE = {"/", "/api/v1/observations", "/ogcapi/collections"}


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    url: str
    unit: str | None  # the unit the call names, if any


def _calls(app: FastAPI) -> list[Call]:
    out: list[Call] = []
    missing: list[str] = []
    for path, route in walk_routes(list(app.routes)):
        path_names = {p.name for p in route.dependant.path_params}
        query = {p.name: p for p in route.dependant.query_params}
        unit_query = [n for n in query if "unit" in n or "parent" in n]
        required = [n for n, p in query.items() if p.field_info.is_required()]
        for name in path_names - UNIT_PARAMS - {"collection_id"} - set(PATH_VALUES):
            missing.append(f"{path}: path parameter '{name}'")
        for name in set(required) - set(QUERY_VALUES) - set(unit_query):
            missing.append(f"{path}: required query parameter '{name}'")
        named = bool(path_names & UNIT_PARAMS or unit_query)
        units: list[str | None] = [KOELN, KOELN_STADTTEIL, BONN] if named else [None]
        for method in sorted(route.methods - {"HEAD"}):
            for unit in units:
                url = path
                for name in path_names:
                    value = unit if name in UNIT_PARAMS else \
                        LEVEL_OF[unit or KOELN] if name == "collection_id" else \
                        PATH_VALUES.get(name, "")
                    url = url.replace("{" + name + "}", str(value))
                params = [f"{n}={QUERY_VALUES[n]}" for n in required if n in QUERY_VALUES]
                if unit is not None and not path_names & UNIT_PARAMS:
                    params += [f"{n}={unit}" for n in unit_query]
                    if "level" in query and "level" not in required:
                        params.append(f"level={LEVEL_OF[unit]}")
                if params:
                    url += "?" + "&".join(params)
                out.append(Call(method, path, url or "/", unit))
    if missing:
        pytest.fail("no demo value for: " + "; ".join(missing))
    return out


@pytest.fixture(scope="module")
def world(web_settings: Settings) -> dict[str, Any]:
    tokens = ensure_accounts(web_settings)
    m = Kekiz(web_settings)
    try:
        files = sorted({d.file for d in m.store.datasets() if len(d.file) > 8})
    finally:
        m.close()
    return {"tokens": tokens, "files": files}


def _client(app: FastAPI, key: str, world: dict[str, Any]) -> TestClient:
    client = TestClient(app)
    if key == "viewer_koeln_session":
        login(client, next(w.name for w in ROLES if w.key == "viewer_koeln"))
    elif key != "public":
        client.headers["Authorization"] = f"Bearer {world['tokens'][key]}"
    return client


def _private_keys(body: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(body, dict):
        found |= PRIVATE_KEYS & set(body)
        for v in body.values():
            found |= _private_keys(v)
    elif isinstance(body, list):
        for v in body:
            found |= _private_keys(v)
    return found


def _content(r: Any) -> Any:
    """What a reader sees of a response: JSON parsed, the ``<main>`` of an HTML page
    (the header names the logged-in account), the bytes of anything else."""
    kind = r.headers.get("content-type", "")
    if "json" in kind:
        data = json.loads(r.text) if r.text else None
        if isinstance(data, dict):
            data.pop("timeStamp", None)  # OGC API: the time of the answer
        return data
    if "html" in kind:
        found = re.search(r"<main\b.*?</main>", r.text, re.S)
        main = found.group(0) if found else r.text
        return re.sub(r'name="csrf_token" value="[^"]*"', "", main)
    return r.content


@pytest.fixture(scope="module")
def public(app: FastAPI) -> dict[str, tuple[int, Any]]:
    """URL -> (status, content) of every GET call for the public."""
    out: dict[str, tuple[int, Any]] = {}
    with TestClient(app) as client:
        for call in _calls(app):
            if call.method == "GET":
                r = client.get(call.url, follow_redirects=False)
                out[call.url] = (r.status_code, _content(r))
    return out


@pytest.mark.parametrize("key", ROLE_KEYS)
def test_role_endpoint_matrix(app: FastAPI, world: dict[str, Any], key: str,
                              public: dict[str, tuple[int, Any]]) -> None:
    calls = _calls(app)
    assert len({c.template for c in calls}) > 30
    problems: list[str] = []
    shown: set[str] = set()  # templates whose answer holds private data of Köln
    logged_in = key != "public"
    with _client(app, key, world) as client:
        for call in calls:
            if call.method != "GET":
                r = client.request(call.method, call.url, data={})
                if not logged_in and r.status_code not in (401, 403):
                    problems.append(f"public {call.method} {call.url}: {r.status_code}")
                if call.template.startswith(("/admin", "/api/v1/admin")) and \
                        key != "admin" and r.status_code not in (401, 403):
                    problems.append(f"{key} {call.method} {call.url}: {r.status_code}")
                continue
            r = client.get(call.url, follow_redirects=False)
            body = r.text
            status = r.status_code
            where = f"{key} GET {call.url}"
            if call.template in ("/admin", "/account") and not logged_in:
                expected = 303  # the pages send the public to the login form
            elif call.template.startswith(("/admin", "/api/v1/admin")):
                expected = 200 if key == "admin" else 403 if logged_in else 401
            elif call.template.startswith("/account"):
                expected = 200 if logged_in else 401
            elif call.template == "/login":
                expected = 303 if logged_in else 200
            else:
                expected = public[call.url][0]
                unit_in_query = call.unit is not None and f"={call.unit}" in call.url
                if expected != 200 and not (unit_in_query and expected in (400, 422)):
                    problems.append(f"public GET {call.url}: status {expected}")
            if status != expected:
                problems.append(f"{where}: status {status}, expected {expected}: "
                                f"{body[:200]}")
            if SECRET in body:
                problems.append(f"{where}: the suppressed value's digits appear")
            private = _private_data(body, key)
            problems += [f"{where}: {p}" for p in private]
            if PRIVATE_MARK in body:
                shown.add(call.template)
                if call.template.startswith(NEVER_PRIVATE):
                    problems.append(f"{where}: private data in the benchmarking or search")
            if key in TENANT and expected == public[call.url][0] and \
                    not call.template.startswith("/api/v1/auth") and \
                    not (key in OWNERS and (PRIVATE_MARK in body or
                                            call.template in COUNTS_PRIVATE)) and \
                    _content(r) != public[call.url][1]:
                problems.append(f"{where}: differs from what the public sees")
            if key not in ("admin", "state"):  # internal columns: administration only
                for f in world["files"]:
                    if f in body:
                        problems.append(f"{where}: server file path {f} published")
                if "json" in r.headers.get("content-type", ""):
                    keys = _private_keys(json.loads(body)) if body else set()
                    if keys:
                        problems.append(f"{where}: internal columns {sorted(keys)}")
    if key in OWNERS and not shown >= SHOWN_TO_OWNERS:
        problems.append(f"{key}: private indicator missing on "
                        f"{sorted(SHOWN_TO_OWNERS - shown)}")
    if key in READS[PRIVATE_SHARED] and "/api/v1/indicators" not in shown:
        problems.append(f"{key}: the shared private indicator is not listed")
    assert not problems, f"{len(problems)} violations:\n" + "\n".join(
        p.replace("\n", " ")[:300] for p in problems[:60])


def _private_data(body: str, key: str) -> list[str]:
    """The private indicators of Köln in ``body`` that ``key`` may not read."""
    found = []
    for ind, name in ((PRIVATE_SHARED, PRIVATE_NAMES[0]), (PRIVATE_CLOSED, PRIVATE_NAMES[1])):
        if key not in READS[ind] and (ind in body or name in body):
            found.append(f"private indicator {ind} published")
    if key not in READS[PRIVATE_SHARED] and PRIVATE_MARK in body and not found:
        found.append("private data of Köln published")
    return found


def _indicator_urls(app: FastAPI, indicator: str) -> dict[str, str]:
    """Every route that takes an indicator, called for ``indicator`` on Köln's
    Stadtteile: template -> URL."""
    out: dict[str, str] = {}
    for path, route in walk_routes(list(app.routes)):
        if "GET" not in route.methods:
            continue
        names = {p.name for p in route.dependant.path_params}
        query = {p.name for p in route.dependant.query_params}
        if "indicator_id" not in names and "indicator" not in query:
            continue
        params = {"indicator": indicator, "level": "stadtteil", "period": "2021",
                  "unit": KOELN_STADTTEIL, "format": "csv"}
        chosen = [f"{n}={v}" for n, v in params.items() if n in query]
        url = path.replace("{indicator_id}", indicator)
        out[path] = url + ("?" + "&".join(chosen) if chosen else "")
    return out


@pytest.mark.parametrize("key", ROLE_KEYS)
def test_private_indicator_routes(app: FastAPI, world: dict[str, Any], key: str) -> None:
    """Each route that takes an indicator, with each private id: those who may read it
    get it (status 200); everyone else gets exactly the answer of an unknown id."""
    assert len(_indicator_urls(app, UNKNOWN)) >= 6
    problems: list[str] = []
    with _client(app, key, world) as client:
        for ind in (PRIVATE_SHARED, PRIVATE_CLOSED):
            unknown = _indicator_urls(app, UNKNOWN)
            for template, url in _indicator_urls(app, ind).items():
                r = client.get(url, follow_redirects=False)
                other = client.get(unknown[template], follow_redirects=False)
                same = r.status_code == other.status_code and \
                    _content(r) == _content_as(other, UNKNOWN, ind)
                if key in READS[ind]:
                    if r.status_code != 200 or same:
                        problems.append(f"{key} GET {url}: {r.status_code}, not shown")
                elif not same:
                    problems.append(f"{key} GET {url}: {r.status_code}, differs from an "
                                    f"unknown indicator: {r.text[:150]}")
    assert not problems, "\n".join(problems)


def _content_as(r: Any, old: str, new: str) -> Any:
    """The content of ``r`` with the id ``old`` read as ``new``."""
    content = _content(r)
    if isinstance(content, bytes):
        return content.replace(old.encode(), new.encode())
    return json.loads(json.dumps(content).replace(old, new)) if not isinstance(
        content, str) else content.replace(old, new)
