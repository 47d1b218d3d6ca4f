"""The interactive maps, downloads, print, finder and API docs in Debian's Chromium.

The maps (kekiz-map.js over the vendored Leaflet) zoom and pan with mouse, touch and
keyboard, show a tooltip on a tap, find places, are one Tab stop and list their areas;
without JavaScript the server's SVG map remains.  Screenshots go to
test-artifacts/screenshots/.  Console errors (a script or style blocked by the CSP among
them) fail a test.
"""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from tests.web.browser_kit import (
    DESKTOP,
    PHONE,
    browser,  # noqa: F401
    map_state,
    open_page,
    shot,
    wait_for_map,
)
from tests.web.server import Server, kekiz_serve
from tests.web.test_browser import SHOTS

pytestmark = pytest.mark.slow  # Chromium and a server per module

STADTTEILE = "/atlas?level=stadtteil&indicator=einwohner_u3&period=2012"


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[Server]:
    with kekiz_serve(f"sqlite:///{web_db}") as s:
        yield s


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:  # noqa: F811
    page = open_page(browser, DESKTOP)
    yield page
    page.context.close()
    assert not page.errors, page.errors


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:  # noqa: F811
    page = open_page(browser, PHONE, touch=True)
    yield page
    page.context.close()
    assert not page.errors, page.errors


def _place(server: Server, query: str, **params: str) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/api/v1/places", params={"q": query, **params})
    item: dict[str, Any] = r.json()["items"][0]
    return item


def test_atlas_map_zooms_and_pans_with_mouse_and_keyboard(server: Server, desktop: Any
                                                          ) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + STADTTEILE)
    box = wait_for_map(page)
    # the interactive map replaces the server's SVG, which stays in the page for print
    expect(page.locator("figure.mapbox svg.map")).to_be_hidden()
    assert page.locator(".kmap path.kmap-area").count() == 86
    z0, lat0, lon0 = map_state(box)
    # Köln lies around 50.94 N, 6.96 E
    assert 50.85 < lat0 < 51.05 and 6.85 < lon0 < 7.05
    rect = box.bounding_box()
    cx, cy = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
    # mouse wheel: zoom in
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)
    expect(box).not_to_have_attribute("data-zoom", f"{z0:.2f}")
    page.wait_for_timeout(400)
    z1, lat1, lon1 = map_state(box)
    assert z1 > z0
    # drag: the map follows the mouse to the left, the view moves east
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx - 150, cy, steps=8)
    page.mouse.up()
    page.wait_for_timeout(400)
    z2, lat2, lon2 = map_state(box)
    assert lon2 > lon1 and abs(lat2 - lat1) < 0.01 and z2 == z1
    shot(page, "map-atlas-zoomed-panned")
    # keyboard: the map has focus, arrows pan, + and - zoom, Home shows all again
    box.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(400)
    z3, lat3, lon3 = map_state(box)
    assert lat3 < lat2 and z3 == z2 and lon3 == pytest.approx(lon2, abs=1e-4)
    page.keyboard.press("Equal")  # the + key
    page.wait_for_timeout(500)
    assert map_state(box)[0] == pytest.approx(z3 + 0.5)
    for _ in range(2):
        page.keyboard.press("Minus")
        page.wait_for_timeout(500)
    assert map_state(box)[0] == pytest.approx(z3 - 0.5)
    page.keyboard.press("Home")
    page.wait_for_timeout(600)
    z4, lat4, lon4 = map_state(box)
    assert (z4, round(lat4, 3), round(lon4, 3)) == (z0, round(lat0, 3), round(lon0, 3))
    # the area in the centre is named for keyboard users; Enter opens it
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".kmap-centre")).to_contain_text("Kartenmitte: ")
    centre = page.locator(".kmap-centre").text_content() or ""
    name = centre.removeprefix("Kartenmitte: ").split(":")[0]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/unit/05315000-" in page.url
    expect(page.locator("h1")).to_have_text(name)


def test_a_tap_shows_the_tooltip_and_a_second_tap_opens_the_area(server: Server,
                                                                 phone: Any) -> None:
    from playwright.sync_api import expect

    page = phone
    page.goto(server.url + STADTTEILE)
    box = wait_for_map(page)
    box.scroll_into_view_if_needed()
    rect = box.bounding_box()
    x, y = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
    area = page.evaluate(f"document.elementFromPoint({x}, {y}).getAttribute('data-id')")
    assert area and area.startswith("05315000-")
    title = page.locator(f'svg.map [data-id="{area}"] > title').text_content()
    assert title and ": " in title  # name: value (class)
    page.touchscreen.tap(x, y)
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(title)
    expect(tip).to_contain_text("Noch einmal tippen öffnet das Gebiet.")
    assert page.url.endswith(STADTTEILE)  # a tap does not leave the page
    page.screenshot(path=str(SHOTS / "map-tap-tooltip-phone.png"))  # the view as it is
    with page.expect_navigation():
        page.touchscreen.tap(x, y)
    assert page.url.endswith(f"/unit/{area}")


