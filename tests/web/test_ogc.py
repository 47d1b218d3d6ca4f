"""OGC API - Features - Part 1: Core: the requirements that a client relies on."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import SECRET
from tests.web.test_pages import check_headers

GEOJSON = "application/geo+json"


def links(doc: dict, rel: str) -> list[dict]:
    return [link for link in doc["links"] if link["rel"] == rel]


def test_landing_page(client: TestClient) -> None:
    r = client.get("/ogcapi")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    assert doc["title"]
    for rel in ("self", "alternate", "service-desc", "conformance", "data"):
        assert links(doc, rel), rel
    desc = links(doc, "service-desc")[0]
    assert desc["href"].endswith("/api/openapi.json")
    assert client.get(desc["href"]).status_code == 200
    check_headers(r.headers)


def test_html_by_accept_header_and_f(client: TestClient) -> None:
    r = client.get("/ogcapi", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.headers["content-type"].startswith("text/html")
    r = client.get("/ogcapi?f=json", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("application/json")
    assert client.get("/ogcapi?f=xml").status_code == 400


def test_conformance(client: TestClient) -> None:
    classes = client.get("/ogcapi/conformance").json()["conformsTo"]
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {base + "core", base + "geojson", base + "html"} <= set(classes)


def test_collections_one_per_level(client: TestClient) -> None:
    doc = client.get("/ogcapi/collections").json()
    ids = [c["id"] for c in doc["collections"]]
    assert ids == ["kreis", "gemeinde", "stadtbezirk", "stadtteil"]
    gem = doc["collections"][1]
    bbox = gem["extent"]["spatial"]["bbox"][0]
    assert 5.8 < bbox[0] < 6 and 52.5 < bbox[3] < 52.6
    assert gem["extent"]["spatial"]["crs"].endswith("/OGC/1.3/CRS84")
    assert gem["extent"]["temporal"]["interval"] == [["1998-01-01T00:00:00Z",
                                                      "2022-12-31T23:59:59Z"]]
    assert gem["itemType"] == "feature"
    items = [link for link in gem["links"] if link["rel"] == "items"]
    assert {link["type"] for link in items} == {GEOJSON, "text/html"}
    one = client.get("/ogcapi/collections/gemeinde").json()
    assert one["id"] == "gemeinde" and links(one, "self")
    assert client.get("/ogcapi/collections/mond").status_code == 404


def test_items_paging_with_links_and_counts(client: TestClient) -> None:
    r = client.get("/ogcapi/collections/gemeinde/items?limit=100&offset=0")
    assert r.status_code == 200 and r.headers["content-type"].startswith(GEOJSON)
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    assert fc["numberMatched"] == 396 and fc["numberReturned"] == 100
    assert len(fc["features"]) == 100 and "timeStamp" in fc
    assert not links(fc, "prev")
    seen = [f["id"] for f in fc["features"]]
    nxt = links(fc, "next")[0]["href"]
    while nxt:
        page = client.get(nxt).json()
        seen += [f["id"] for f in page["features"]]
        assert links(page, "prev")
        found = links(page, "next")
        nxt = found[0]["href"] if found else ""
    assert len(seen) == len(set(seen)) == 396
    last = client.get("/ogcapi/collections/gemeinde/items?limit=100&offset=300").json()
    assert last["numberReturned"] == 96 and not links(last, "next")


def test_items_default_limit_and_feature_shape(client: TestClient) -> None:
    fc = client.get("/ogcapi/collections/stadtteil/items").json()
    assert fc["numberReturned"] == 10
    f = fc["features"][0]
    assert f["type"] == "Feature" and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    props = f["properties"]
    assert {"name", "parent_id", "einwohner", "einwohner_period", "einwohner_status"} \
        <= set(props)
    # the same property keys on every feature (a stable schema for GIS clients)
    assert len({tuple(sorted(x["properties"])) for x in fc["features"]}) == 1
    lon, lat = f["geometry"]["coordinates"][0][0][:2]
    assert 6.7 < lon < 7.2 and 50.8 < lat < 51.1  # CRS84: longitude first


def test_items_bbox(client: TestClient) -> None:
    fc = client.get("/ogcapi/collections/gemeinde/items?bbox=6.9,50.9,7.0,51.0&limit=50"
                    ).json()
    ids = {f["id"] for f in fc["features"]}
    assert "05315000" in ids and 0 < fc["numberMatched"] < 20
    assert client.get("/ogcapi/collections/gemeinde/items?bbox=1,2,3").status_code == 400
    assert client.get("/ogcapi/collections/gemeinde/items?bbox=a,b,c,d").status_code == 400
    assert client.get("/ogcapi/collections/gemeinde/items?bbox=0,95,1,96").status_code == 400
    six = client.get("/ogcapi/collections/gemeinde/items?bbox=6.9,50.9,0,7.0,51.0,10")
    assert six.status_code == 200 and six.json()["numberMatched"] == fc["numberMatched"]


def test_items_datetime_filters_the_periods(client: TestClient) -> None:
    url = "/ogcapi/collections/gemeinde/items/05111000"
    latest = client.get(url).json()["properties"]
    assert latest["gisd_score_period"] == "2021"
    p2010 = client.get(url + "?datetime=2010-06-30T00:00:00Z").json()["properties"]
    assert p2010["gisd_score_period"] == "2010" and p2010["kinderarmut"] is None
    span = client.get(url + "?datetime=2005/2012").json()["properties"]
    assert span["gisd_score_period"] == "2012"
    open_end = client.get(url + "?datetime=../2003").json()["properties"]
    assert open_end["gisd_score_period"] == "2003"
    fc = client.get("/ogcapi/collections/gemeinde/items?datetime=2015&limit=3").json()
    assert all(f["properties"]["gisd_score_period"] == "2015" for f in fc["features"])
    assert client.get(url + "?datetime=gestern").status_code == 400
    assert client.get(url + "?datetime=2015/2010").status_code == 400


def test_items_limits_and_unknown_parameters(client: TestClient) -> None:
    base = "/ogcapi/collections/gemeinde/items"
    assert client.get(f"{base}?limit=0").status_code == 400
    assert client.get(f"{base}?limit=10001").status_code == 400
    assert client.get(f"{base}?offset=-1").status_code == 400
    r = client.get(f"{base}?farbe=blau")
    assert r.status_code == 400 and "farbe" in r.json()["description"]
    assert client.get(f"{base}?offset=5000").json()["numberReturned"] == 0


def test_single_feature(client: TestClient) -> None:
    r = client.get("/ogcapi/collections/gemeinde/items/05315000")
    assert r.headers["content-type"].startswith(GEOJSON)
    f = r.json()
    assert f["id"] == "05315000" and f["properties"]["name"] == "Köln"
    assert links(f, "self") and links(f, "collection")
    # Köln's GISD 2021 is withheld: null value, status suppressed
    assert f["properties"]["gisd_score"] is None
    assert f["properties"]["gisd_score_status"] == "suppressed"
    assert SECRET not in r.text
    assert client.get("/ogcapi/collections/gemeinde/items/05315").status_code == 404
    assert client.get("/ogcapi/collections/kreis/items/05315").status_code == 200


@pytest.mark.parametrize("path", ["", "/conformance", "/collections", "/collections/kreis",
                                  "/collections/kreis/items",
                                  "/collections/kreis/items/05315"])
def test_every_ogc_resource_has_html(client: TestClient, path: str) -> None:
    r = client.get(f"/ogcapi{path}?f=html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
