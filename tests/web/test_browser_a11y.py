"""Every HTML page of the application at phone (390 px) and desktop (1366 px) width.

The pages are enumerated from the application's routes when the test runs (a page added
later is checked too; the administrator's pages after logging in).  On every page at both
widths:

* the document is no wider than the viewport (nothing scrolls sideways);
* axe-core (vendored under tests/web/vendor, evaluated through the DevTools protocol,
  so the application's CSP stays strict and the app never serves it) finds no violation;
* there is one ``h1`` and heading levels never skip one;
* the text of every SVG chart and map lies inside its viewBox (no clipped labels);
* no console error (a script or style blocked by the CSP among them).

A screenshot of every page at both widths goes to test-artifacts/screenshots/.  The focus
ring is checked separately: at least 2 px, contrast of at least 3:1 with what lies behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from kekiz.settings import Settings
from tests.web.auth_helpers import PASSWORD, ensure_accounts
from tests.web.browser_kit import (
    AXE,
    DESKTOP,
    PHONE,
    HtmlPage,
    browser,  # noqa: F401
    html_pages,
    open_page,
    shot,
)
from tests.web.server import Server, kekiz_serve

pytestmark = pytest.mark.slow  # Chromium and a server per module

#: Headings in order, text boxes inside the viewBox, the width: problems in the page.
CHECKS = (Path(__file__).resolve().parent / "page_checks.js").read_text(encoding="utf-8")
AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']}).then(r =>
  r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
                        v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))"""


@pytest.fixture(scope="module")
def server(web_db: Path, web_settings: Settings) -> Iterator[Server]:
    ensure_accounts(web_settings)
    with kekiz_serve(f"sqlite:///{web_db}") as s:
        yield s


def _settle(page: Any) -> None:
    """Wait for what the scripts build: the interactive maps, the API documentation."""
    from playwright.sync_api import expect

    for box in page.locator("figure[data-map]").all():
        expect(box.locator(".kmap[data-ready='1'], .note")).to_have_count(1, timeout=15000)
    if page.locator("#swagger-ui").count():
        expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=15000)


def _log_in(page: Any, server: Server) -> None:
    page.goto(server.url + "/login?next=/account")
    page.locator("#name").fill("t-admin")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden").click()
    assert page.url.endswith("/account"), page.url


def _check_all(browser: Any, server: Server, pages: list[HtmlPage], width: int,  # noqa: F811
               login: bool) -> list[str]:
    axe = AXE.read_text(encoding="utf-8")
    page = open_page(browser, width)
    problems: list[str] = []
    try:
        if login:
            _log_in(page, server)
        for p in pages:
            page.errors.clear()
            response = page.goto(server.url + p.url)
            status = response.status if response is not None else 0
            expected = 404 if p.name.startswith("error") else 200
            if status != expected:
                problems.append(f"{p.url}: HTTP {status}, expected {expected}")
                continue
            _settle(page)
            page.evaluate(axe)  # through the DevTools protocol: the CSP is not involved
            found = page.evaluate(CHECKS) + page.evaluate(AXE_RUN)
            # the error page's own status is reported on the console as a failed load
            errors = [e for e in page.errors if expected != 404 or "status of 404" not in e]
            problems += [f"{p.url} at {width} px: {f}" for f in found + errors]
            shot(page, f"page-{p.name}-{width}")
    finally:
        page.context.close()
    return problems


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_fits_the_width_and_passes_axe(app: FastAPI, server: Server,
                                                  browser: Any,  # noqa: F811
                                                  width: int) -> None:
    pages = html_pages(app)
    names = {p.url.split("?")[0] for p in pages}
    # the enumeration found the pages of every part of the application
    assert {"/", "/atlas", "/unit/05315000-101", "/compare", "/network", "/sources",
            "/chain", "/cooperation", "/goals", "/finder", "/login", "/account", "/admin",
            "/api/docs", "/ogcapi", "/ogcapi/collections/stadtteil/items"} <= names
    public = [p for p in pages if not p.login and p.url != "/login"]
    problems = _check_all(browser, server, [*public, *[p for p in pages if p.url == "/login"]],
                          width, login=False)
    problems += _check_all(browser, server, [p for p in pages if p.login], width, login=True)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