def test_place_search_finds_chorweiler_and_centres_the_map(server: Server, desktop: Any
                                                           ) -> None:
    from playwright.sync_api import expect

    page = desktop
    # the atlas of the Land (municipalities): Chorweiler is a part of Köln
    page.goto(server.url + "/atlas?level=gemeinde")
    box = wait_for_map(page)
    z0 = map_state(box)[0]
    page.get_by_label("Ort auf der Karte suchen").fill("chorweiler")
    page.keyboard.press("Enter")
    results = page.locator(".kmap-results button")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Chorweiler (Stadtbezirk, Köln)")
    expect(results.nth(1)).to_contain_text("Chorweiler (Stadtteil, Chorweiler)")
    expect(page.locator(".kmap-status")).to_contain_text("Die Karte zeigt Chorweiler.")
    expect(box).to_have_attribute("data-place", "05315000-6")
    bezirk = _place(server, "Chorweiler")
    x0, y0, x1, y1 = bezirk["bbox"]
    zoom, lat, lon = map_state(box)
    assert zoom > z0 + 2
    assert x0 < lon < x1 and y0 < lat < y1
    # the place's inner point is the centre of the view (to a pixel: 0.0005° at zoom 11)
    assert (lat, lon) == pytest.approx((bezirk["centre"][1], bezirk["centre"][0]), abs=5e-4)
    # not an area of this map: its outline is drawn over it
    expect(box).to_have_attribute("data-outline", "05315000-6")
    expect(page.locator(".kmap path.kmap-outline")).to_have_attribute("stroke-dasharray", "6 4")
    shot(page, "map-search-chorweiler")
    # the Stadtteil, chosen from the list: the map moves there and gets the focus
    results.nth(1).click()
    expect(box).to_have_attribute("data-place", "05315000-609")
    assert page.evaluate("document.activeElement.classList.contains('kmap')")
    teil = _place(server, "Chorweiler", level="stadtteil")
    zoom, lat, lon = map_state(box)
    assert (lat, lon) == pytest.approx((teil["centre"][1], teil["centre"][0]), abs=5e-4)
    # on the map of the Stadtteile the place is one of its areas: outlined, its value shown
    page.goto(server.url + STADTTEILE)
    box = wait_for_map(page)
    page.get_by_label("Ort auf der Karte suchen").fill("Chorweiler")
    page.get_by_role("button", name="Suchen").click()
    expect(box).to_have_attribute("data-place", "05315000-609")
    path = page.locator('.kmap path[data-id="05315000-609"]')
    expect(path).to_have_attribute("stroke-width", "3")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Chorweiler: ")
    page.get_by_label("Ort auf der Karte suchen").fill("Atlantis")
    page.keyboard.press("Enter")
    expect(page.locator(".kmap-status")).to_have_text("Kein Ort gefunden für „Atlantis“.")


def test_place_search_finds_a_street_and_centres_the_map(server: Server, desktop: Any
                                                        ) -> None:
    """'Hauptstraße' from the stored street directory (the demo's is synthetic and says so):
    the map moves to the street and names it."""
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + STADTTEILE)
    box = wait_for_map(page)
    z0 = map_state(box)[0]
    page.get_by_label("Ort auf der Karte suchen").fill("hauptstrasse")
    page.keyboard.press("Enter")
    first = page.locator(".kmap-results button").first
    expect(first).to_contain_text("Hauptstraße (Straße (synthetisch)")
    expect(page.locator(".kmap-status")).to_contain_text("Die Karte zeigt Hauptstraße.")
    street = _place(server, "Hauptstraße")
    assert street["kind"] == "street"
    expect(box).to_have_attribute("data-place", street["id"])
    zoom, lat, lon = map_state(box)
    assert zoom >= z0
    assert (lat, lon) == pytest.approx((street["centre"][1], street["centre"][0]), abs=5e-4)
    shot(page, "map-search-hauptstrasse")


def test_the_map_is_a_single_tab_stop(server: Server, desktop: Any) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + STADTTEILE)
    box = wait_for_map(page)
    tabbable = ":is(a[href], button, input, select, textarea, [tabindex]):not([tabindex='-1'])"
    assert box.get_attribute("tabindex") == "0"
    assert box.locator(tabbable).count() == 0  # zoom buttons and areas are no Tab stops
    page.get_by_role("button", name="Suchen").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == box.get_attribute("id")
    expect(box).to_have_attribute("role", "region")
    assert (box.get_attribute("aria-label") or "").startswith("Interaktive Karte: Karte")
    described = page.locator("#" + (box.get_attribute("aria-describedby") or "none"))
    expect(described).to_contain_text("Pfeiltasten verschieben die Karte")
    # keyboard focus outlines the area in the centre and names it
    expect(page.locator(".kmap-centre")).to_contain_text("Kartenmitte: ")
    assert page.locator('.kmap path[stroke-width="3"]').count() == 1
    shot(page, "map-keyboard-focus")
    page.keyboard.press("Tab")
    leaves = page.evaluate("document.activeElement.closest('.kmap') === null")
    assert leaves, "the second Tab must leave the map"
    expect(page.locator(".kmap-centre")).to_contain_text("Kartenmitte: ")
    assert page.locator('.kmap path[stroke-width="3"]').count() == 0  # mark gone on blur


