"""The pages in a real browser: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (Debian's
package; scripts/test-services.sh installs it as root).  Under CI=true a missing Chromium
fails; elsewhere the tests skip with a loud reason.  Screenshots are kept under
test-artifacts/screenshots/ (gitignored).  Console errors - a script or style blocked by
the Content-Security-Policy among them - fail the test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, REPO
from tests.web.server import Server, kekiz_serve

pytestmark = pytest.mark.slow  # Chromium and a server per module

CHROMIUM = os.environ.get("KEKIZ_CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "test-artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        reason = (f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' "
                  "(scripts/test-services.sh does this as root)")
        if IN_CI:
            pytest.fail(f"Chromium is required under CI=true: {reason}")
        print(f"\n!!! SKIPPING browser tests: {reason} !!!\n")
        pytest.skip(reason)
    return str(path)


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[Server]:
    with kekiz_serve(f"sqlite:///{web_db}") as s:
        yield s


@pytest.fixture(scope="module")
def browser_context() -> Iterator[object]:
    executable = _chromium()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kekiz-chromium-")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=executable, headless=True, args=ARGS,
                viewport={"width": 1280, "height": 900}, locale="de-DE")
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: object) -> Iterator[object]:
    from playwright.sync_api import BrowserContext

    assert isinstance(browser_context, BrowserContext)
    browser_context.clear_cookies()
    pg = browser_context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    pg.close()
    assert not errors, errors


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


PAGES = {"index": "/", "atlas": "/atlas", "profile": "/unit/05315000-101",
         "compare": "/compare?indicator=gisd_score&unit=05111000&unit=05513000&unit=05315000",
         "network": "/network", "sources": "/sources", "ogcapi": "/ogcapi?f=html",
         "ogc-items": "/ogcapi/collections/stadtteil/items?f=html"}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_without_console_errors(server: Server, page: object,
                                                   name: str) -> None:
    response = page.goto(server.url + PAGES[name])  # type: ignore[attr-defined]
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"  # type: ignore[attr-defined]
    assert page.locator("h1").count() == 1  # type: ignore[attr-defined]
    shot(page, name)


def test_atlas_change_indicator_and_year_then_click_a_district(server: Server,
                                                               page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/atlas?level=kreis")
    expect(page.locator("html")).to_have_class("js")
    # changing a select reloads the map (kekiz.js submits the form)
    with page.expect_navigation():
        page.select_option("#indicator", "arbeitslose")
    assert "indicator=arbeitslose" in page.url
    expect(page.locator("#map-title")).to_contain_text("Arbeitslose")
    with page.expect_navigation():
        page.select_option("#period", "2010")
    assert "period=2010" in page.url
    expect(page.locator("#map-title")).to_contain_text("2010")
    shot(page, "atlas-arbeitslose-2010")
    # a district is a link: click Köln on the (interactive) map, reach its profile
    expect(page.locator(".kmap")).to_have_attribute("data-ready", "1")
    with page.expect_navigation():
        page.locator('.kmap path[data-id="05315"]').click()
    assert page.url.endswith("/unit/05315")
    expect(page.locator("h1")).to_have_text("Köln")
    expect(page.locator("#profile-table")).to_be_visible()
    shot(page, "profile-koeln")


def test_map_is_keyboard_accessible(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/atlas?level=stadtbezirk")
    # the interactive map is one Tab stop; Enter opens the area in its centre
    themap = page.locator(".kmap")
    expect(themap).to_have_attribute("data-ready", "1")
    themap.focus()
    expect(page.locator(".kmap-centre")).to_contain_text("Kartenmitte: ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/unit/" in page.url
    expect(page.locator("h1")).to_be_visible()


def test_withheld_values_are_hatched_in_the_browser(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/atlas?level=gemeinde&indicator=gisd_score&period=2021")
    koeln = page.locator('svg.map a[data-id="05315000"] path')
    assert koeln.get_attribute("fill") == "url(#kz-hatch-suppressed)"
    expect(page.locator(".legend")).to_contain_text("gesperrt (Geheimhaltung)")
    shot(page, "atlas-gisd-gemeinde-gesperrt")
    page.goto(f"{server.url}/unit/05315000-101")
    expect(page.locator('tr[data-indicator="einwohner_u3"] abbr.suppressed')).to_have_text(".")
    expect(page.locator("#reasons")).to_contain_text("Testsperre")


def test_language_switch(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/atlas?level=kreis&indicator=gisd_score")
    expect(page.locator("#lang-switch")).to_have_text("English")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("h2#map-title")).to_contain_text("Socioeconomic deprivation")
    expect(page.locator(".legend")).to_contain_text("over")
    shot(page, "atlas-english")
    # the choice is remembered: the next page is English too
    page.goto(f"{server.url}/network")
    expect(page.locator("#reach-line")).to_contain_text("Reach 2019: 57.7%")
    shot(page, "network-english")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "de"
    expect(page.locator("#reach-line")).to_contain_text("Reichweite 2019: 57,7")
