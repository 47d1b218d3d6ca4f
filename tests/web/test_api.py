"""REST API /api/v1: every route, published values only, downloads, OpenAPI."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pyogrio
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import REASON_DE, REASON_EN, SECRET
from tests.web.test_pages import check_headers

ROUTES = [
    "/api/v1/levels",
    "/api/v1/units",
    "/api/v1/units?level=stadtteil&parent=05315000-1",
    "/api/v1/units/05315000-101",
    "/api/v1/units/05315000-101/profile",
    "/api/v1/indicators",
    "/api/v1/indicators/gisd_score",
    "/api/v1/observations?indicator=gisd_score&level=kreis&period=2021",
    "/api/v1/datasets",
    "/api/v1/members",
    "/api/v1/members?programme=kinderstark",
    "/api/v1/reach?year=2017",
    "/api/v1/funding?year=2017",
    "/api/v1/atlas?level=kreis&indicator=gisd_score",
    "/api/v1/download?format=csv&indicator=gisd_score&level=kreis",
    "/api/v1/health",
]


@pytest.mark.parametrize("url", ROUTES)
def test_route_answers_with_headers_and_no_secret(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    check_headers(r.headers)
    assert SECRET not in r.text


def test_levels_and_units(client: TestClient) -> None:
    levels = {lv["id"]: lv for lv in client.get("/api/v1/levels").json()}
    assert levels["gemeinde"]["units"] == 396 and levels["stadtteil"]["units"] == 86
    assert levels["kreis"]["name"] == "Kreis / kreisfreie Stadt"
    en = client.get("/api/v1/levels?lang=en").json()
    assert {lv["id"]: lv["name"] for lv in en}["gemeinde"] == "municipality"
    client.get("/?lang=de")
    page = client.get("/api/v1/units?level=gemeinde&limit=10&offset=390").json()
    assert page["number_matched"] == 396 and len(page["items"]) == 6
    unit = client.get("/api/v1/units/05315000-101").json()
    assert unit["name"] == "Altstadt/Süd" and unit["parent_id"] == "05315000-1"


def test_profile_json_withholds_the_suppressed_value(client: TestClient) -> None:
    data = client.get("/api/v1/units/05315000-101/profile").json()
    u3 = next(i for i in data["indicators"] if i["id"] == "einwohner_u3")
    assert u3["period"] == "2012" and u3["status"] == "suppressed"
    assert u3["value"] is None and u3["reason"] == REASON_DE
    assert u3["series"][-1] == {"period": "2012", "value": None, "status": "suppressed"}
    assert u3["n"] == 85  # the withheld value is not in the level's median either
    assert [a["id"] for a in data["ancestors"]] == ["05315000-1", "05315000", "05315"]


def test_observations_filters_and_paging(client: TestClient) -> None:
    data = client.get("/api/v1/observations?indicator=gisd_score&level=gemeinde"
                      "&period=2021&limit=5&offset=0").json()
    assert data["number_matched"] == 396 and len(data["items"]) == 5
    koeln = client.get("/api/v1/observations?unit=05315000&indicator=gisd_score"
                       "&period=2021&lang=en").json()["items"][0]
    client.get("/?lang=de")
    assert koeln["status"] == "suppressed" and koeln["value"] is None
    assert koeln["numerator"] is None and koeln["reason"] == REASON_EN
    assert client.get("/api/v1/observations?indicator=nix").status_code == 404
    assert client.get("/api/v1/observations?limit=0").status_code == 422


def test_indicators_have_periods_per_level(client: TestClient) -> None:
    gisd = client.get("/api/v1/indicators/gisd_score").json()
    assert gisd["periods"]["gemeinde"][0] == "1998" and gisd["polarity"] == -1
    assert client.get("/api/v1/indicators/nix").status_code == 404


def test_datasets_hide_internal_columns(client: TestClient) -> None:
    rows = client.get("/api/v1/datasets").json()
    assert any(d["name"] == "Testsperre" for d in rows)
    assert all("file" not in d and "user" not in d for d in rows)


def test_members_reach_funding(client: TestClient) -> None:
    members = client.get("/api/v1/members?programme=Kein Kind zurücklassen!").json()
    assert len(members) == 40
    assert client.get("/api/v1/members?programme=nix").status_code == 404
    reach = client.get("/api/v1/reach?year=2017").json()
    assert reach["share"] == pytest.approx(0.5768, abs=1e-3)
    assert len(reach["members"]) == 40
    assert client.get("/api/v1/reach?year=2017&age_max=10").status_code == 422
    funding = client.get("/api/v1/funding").json()
    assert funding["by_year"]["2017"]["amount"] == 1_200_000


def test_atlas_geojson(client: TestClient) -> None:
    r = client.get("/api/v1/atlas?level=gemeinde&indicator=gisd_score&period=2021&k=4"
                   "&method=quantiles")
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 396
    assert len(fc["legend"]) == 4 and "bis unter" in fc["legend"][0]["label_de"]
    koeln = next(f for f in fc["features"] if f["id"] == "05315000")
    assert koeln["properties"]["value"] is None and koeln["properties"]["class"] is None
    assert koeln["properties"]["status"] == "suppressed"
    assert koeln["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert client.get("/api/v1/atlas?level=gemeinde&indicator=gisd_score&k=1"
                      ).status_code == 422
    assert client.get("/api/v1/atlas?level=gemeinde&indicator=gisd_score&method=x"
                      ).status_code == 422


def test_download_csv_is_german_excel(client: TestClient) -> None:
    r = client.get("/api/v1/download?format=csv&indicator=gisd_score&level=gemeinde"
                   "&period=2021")
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Schlüssel", "Gebiet", "Ebene", "Indikator", "Zeitraum", "Wert"]
    values = {row[0]: row for row in rows[1:]}
    assert "," in values["05111000"][5] or values["05111000"][5].isdigit()
    assert values["05315000"][5] == "." and values["05315000"][8] == "suppressed"
    assert SECRET not in r.text


def test_download_xlsx_geojson_gpkg(client: TestClient, tmp_path: object) -> None:
    q = "indicator=gisd_score&level=gemeinde&period=2021"
    xlsx = client.get(f"/api/v1/download?format=xlsx&{q}")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = wb.active
    assert sheet is not None and sheet.title == "Werte"
    assert sheet.max_row == 397
    geo = client.get(f"/api/v1/download?format=geojson&{q}")
    assert geo.headers["content-type"].startswith("application/geo+json")
    fc = json.loads(geo.content)
    koeln = next(f for f in fc["features"] if f["properties"]["id"] == "05315000")
    assert koeln["properties"]["gisd_score_2021"] is None
    gpkg = client.get(f"/api/v1/download?format=gpkg&{q}")
    path = tmp_path / "x.gpkg"  # type: ignore[operator]
    path.write_bytes(gpkg.content)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 396 and "gisd_score_2021" in frame.columns
    assert SECRET not in gpkg.content.decode("latin-1")


def test_download_errors(client: TestClient) -> None:
    assert client.get("/api/v1/download?format=pdf").status_code == 422
    r = client.get("/api/v1/download?format=geojson&indicator=gisd_score")
    assert r.status_code == 400 and "Ebene" in r.json()["description"]


def test_errors_are_json_with_german_message(fresh_client: TestClient) -> None:
    r = fresh_client.get("/api/v1/units/nirgendwo")
    assert r.status_code == 404
    assert r.json() == {"code": "NotFound", "description": "Unbekannte Einheit 'nirgendwo'.",
                        "status": 404}
    r = fresh_client.get("/api/v1/units/nirgendwo?lang=en")
    assert r.json()["description"] == "Unknown unit 'nirgendwo'."
    check_headers(r.headers)


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    paths = doc["paths"]
    for p in ("/api/v1/units", "/api/v1/observations", "/api/v1/reach",
              "/ogcapi/collections/{collection_id}/items"):
        assert p in paths
    assert not any(p.startswith(("/atlas", "/unit/", "/static")) for p in paths)
    assert client.get("/docs").status_code == 404  # no CDN-based Swagger UI