def test_labels_legend_and_list_view(server: Server, desktop: Any) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + STADTTEILE)
    box = wait_for_map(page)
    shown = int(box.get_attribute("data-labels") or 0)
    assert 5 <= shown < 86  # where the names fit, not over each other
    assert page.locator(".kmap-label span").count() == shown
    expect(page.locator(".leaflet-pane.leaflet-kmapLabels-pane")).to_have_attribute(
        "aria-hidden", "true")
    expect(page.locator("aside.legend")).to_contain_text("gesperrt (Geheimhaltung)")
    # labels do not overlap
    rects = page.evaluate("Array.from(document.querySelectorAll('.kmap-label span'))"
                          ".map(s => { const r = s.getBoundingClientRect();"
                          " return [r.left, r.top, r.right, r.bottom]; })")
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    coarse = int(box.get_attribute("data-bucket") or 0)
    box.focus()
    for _ in range(4):  # + 2 zoom levels: the next finer layer of the map API
        page.keyboard.press("Equal")
        page.wait_for_timeout(400)
    expect(box).to_have_attribute("data-bucket", str(coarse + 2))
    assert int(box.get_attribute("data-labels") or 0) > 0
    # the same areas as a list, each a link to its page
    page.locator(".kmap-list summary").click()
    links = page.locator(".kmap-list a[data-id]")
    expect(links).to_have_count(86)
    expect(page.locator('.kmap-list a[data-id="05315000-101"]')).to_have_text(
        re.compile(r"^Altstadt/Süd: \. \("))  # withheld value: the official sign
    fills = page.evaluate("Object.fromEntries(Array.from(document.querySelectorAll("
                          "'.kmap path[data-id]')).map(p => [p.dataset.id, "
                          "p.getAttribute('fill')]))")
    served = page.evaluate("Object.fromEntries(Array.from(document.querySelectorAll("
                           "'svg.map a[data-id]')).map(a => [a.dataset.id, "
                           "a.querySelector('path').getAttribute('fill')]))")
    assert fills.keys() == served.keys()
    assert all(fills[k] == served[k] for k in served if not served[k].startswith("url("))
    assert fills["05315000-101"].startswith("url(#kmap-")  # the hatch, copied


@pytest.mark.parametrize(("url", "level"), [
    ("/chain", "stadtteil"), ("/network", "gemeinde"), ("/unit/05315000-101", "stadtteil"),
    ("/unit/05315", "kreis")])
def test_every_map_page_has_the_interactive_map(server: Server, desktop: Any, url: str,
                                                level: str) -> None:
    page = desktop
    page.goto(server.url + url)
    wait_for_map(page)
    areas = page.locator("svg.map [data-id]").count()
    assert areas >= 3
    assert page.locator(".kmap path.kmap-area").count() == areas  # the same areas
    assert page.locator("figure[data-map]").get_attribute("data-level") == level
    current = page.locator('.kmap path[stroke="#000000"]').count()
    assert current == (1 if url.startswith("/unit/") else 0)  # the profile's own area
    shot(page, "map" + re.sub(r"[^a-z0-9]+", "-", url))


def test_without_javascript_the_svg_map_remains(server: Server, browser: Any  # noqa: F811
                                                ) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, DESKTOP, javascript=False)
    try:
        page.goto(server.url + STADTTEILE)
        expect(page.locator("svg.map")).to_be_visible()
        assert page.locator("svg.map a[href][data-id]").count() == 86
        assert page.locator(".kmap, .kmap-search, .figure-tools").count() == 0
        shot(page, "map-without-javascript")
    finally:
        page.context.close()


