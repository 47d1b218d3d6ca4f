"""Every page: status, German by default, English switch, security headers, withheld
values shown as '.' with their reason and never sent."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kekiz.web.app import SECURITY_HEADERS
from tests.web.conftest import REASON_DE, REASON_EN, SECRET

PAGES = [
    "/",
    "/atlas",
    "/atlas?level=kreis&indicator=arbeitslose&period=2010&method=fisher_jenks&k=4",
    "/atlas?level=stadtteil&indicator=einwohner_u3&period=2012",
    "/atlas?level=stadtbezirk&method=equal_interval&k=3",
    "/atlas?level=gemeinde&indicator=gisd_score&method=std_mean",
    "/unit/05315000-101",
    "/unit/05315000-1",
    "/unit/05315000",
    "/unit/05315",
    "/unit/05162004",
    "/compare",
    "/compare?indicator=gisd_score&unit=05315000&unit=05111000&unit=05513000",
    "/compare?level=stadtteil&indicator=einwohner_u3&unit=05315000-101&unit=05315000-102",
    "/network",
    "/network?year=2012",
    "/network?programme=kinderstark",
    "/sources",
    "/ogcapi?f=html",
    "/ogcapi/conformance?f=html",
    "/ogcapi/collections?f=html",
    "/ogcapi/collections/stadtteil?f=html",
    "/ogcapi/collections/stadtteil/items?f=html&limit=5",
    "/ogcapi/collections/stadtteil/items/05315000-101?f=html",
]


def check_headers(headers: dict[str, str] | object) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name  # type: ignore[index]
    csp = headers["Content-Security-Policy"]  # type: ignore[index]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


@pytest.mark.parametrize("url", PAGES)
def test_page_german_by_default(fresh_client: TestClient, url: str) -> None:
    r = fresh_client.get(url)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="de"' in r.text
    assert r.headers["Content-Language"] == "de"
    assert "Quellen und Lizenzen" in r.text
    check_headers(r.headers)
    assert SECRET not in r.text
    # no inline scripts or style attributes (the CSP would block them)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)
    assert " style=" not in r.text and "<style" not in r.text
    assert not re.search(r"<[^>]+\son[a-z]+=", r.text)  # no inline event handlers


@pytest.mark.parametrize("url", PAGES)
def test_page_in_english(fresh_client: TestClient, url: str) -> None:
    sep = "&" if "?" in url else "?"
    r = fresh_client.get(f"{url}{sep}lang=en")
    assert r.status_code == 200, r.text[:500]
    assert '<html lang="en"' in r.text
    assert "Sources and licences" in r.text
    assert "kekiz_lang=en" in r.headers["set-cookie"]
    check_headers(r.headers)


def test_language_is_remembered_in_a_cookie(fresh_client: TestClient) -> None:
    fresh_client.get("/?lang=en")
    r = fresh_client.get("/atlas")
    assert '<html lang="en"' in r.text
    assert "Map of an indicator" in r.text
    r = fresh_client.get("/atlas?lang=de")
    assert '<html lang="de"' in r.text
    assert "Karte eines Indikators" in r.text
    r = fresh_client.get("/atlas")
    assert '<html lang="de"' in r.text


def test_language_switch_link_keeps_the_query(fresh_client: TestClient) -> None:
    r = fresh_client.get("/atlas?level=kreis&indicator=gisd_score")
    link = re.search(r'<a href="([^"]+)"[^>]*id="lang-switch"', r.text)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert "level=kreis" in href and "indicator=gisd_score" in href and "lang=en" in href


def test_unknown_language_falls_back_to_german(fresh_client: TestClient) -> None:
    r = fresh_client.get("/?lang=fr")
    assert r.status_code == 200 and '<html lang="de"' in r.text
    assert "set-cookie" not in r.headers


def test_atlas_map_is_accessible_and_classified(client: TestClient) -> None:
    r = client.get("/atlas?level=gemeinde&indicator=gisd_score&period=2021&k=5")
    html = r.text
    links = re.findall(r'<a href="/unit/([^"]+)" class="area[^"]*" data-id="[^"]+">'
                       r"<title>([^<]+)</title><path ", html)
    assert len(links) == 396
    # German legend of the stored type-9 quintiles of the monitoring: "über 0,301 bis 0,358"
    assert re.search(r"über \d,\d{3} bis \d,\d{3}", html)
    assert "Legende" in html and "Quantile" in html
    # Köln's GISD 2021 is withheld: hatched, labelled, with its reason, value never sent
    koeln = dict(links)["05315000"]
    assert koeln.startswith("Köln: . (gesperrt (Geheimhaltung))")
    assert 'fill="url(#kz-hatch-suppressed)"' in html
    assert "gesperrt (Geheimhaltung) „.“" in html
    assert REASON_DE in html
    assert 'href="/api/v1/download?format=csv&amp;indicator=gisd_score&amp;level=gemeinde' \
        in html


def test_atlas_in_english_has_english_legend(client: TestClient) -> None:
    r = client.get("/atlas?level=gemeinde&indicator=gisd_score&period=2021&lang=en")
    assert re.search(r"over \d\.\d{3} to \d\.\d{3}", r.text)
    assert "withheld (disclosure control)" in r.text and REASON_EN in r.text
    client.get("/?lang=de")


def test_atlas_falls_back_when_indicator_is_not_on_the_level(client: TestClient) -> None:
    r = client.get("/atlas?level=stadtteil&indicator=gisd_score&period=1999")
    assert r.status_code == 200
    assert "Den Indikator gibt es auf dieser Ebene nicht" in r.text


def test_atlas_missing_values_are_hatched(client: TestClient) -> None:
    # kinderstark members etc. are not on stadtbezirk; einwohner_u3 1995 does not exist,
    # the period falls back; Köln's districts all have values, so use a level with gaps:
    r = client.get("/atlas?level=gemeinde&indicator=einwohner_u3")
    assert r.status_code == 200
    assert 'fill="url(#kz-hatch-missing)"' in r.text
    assert "keine Angabe „–“" in r.text


def test_atlas_unknown_level_is_404(client: TestClient) -> None:
    r = client.get("/atlas?level=mond")
    assert r.status_code == 404
    assert "Unbekannte Ebene" in r.text


def test_profile_shows_parent_city_median_trend_and_membership(client: TestClient) -> None:
    r = client.get("/unit/05315000-102")
    html = r.text
    assert "Neustadt/Süd" in html and "Innenstadt" in html and "Köln" in html
    assert "Median der Ebene" in html and "(n = 86)" in html
    assert 'class="spark"' in html
    assert "Mitglied in „Kein Kind zurücklassen!“ seit 01.01.2017 (über Köln)" in html


def test_profile_shows_withheld_value_as_dot_with_reason(client: TestClient) -> None:
    html = client.get("/unit/05315000-101").text
    row = re.search(r'<tr data-indicator="einwohner_u3">(.*?)</tr>', html, re.S)
    assert row is not None
    assert f'<abbr class="suppressed" title="{REASON_DE}">.</abbr>' in row.group(1)
    assert "„.“ bedeutet: Wert gesperrt" in html and REASON_DE in html
    assert SECRET not in html


def test_profile_numbers_are_german(client: TestClient) -> None:
    html = client.get("/unit/05315000").text
    assert "1.083.498" in html or re.search(r">\d{1,3}\.\d{3}\.\d{3}<", html)


def test_unknown_unit_is_404_page(client: TestClient) -> None:
    r = client.get("/unit/nirgendwo")
    assert r.status_code == 404
    assert "Unbekannte Einheit" in r.text
    check_headers(r.headers)


def test_unknown_page_is_404_in_german(fresh_client: TestClient) -> None:
    r = fresh_client.get("/gibt-es-nicht")
    assert r.status_code == 404 and "Seite nicht gefunden." in r.text
    check_headers(r.headers)


def test_compare_highlights_selected_units_in_ranking(client: TestClient) -> None:
    html = client.get("/compare?indicator=gisd_score&unit=05111000&unit=05513000").text
    assert html.count('<tr class="selected">') == 2
    assert 'class="chart"' in html and "Rangfolge 2021" in html
    # Köln's withheld GISD has no rank and shows '.'
    assert re.search(r'<td class="num"></td><td><a href="/unit/05315000">Köln</a></td>'
                     r'<td class="num">.</td>', html)


def test_network_page_reach_funding_members(client: TestClient) -> None:
    html = client.get("/network?year=2017").text
    assert "Reichweite 2017: 57,7\u00a0% der Kinder unter 18 Jahren (1.776.069 von " \
        "3.079.069)" in html
    assert "1.200.000" in html and "0,68" in html
    assert html.count('<a href="/unit/') >= 40 + 396
    r = client.get("/network?programme=kinderstark")
    assert "Keine Förderdaten" in r.text


def test_network_rejects_a_year_outside_the_membership(client: TestClient) -> None:
    assert client.get("/network?year=1990").status_code == 404


def test_sources_lists_attributions_and_datasets_without_internals(client: TestClient,
                                                                   web_db: object) -> None:
    html = client.get("/sources").text
    assert "© GeoBasis-DE / BKG" in html and "dl-de/by-2-0" in html
    assert "Testsperre" in html and "CC0" in html
    assert 'href="https://www.govdata.de/dl-de/by-2-0"' in html
    assert str(web_db) not in html
    # server file paths are not published
    assert "/demo/data/" not in html and "/demo_data/" not in html


def test_static_files_and_security_headers(client: TestClient) -> None:
    for path in ("/static/kekiz.css", "/static/kekiz.js", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200
        check_headers(r.headers)
