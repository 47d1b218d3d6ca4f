"""The family finder by street address on a phone, in Debian's Chromium (issue #19):
the results of a search from "Hauptstraße 12" come first with distance and walking time,
the page is no wider than the phone and axe-core finds no violation; a full offer shows
its address and opening hours.  The device's position is used only after the button is
pressed (the browser's consent is granted in the test context)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kekiz.app import Kekiz
from kekiz.settings import load_settings
from tests.conftest import copy_sqlite
from tests.web.browser_kit import AXE, PHONE, browser, open_page, shot  # noqa: F401
from tests.web.server import Server, kekiz_serve
from tests.web.test_browser_a11y import AXE_RUN, CHECKS
from tests.web.test_finder_page import _full_offer


@pytest.fixture(scope="module")
def server(web_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo store with one offer that has every detail (near Neustadt/Süd)."""
    db = tmp_path_factory.mktemp("finder") / "kekiz.db"
    copy_sqlite(web_db, db)
    hsds = db.with_name("angebote.hsds.json")
    _full_offer(hsds)
    m = Kekiz(load_settings({"store": f"sqlite:///{db}"}, environ={}))
    try:
        m.directory.import_services(hsds, fmt="hsds", dataset="Testangebote",
                                    level="stadtteil")
    finally:
        m.close()
    with kekiz_serve(f"sqlite:///{db}") as s:
        yield s


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:  # noqa: F811
    page = open_page(browser, PHONE, touch=True)
    yield page
    page.context.close()
    assert not page.errors, page.errors


def _fits_and_passes_axe(page: Any) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    problems = page.evaluate(CHECKS) + page.evaluate(AXE_RUN)
    assert not problems, problems
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_finder_by_street_address_on_a_phone(server: Server, phone: Any) -> None:
    from playwright.sync_api import expect

    page = phone
    page.goto(server.url + "/")
    page.locator("#finder-card a").click()
    expect(page.locator("#finder-area")).to_contain_text("Köln")
    page.locator("#near").fill("Hauptstraße 12")
    page.locator("#age").fill("4")
    with page.expect_navigation():
        page.locator("#finder-submit").click()
    expect(page.locator("#result-count")).to_contain_text("Angebote gefunden.")
    expect(page.locator(".finder-results")).to_contain_text(
        "Entfernung gemessen ab: Hauptstraße 12")
    first = page.locator("li.result").first
    expect(first.locator(".distance")).to_contain_text("Min. zu Fuß")
    assert page.evaluate("document.activeElement.id") == "results-title"
    results = page.locator("section.finder-results").bounding_box()
    form = page.locator("#finder-form").bounding_box()
    assert results["y"] < form["y"]
    _fits_and_passes_axe(page)
    shot(page, "finder-address-phone")
    # an address near the offer with every detail: address and opening hours shown
    page.locator("#near").fill("Testplatz 1")
    page.locator("#age").fill("")
    page.locator("#radius").select_option("0.5")
    with page.expect_navigation():
        page.locator("#finder-submit").click()
    full = page.locator("li.result", has_text="Familienzentrum Testplatz")
    expect(full.locator(".offer-address")).to_have_text("Testplatz 1, 50674 Köln "
                                                        "(Neustadt/Süd)")
    expect(full.locator(".offer-hours")).to_have_text("Mo–Fr 8–16 Uhr")
    _fits_and_passes_axe(page)
    shot(page, "finder-details-phone")


def test_the_device_position_after_consent(server: Server, browser: Any  # noqa: F811
                                           ) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": PHONE, "height": 844}, locale="de-DE",
                                  geolocation={"latitude": 50.9225, "longitude": 6.943},
                                  permissions=["geolocation"])
    context.grant_permissions(["geolocation"], origin=server.url)
    page = open_page(browser, context=context)
    try:
        page.goto(server.url + "/finder")
        expect(page.locator("#finder-here")).to_be_visible()
        with page.expect_navigation():
            page.locator("#finder-here").click()
        assert "here=1" in page.url and "near=50.92250" in page.url
        expect(page.locator(".finder-results")).to_contain_text(
            "Entfernung gemessen ab Ihrem Standort")
        expect(page.locator("li.result").first).to_contain_text("Familienzentrum Testplatz")
        assert not page.errors, page.errors
    finally:
        context.close()
