"""What the browser tests of the maps, phone widths and accessibility share.

A module fixture :func:`browser` launches Debian's Chromium through Playwright (the same
executable and switches as ``test_browser.py``: a missing Chromium fails under CI=true
and skips loudly elsewhere); :func:`open_page` makes a page of a given width, optionally
a touch screen, that records console errors (a script or style blocked by the
Content-Security-Policy among them).  :func:`html_pages` lists every HTML page of the
application from its routes, so that a page added later is checked too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tests.web.routes import walk_routes
from tests.web.test_browser import ARGS, SHOTS, _chromium

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE, DESKTOP = 390, 1366
#: Demo values of the path parameters of the HTML pages.
PATH_VALUES = {"unit_id": "05315000-101", "collection_id": "stadtteil",
               "feature_id": "05315000-101"}
#: More states of some pages than their bare URL shows (data, a search, a level).
VARIANTS = {
    "/atlas": ["/atlas?level=stadtteil&indicator=einwohner_u3&period=2012"],
    "/unit/{unit_id}": ["/unit/05315"],
    "/compare": ["/compare?indicator=gisd_score&unit=05111000&unit=05513000&unit=05315000"],
    "/chain": ["/chain?phase=0-3", "/chain?phase=6-10&unit=05315000-102"],
    "/goals": ["/goals?unit=05315000-101"],
    "/finder": ["/finder?age=4&district=05315000-102"],
}
#: Pages only a logged-in user sees (the tests log in as the administrator first).
LOGGED_IN = {"/admin", "/account"}


@dataclass(frozen=True)
class HtmlPage:
    name: str
    url: str
    login: bool = False


def html_pages(app: FastAPI) -> list[HtmlPage]:
    """Every GET route that answers HTML: the pages (HTMLResponse), the OGC API's pages
    (``f=html``), with demo values for their parameters; plus the error page."""
    found: dict[str, HtmlPage] = {}
    missing = []
    for path, route in walk_routes(list(app.routes)):
        if "GET" not in (route.methods or set()):
            continue
        ogc = path.startswith("/ogcapi")
        if not ogc and route.response_class is not HTMLResponse:
            continue
        url = path
        for name in re.findall(r"\{(\w+)\}", path):
            if name not in PATH_VALUES:
                missing.append(f"{path}: {name}")
                continue
            url = url.replace("{" + name + "}", PATH_VALUES[name])
        urls = [url + ("?f=html" if ogc else ""), *VARIANTS.get(path, [])]
        for u in urls:
            name = re.sub(r"[^a-z0-9]+", "-", u.lower()).strip("-") or "index"
            found[name] = HtmlPage(name, u, path in LOGGED_IN)
    if missing:
        pytest.fail("no demo value for the path parameters: " + "; ".join(missing))
    found["error-404"] = HtmlPage("error-404", "/unit/does-not-exist")
    return list(found.values())


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: Any, width: int = DESKTOP, *, touch: bool = False,
              javascript: bool = True, context: Any = None) -> Any:
    """A new page (in a new context unless one is given) whose console errors are kept
    in ``page.errors``."""
    if context is None:
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width < 800 else 900},
            locale="de-DE", has_touch=touch, is_mobile=touch and width < 800,
            java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def wait_for_map(page: Any, selector: str = ".kmap") -> Any:
    """The interactive map once its areas are drawn."""
    from playwright.sync_api import expect

    box = page.locator(selector).first
    expect(box).to_have_attribute("data-ready", "1", timeout=15000)
    return box


def map_state(box: Any) -> tuple[float, float, float]:
    """(zoom, latitude, longitude) of the map's view."""
    lat, lon = (float(v) for v in box.get_attribute("data-center").split(","))
    return float(box.get_attribute("data-zoom")), lat, lon


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
