"""``/api/v1/map`` (areas simplified per zoom) and ``/api/v1/places`` (place search)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape

from kekiz.app import Kekiz
from kekiz.domain.errors import ValidationReport
from kekiz.ingest.streets import read_street_directory
from kekiz.services.views.places import directory_streets
from kekiz.settings import Settings
from kekiz.web.api_map import ZOOMS, tolerance, zoom_bucket
from tests.web.auth_helpers import ensure_accounts


def test_zoom_buckets_and_tolerance() -> None:
    assert ZOOMS == (4, 6, 8, 10, 12, 14, 16)
    assert [zoom_bucket(z) for z in (0, 4, 5.9, 6, 7.5, 11, 14.2, 16, 22)] == \
        [4, 4, 4, 6, 6, 10, 14, 16, 16]
    # half a pixel at zoom 8 on the equator: 0.5 * 360 / (256 * 2**8) = 0.00274658203125
    assert tolerance(8, 0.0) == pytest.approx(0.00274658203125, rel=1e-12)
    # at 60° north a pixel spans half as many degrees of latitude: cos(60°) = 0.5
    assert tolerance(8, 60.0) == pytest.approx(0.00137329101562, rel=1e-9)


def _layer(client: TestClient, level: str, zoom: float) -> dict[str, Any]:
    r = client.get(f"/api/v1/map?level={level}&zoom={zoom}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    body: dict[str, Any] = r.json()
    return body


def _coordinates(layer: dict[str, Any]) -> int:
    return sum(len(ring) for f in layer["features"] if f["geometry"]
               for polygon in f["geometry"]["coordinates"] for ring in polygon)


def test_map_layer_is_simplified_within_half_a_pixel(client: TestClient,
                                                     web_settings: Settings) -> None:
    m = Kekiz(web_settings)
    try:
        shapes = m.pages().level_shapes("gemeinde")
        original = dict(zip(shapes["id"].astype(str), shapes["geometry"], strict=True))
    finally:
        m.close()
    coarse, fine = _layer(client, "gemeinde", 6.3), _layer(client, "gemeinde", 16)
    assert (coarse["zoom"], fine["zoom"]) == (6, 16)
    assert len(coarse["features"]) == len(fine["features"]) == 396
    assert _coordinates(coarse) < 0.8 * _coordinates(fine)
    # the tolerance is half a pixel; Douglas-Peucker on closed rings (the ring's start
    # may go too) and the rounding of the coordinates add to it, but every simplified
    # border stays within one pixel (two tolerances) of the true one
    tol = coarse["tolerance"]
    assert tol == pytest.approx(tolerance(6, sum(coarse["bbox"][1::2]) / 2))
    worst = max(shapely.hausdorff_distance(shape(f["geometry"]), original[f["id"]])
                for f in coarse["features"])
    assert 0 < worst <= 2 * tol
    for f in coarse["features"]:
        props = f["properties"]
        assert set(props) == {"id", "name", "parent_id", "label"}
        # the label point lies inside the area, the box around it
        assert original[f["id"]].contains(Point(props["label"])), props["name"]
        x0, y0, x1, y1 = f["bbox"]
        assert x0 <= props["label"][0] <= x1 and y0 <= props["label"][1] <= y1
    koeln = next(f for f in fine["features"] if f["id"] == "05315000")
    assert koeln["properties"]["name"] == "Köln"


@pytest.mark.parametrize("zoom", [6, 8, 10, 12, 14, 16])
def test_every_bucket_of_the_districts_stays_within_a_pixel(client: TestClient,
                                                            web_settings: Settings,
                                                            zoom: int) -> None:
    m = Kekiz(web_settings)
    try:
        shapes = m.pages().level_shapes("stadtteil")
        original = dict(zip(shapes["id"].astype(str), shapes["geometry"], strict=True))
    finally:
        m.close()
    layer = _layer(client, "stadtteil", zoom)
    assert len(layer["features"]) == 86
    for f in layer["features"]:
        assert f["geometry"] is not None, f["id"]  # no district vanishes from zoom 6 on
        distance = shapely.hausdorff_distance(shape(f["geometry"]), original[f["id"]])
        assert distance <= 2 * layer["tolerance"], (f["id"], distance, layer["tolerance"])


def test_map_layer_etag_and_errors(client: TestClient) -> None:
    first = client.get("/api/v1/map?level=stadtteil&zoom=12")
    again = client.get("/api/v1/map?level=stadtteil&zoom=13",  # same bucket
                       headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/api/v1/map?level=stadtteil&zoom=14",
                      headers={"If-None-Match": first.headers["etag"]}).status_code == 200
    unknown = client.get("/api/v1/map?level=atlantis")
    assert unknown.status_code == 404
    assert "Bekannt: " in unknown.json()["description"]
    assert client.get("/api/v1/map?level=stadtteil&zoom=-1").status_code == 422
    assert client.get("/api/v1/map").status_code == 422


def _places(client: TestClient, query: str, **params: str) -> list[dict[str, Any]]:
    r = client.get("/api/v1/places", params={"q": query, **params})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_place_search_finds_chorweiler_with_box_and_centre(client: TestClient) -> None:
    found = _places(client, "chorweiler")
    # Chorweiler is a Stadtbezirk of Köln and a Stadtteil of that Stadtbezirk
    assert [(p["name"], p["kind"], p["context"]) for p in found] == [
        ("Chorweiler", "stadtbezirk", "Köln"), ("Chorweiler", "stadtteil", "Chorweiler")]
    district = found[1]
    assert district["id"] == "05315000-609"
    assert district["kind_name"] == "Stadtteil"
    x0, y0, x1, y1 = district["bbox"]
    lon, lat = district["centre"]
    assert x0 < lon < x1 and y0 < lat < y1
    # north-west Köln: within the city's box, north of the cathedral (50.94 N)
    assert 6.77 < lon < 7.17 and 50.94 < lat < 51.09
    # the level the map shows comes first
    assert _places(client, "Chorweiler", level="stadtteil")[0]["kind"] == "stadtteil"


def test_place_search_spellings_and_language(client: TestClient,
                                             fresh_client: TestClient) -> None:
    assert [p["kind"] for p in _places(client, "KOELN")] == ["kreis", "gemeinde"]
    assert _places(client, "neustadt sued")[0]["name"] == "Neustadt/Süd"
    # (a client of its own: ?lang= is remembered in a cookie)
    assert _places(fresh_client, "Neustadt/Sud", lang="en")[0]["kind_name"] == "city quarter"
    assert _places(client, "qqqq") == []
    assert len(_places(client, "a", limit="3")) == 3
    assert client.get("/api/v1/places?q=").status_code == 422


def test_a_tenant_finds_what_the_public_finds(app: FastAPI, client: TestClient,
                                              web_settings: Settings) -> None:
    """One rule for scope (issue #20): outside its own units a tenant's account reads what
    the public reads, places and map areas included."""
    tokens = ensure_accounts(web_settings)
    with TestClient(app) as bonn:
        bonn.headers["Authorization"] = f"Bearer {tokens['viewer_bonn']}"
        assert _places(bonn, "Chorweiler") == _places(client, "Chorweiler") != []
        assert _places(bonn, "Bonn") == _places(client, "Bonn")
        layer = bonn.get("/api/v1/map?level=gemeinde").json()
        public = client.get("/api/v1/map?level=gemeinde").json()
        assert [f["id"] for f in layer["features"]] == [f["id"] for f in public["features"]]
        assert len(layer["features"]) == 396


@pytest.fixture
def with_streets(app: FastAPI, tmp_path: Path) -> Iterator[None]:
    """A street directory of two Köln districts plugged into the application."""
    path = tmp_path / "strassen.csv"
    path.write_text("strasse;hausnummer_von;hausnummer_bis;seite;plz;gebiet\n"
                    "Aachener Straße;1;99;ungerade;50674;101\n"
                    "Aachener Straße;2;98;gerade;50674;102\n"
                    "Bonner Straße;;;alle;;102\n", encoding="utf-8")
    keys = ["101", "102"]
    report = ValidationReport(str(path))
    directory = read_street_directory(path, report, keys.index)
    assert directory is not None, report.render()
    pairs = directory_streets(directory, ["05315000-101", "05315000-102"])
    app.state.streets = lambda: pairs
    try:
        yield
    finally:
        del app.state.streets


@pytest.mark.usefixtures("with_streets")
def test_streets_of_a_plugged_in_directory_are_found(client: TestClient) -> None:
    found = _places(client, "aachener str")
    assert [(p["name"], p["kind"]) for p in found] == [("Aachener Straße", "street")]
    street = found[0]
    assert street["units"] == ["05315000-101", "05315000-102"]
    assert street["context"] == "Altstadt/Süd, Neustadt/Süd"
    units = {p["id"]: p for p in _places(client, "stadt/s", limit="50")}
    a, b = units["05315000-101"]["bbox"], units["05315000-102"]["bbox"]
    assert street["bbox"] == [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                              max(a[3], b[3])]
    # streets come after units of the same quality of match
    bonn = _places(client, "Bonner")
    assert [p["kind"] for p in bonn] == ["street"]
    assert [p["kind"] for p in _places(client, "Bonn")][-1] == "street"
