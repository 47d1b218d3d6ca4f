"""The chain, cooperation, goals and finder pages in Debian's Chromium (Playwright).

Uses the server, browser and page fixtures of ``test_browser.py`` (a missing Chromium
fails under CI=true and skips loudly elsewhere; console errors fail a test).
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.web.server import Server
from tests.web.test_browser import browser_context, page, server, shot  # noqa: F401

pytestmark = pytest.mark.slow  # Chromium and a server per module

PAGES = {"chain": "/chain", "chain-0-3": "/chain?phase=0-3",
         "cooperation": "/cooperation", "goals": "/goals",
         "goals-district": "/goals?unit=05315000-101", "finder": "/finder"}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_new_page_renders_without_console_errors(server: Server,  # noqa: F811
                                                       page: object,  # noqa: F811
                                                       name: str) -> None:
    response = page.goto(server.url + PAGES[name])  # type: ignore[attr-defined]
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"  # type: ignore[attr-defined]
    assert page.locator("h1").count() == 1  # type: ignore[attr-defined]
    assert page.locator("#credits").is_visible()  # type: ignore[attr-defined]
    shot(page, f"more-{name}")


def test_finder_search_by_age_and_district_with_the_keyboard(server: Server,  # noqa: F811
                                                             page: object  # noqa: F811
                                                             ) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/finder")
    expect(page.locator("h1")).to_have_text("Familienwegweiser")
    page.locator("#district").select_option(label="Neustadt/Süd")
    page.locator("#age").focus()
    page.keyboard.type("4")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the GET form, no script needed
    assert "age=4" in page.url and "district=05315000-102" in page.url
    expect(page.locator("#result-count")).to_have_text("4 Angebote gefunden.")
    expect(page.locator("li.result")).to_have_count(4)
    expect(page.locator("li.result").first).to_contain_text("Fröbel Kindergarten Eifelstraße")
    expect(page.locator("#age")).to_have_value("4")
    shot(page, "finder-age-4-neustadt-sued")
    # distance from a district, within 1 km
    page.locator("#near").fill("Neustadt/Süd")
    page.locator("#radius").select_option("1")
    page.locator("#district").select_option("")
    with page.expect_navigation():
        page.locator("#finder-submit").click()
    expect(page.locator("li.result .distance").first).to_contain_text("km")
    expect(page.locator("li.result .distance").first).to_contain_text(",")
    shot(page, "finder-distance")


def test_chain_change_phase_and_open_a_district(server: Server,  # noqa: F811
                                                 page: object) -> None:  # noqa: F811
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/chain")
    expect(page.locator("html")).to_have_class("js")
    expect(page.locator("#matrix-phases td.empty-cell").first).to_be_visible()
    with page.expect_navigation():
        page.select_option("#phase", "0-3")
    assert "phase=0-3" in page.url
    expect(page.locator("#withheld-note")).to_be_visible()
    # the map's areas are links in its list view: reach one with the keyboard
    page.locator(".kmap-list summary").click()
    page.locator('.kmap-list a[data-id="05315000-102"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "unit=05315000-102" in page.url
    expect(page.locator("#chain-offers")).to_contain_text("Neustadt/Süd")
    shot(page, "chain-neustadt-sued")


def test_cooperation_graph_and_wave_switch(server: Server,  # noqa: F811
                                           page: object) -> None:  # noqa: F811
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/cooperation")
    expect(page.locator("#synthetic-banner")).to_contain_text("SYNTHETISCH")
    expect(page.locator("svg.graph circle")).to_have_count(151)
    with page.expect_navigation():
        page.select_option("#wave", "1")
    assert "wave=1" in page.url
    expect(page.locator("#graph-title")).to_contain_text("Welle 1")
    shot(page, "cooperation-wave-1")


def test_goals_choose_a_district_then_switch_language(server: Server,  # noqa: F811
                                                      page: object) -> None:  # noqa: F811
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{server.url}/goals")
    expect(page.locator("#card-title")).to_contain_text("Köln")
    expect(page.locator("#status-rule")).to_contain_text("Regel: auf Kurs")
    with page.expect_navigation():
        page.select_option("#unit", "05315000-101")
    expect(page.locator("#card-title")).to_contain_text("Altstadt/Süd")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("h1")).to_contain_text("Mission and goals")
    expect(page.locator("#status-rule")).to_contain_text("Rule")
    shot(page, "goals-district-english")
    # remembered: the finder is English too, and searches in English
    page.goto(f"{server.url}/finder?age=4&district=05315000-102")
    expect(page.locator("#result-count")).to_have_text("4 offers found.")
    shot(page, "finder-english")
    with page.expect_navigation():
        page.click("#lang-switch")
    expect(page.locator("#result-count")).to_have_text("4 Angebote gefunden.")
