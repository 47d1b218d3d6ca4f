"""The web of a store with only boundaries and indicators (issue #18): menu items of
modules without data are hidden and their pages say what would fill them (never 404 or
422); the atlas opens on the finest level with data; /api/v1 answers with an index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.settings import load_settings
from kekiz.web import create_app
from tests.reporting import test_report_sources as two_cities

EMPTY = {"network": "kekiz import members", "chain": "kekiz chain import",
         "cooperation": "kekiz coop import", "goals": "kekiz goals import",
         "finder": "kekiz chain import"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("berlin") / "berlin.db"
    k = Kekiz(load_settings({"store": f"sqlite:///{path}", "lang": "de"}, environ={}))
    berlin = {"11000000": two_cities.CITIES["11000000"]}
    mp = pytest.MonkeyPatch()
    mp.setattr(two_cities, "CITIES", berlin)
    try:
        two_cities._build(k)
    finally:
        mp.undo()
        k.close()
    with TestClient(create_app(load_settings({"store": f"sqlite:///{path}", "lang": "de"},
                                             environ={}))) as c:
        yield c


def test_menu_hides_modules_without_data(client: TestClient) -> None:
    html = client.get("/").text
    nav = html[html.index("<nav"):html.index("</nav>")]
    assert 'href="/atlas"' in nav and 'href="/sources"' in nav
    for module in EMPTY:
        assert f'href="/{module}"' not in nav, module


@pytest.mark.parametrize("module", sorted(EMPTY))
def test_empty_module_page_says_what_fills_it(client: TestClient, module: str) -> None:
    r = client.get(f"/{module}")
    assert r.status_code == 200, r.text[:300]
    assert "So füllen Sie diese Seite" in r.text and EMPTY[module] in r.text
    en = client.get(f"/{module}?lang=en")
    assert en.status_code == 200 and "To fill this page" in en.text
    client.get("/?lang=de")


def test_atlas_opens_on_the_finest_level_with_data(client: TestClient) -> None:
    html = client.get("/atlas").text
    links = re.findall(r'<a href="/unit/([^"]+)" class="area', html)
    assert sorted(links) == [f"11000000-{i}" for i in range(4)]


def test_api_v1_answers_with_an_index_of_its_resources(client: TestClient) -> None:
    for path in ("/api/v1", "/api/v1/"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(
            "application/json")
        body = r.json()
        hrefs = {link["href"] for link in body["links"]}
        assert {"/api/v1/levels", "/api/v1/units", "/api/v1/indicators",
                "/api/v1/observations", "/api/v1/atlas", "/api/v1/download",
                "/api/openapi.json", "/api/docs"} <= hrefs
        atlas = next(link for link in body["links"] if link["href"] == "/api/v1/atlas")
        assert atlas["title"] == "Atlas als GeoJSON"
    # every listed resource without path parameters answers (no 404)
    for link in r.json()["links"]:
        if link.get("rel") == "item" and not link["templated"] and \
                link["href"] not in ("/api/v1/atlas", "/api/v1/reach", "/api/v1/funding"):
            assert client.get(link["href"]).status_code != 404, link["href"]