def _download(page: Any, button: Any) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_map_and_charts_download_as_png_svg_and_csv(server: Server, desktop: Any) -> None:
    page = desktop
    page.goto(server.url + STADTTEILE)
    wait_for_map(page)
    tools = page.locator("figure.mapbox .figure-tools")
    view = [float(v) for v in (page.locator("svg.map").get_attribute("viewBox") or "").split()]
    png = _download(page, tools.get_by_role("button", name=re.compile("als PNG-Bild")))
    assert _png_size(png) == (round(view[2] * 2), round(view[3] * 2))
    svg = ElementTree.fromstring(_download(page, tools.get_by_role(
        "button", name=re.compile("als SVG-Grafik"))))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.get("width") == f"{view[2]:g}" and len(svg.findall(".//s:path", ns)) >= 86
    assert svg.find("s:style", ns) is not None
    rows = list(csv.reader(io.StringIO(_download(page, tools.get_by_role(
        "button", name="Daten als CSV (Excel) herunterladen")).decode("utf-8-sig")),
        delimiter=";"))
    assert rows[0] == ["Gebiet", "Wert", "Klasse"]
    assert len(rows) == 87
    assert ["Altstadt/Süd", ".", "gesperrt (Geheimhaltung)"] in rows
    # a chart without a table: the values its marks carry
    page.goto(server.url + "/goals?unit=05315000-101")
    chart = page.locator("figure.chartbox").first
    data = _download(page, chart.get_by_role("button", name="Daten als CSV (Excel) "
                                             "herunterladen")).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert lines[0] == ["Reihe", "x", "Wert"] and len(lines) > 2
    circles = chart.locator("svg circle[data-v]")
    assert len(lines) - 1 == circles.count()
    assert lines[1][2] == circles.first.get_attribute("data-v")
    assert _png_size(_download(page, chart.get_by_role("button", name=re.compile("PNG"))))
    # the reach chart of the state network: its table
    page.goto(server.url + "/network")
    reach = page.locator("figure.chartbox")
    table = list(csv.reader(io.StringIO(_download(page, reach.get_by_role(
        "button", name=re.compile("CSV"))).decode("utf-8-sig")), delimiter=";"))
    assert table[0][0] == "Jahr" and len(table) == page.locator("#reach-table tr").count()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize(("url", "rows"), [(STADTTEILE, 86), ("/atlas?level=kreis", 53),
                                           ("/atlas?level=gemeinde", 396)])
def test_print_puts_map_legend_and_table_on_one_a4_page(server: Server, desktop: Any,
                                                        url: str, rows: int) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + url)
    wait_for_map(page)
    page.emulate_media(media="print")
    # the server's map (the whole Land or city), the legend and the table are printed;
    # the interactive map, the forms and the navigation are not
    expect(page.locator("svg.map")).to_be_visible()
    expect(page.locator("aside.legend")).to_be_visible()
    expect(page.locator("#atlas-table")).to_be_visible()
    for hidden in (".kmap", "form.controls", "header.site nav", ".figure-tools"):
        expect(page.locator(hidden).first).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert _pdf_pages(pdf) == 1
    shot(page, "print" + re.sub(r"[^a-z0-9]+", "-", url))
    last = page.locator("#atlas-table tbody tr").nth(rows - 1)
    assert last.is_visible()


def test_finder_results_come_first_and_have_the_focus_on_a_phone(server: Server,
                                                                 phone: Any) -> None:
    from playwright.sync_api import expect

    page = phone
    page.goto(server.url + "/finder")
    page.locator("#age").fill("4")
    page.locator("#district").select_option(label="Neustadt/Süd")
    with page.expect_navigation():
        page.locator("#finder-submit").click()
    expect(page.locator("#result-count")).to_have_text("4 Angebote gefunden.")
    assert page.evaluate("document.activeElement.id") == "results-title"
    results = page.locator("section.finder-results").bounding_box()
    form = page.locator("#finder-form").bounding_box()
    assert results["y"] < form["y"]  # on a phone the results come before the form
    shot(page, "finder-results-phone")


def test_api_documentation_page(server: Server, desktop: Any) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + "/api/docs")
    expect(page.locator("h1")).to_have_text("API-Dokumentation")
    expect(page.locator("#openapi-json")).to_have_attribute("href", "/api/openapi.json")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=15000)
    assert operations.count() >= 25
    places = page.locator(".opblock", has_text="/api/v1/places")
    places.locator(".opblock-summary-control").click()
    expect(places.locator(".parameters")).to_contain_text("q")
    expect(page.locator("main")).to_have_count(1)  # Swagger UI's own <main> is replaced
    shot(page, "api-docs")


def test_the_map_speaks_english_too(server: Server, desktop: Any) -> None:
    from playwright.sync_api import expect

    page = desktop
    page.goto(server.url + "/atlas?level=kreis&lang=en")
    box = wait_for_map(page)
    assert (box.get_attribute("aria-label") or "").startswith("Interactive map: Map")
    page.get_by_label("Find a place on the map").fill("Koeln")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".kmap-results button").first).to_contain_text(
        "Köln (district / district-free city")
    expect(page.locator(".kmap-status")).to_have_text("The map shows Köln.")
    expect(page.locator(".figure-tools button").first).to_have_attribute(
        "aria-label", re.compile(r"^Download Map .* as PNG image$"))