#: Computed focus style of the focused element and the colour behind it.
FOCUS = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  let bg = null, node = el.parentElement;
  while (node) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    node = node.parentElement;
  }
  const halo = (s.boxShadow.match(/rgba?\\([^)]*\\)/) || [null])[0];
  return {tag: el.tagName, id: el.id || '', text: (el.textContent || '').trim().slice(0, 40),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth), outline: s.outlineColor,
          halo: halo, background: bg || 'rgb(255, 255, 255)'};
}"""


def _luminance(colour: str) -> float:
    parts = [float(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula() -> None:
    # black on white 21:1; grey #767676 on white is the classic 4.54:1; white on the
    # header's blue #0b5394: channels 11, 83, 148 -> linear 0.00334, 0.0865, 0.296 ->
    # L = 0.2126*0.00334 + 0.7152*0.0865 + 0.0722*0.296 = 0.0840; (1.05)/(0.134) = 7.84
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54,
                                                                             abs=0.01)
    assert contrast("rgb(255, 255, 255)", "rgb(11, 83, 148)") == pytest.approx(7.84,
                                                                            abs=0.01)


@pytest.mark.parametrize("url", ["/", "/atlas?level=stadtteil", "/finder"])
def test_the_focus_ring_is_visible_everywhere(server: Server, browser: Any,  # noqa: F811
                                              url: str) -> None:
    page = open_page(browser, DESKTOP)
    try:
        page.goto(server.url + url)
        _settle(page)
        seen = []
        for _ in range(40):  # the header's links, the forms, the map, the page's links
            page.keyboard.press("Tab")
            f = page.evaluate(FOCUS)
            if f["tag"] == "BODY":
                break
            seen.append(f)
            best = max(contrast(f["outline"], f["background"]),
                       contrast(f["halo"], f["background"]) if f["halo"] else 0.0)
            assert f["style"] != "none" and f["width"] >= 2, f
            assert best >= 3.0, f
        tags = {f["tag"] for f in seen}
        assert "A" in tags and len(seen) >= 10
        if "atlas" in url:  # the interactive map is one of the Tab stops
            assert any(f["id"].startswith("kmap-") and f["tag"] == "DIV" for f in seen)
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_the_checks_find_clipped_text_wide_pages_skipped_headings_and_axe_violations(
        browser: Any) -> None:  # noqa: F811
    """The checks above can fail: a page with each fault makes each of them report."""
    page = open_page(browser, PHONE)
    try:
        page.set_content(
            '<html lang="de"><head><title>t</title></head><body><main><h1>Seite</h1>'
            '<h3>zu tief</h3><svg viewBox="0 0 100 40" width="100" height="40">'
            '<text x="60" y="20">abgeschnittene Beschriftung</text>'
            '<text x="5" y="20" transform="rotate(-90 5 20)">gedreht und zu lang</text>'
            '<text x="10" y="30">ok</text></svg>'
            '<div class="wide"></div><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw='
            '"></main></body></html>')
        page.evaluate("Object.assign(document.querySelector('.wide').style, "
                      "{width: '800px', height: '10px'})")
        problems = page.evaluate(CHECKS)
        assert any(p.startswith("heading H3 after h1") for p in problems)
        clipped = [p for p in problems if p.startswith("text outside")]
        assert len(clipped) == 2 and "abgeschnittene" in clipped[0] and \
            "gedreht" in clipped[1]
        # 800 px and the body's margin of 8 px
        assert f"document 808 px wide in a {PHONE} px viewport" in problems
        page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = page.evaluate(AXE_RUN)
        assert any(v.startswith("image-alt") for v in violations), violations
    finally:
        page.context.close()
