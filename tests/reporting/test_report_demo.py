"""Acceptance tests of the reports on the demo store (issue #9).

* Köln (Stadtteile) and the NRW network render to HTML and PDF;
* the PDF pages with maps and charts are not blank (pdftoppm -> PNG -> coloured pixels);
* the numbers of a sample table equal the store's values, formatted German;
* no withheld value and no count below the threshold is printed.
"""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from kekiz.app import Kekiz
from kekiz.i18n import fmt_number
from kekiz.reporting.report_config import ReportConfig
from kekiz.reporting.report_html import render_html
from kekiz.reporting.report_pdf import html_to_pdf
from tests.reporting.conftest import parse_tables
from tests.web.conftest import SECRET

KOELN = "05315000"
#: Minimum frequency of the school-entrance records (kekiz.records.disclosure default).
THRESHOLD = 3


@pytest.fixture(scope="module")
def koeln_html(monitor: Kekiz) -> str:
    """The default report, with every indicator of the Stadtteile (the default shows 8)."""
    cfg = ReportConfig(max_indicators=30)
    return render_html(monitor.reports.report_input(KOELN, cfg), cfg, "de")


@pytest.fixture(scope="module")
def network_html(monitor: Kekiz) -> str:
    return render_html(monitor.reports.report_input("network"), ReportConfig(), "de")


def _assert_no_secret(text: str) -> None:
    """The withheld test values in any notation: raw, German or English grouping, or the
    leading digits of the withheld GISD value (0.8642...)."""
    for form in (SECRET, "8.642.097.531", "8,642,097,531"):
        assert form not in text, form
    assert not re.search(r"(?<![\d.,])0[,.]864\d*", text)


def _values_tables(html: str) -> list[dict[str, object]]:
    return [t for t in parse_tables(html)
            if "values" in str(t["attrs"].get("class", "")).split()]  # type: ignore[union-attr]


def _cells(row: dict[str, object]) -> dict[str, str]:
    out = {}
    for classes, text in row["cells"]:  # type: ignore[union-attr]
        for c in classes.split():
            out[c] = text
    return out


def test_koeln_report_has_all_parts(koeln_html: str, monitor: Kekiz) -> None:
    html = koeln_html
    assert html.startswith("<!DOCTYPE html>")
    for title in ("Das Wichtigste in Kürze", "Karten und Indikatoren", "Gebietsprofile",
                  "Indexklassen, Hot Spots und Prioritätsgebiete", "Präventionskette: Lücken",
                  "Leitbild: Stand der Ziele", "Methoden und Geheimhaltung",
                  "Datenquellen und Lizenzen"):
        assert title in html, title
    # findings come first, right after the table of contents
    assert html.index('id="sec-findings"') < html.index('id="sec-indicators"')
    # one profile page per Stadtteil (all 86 by default)
    n = len(monitor.store.units_frame("stadtteil"))
    assert n == 86
    assert html.count('class="profile"') == n
    # maps with legends and hatched suppression marks, charts
    assert html.count('<svg class="map"') >= 3
    assert html.count('<svg class="map locator"') == n
    assert "„.“ gesperrt (Geheimhaltung)" in html
    assert html.count('<svg class="chart"') >= 3
    # licences and attribution of the data the report uses (issue #18: only those)
    assert "dl-de/by-2-0" in html and "© GeoBasis-DE / BKG" in html
    assert "Stadt Köln" in html and "ODbL" in html


def test_koeln_findings_are_computed(koeln_html: str, monitor: Kekiz) -> None:
    """The first finding of an indicator counts the Stadtteile above the median."""
    obs = monitor.store.observations(indicator_id="anteil_kinder_u18", level="stadtteil",
                                     period="2012")
    values = obs["value"].astype(float)
    median = float(values.median())
    above = int((values > median).sum())
    text = (f"In {above} von 86 Stadtteilen liegt „Anteil der Kinder und Jugendlichen unter "
            f"18 Jahren an der Bevölkerung“ (2012) über dem Median aller Gebiete "
            f"({fmt_number(median, 1)}\u00a0%).")
    assert text in koeln_html
    hi = obs.loc[values.idxmax()]
    names = dict(zip(monitor.store.units_frame("stadtteil")["id"],
                     monitor.store.units_frame("stadtteil")["name"], strict=True))
    assert f"Den höchsten Wert hat {names[hi['unit_id']]} " \
           f"({fmt_number(float(hi['value']), 1)}\u00a0%)" in koeln_html


def test_sample_table_equals_store(koeln_html: str, monitor: Kekiz) -> None:
    tables = {t["attrs"]["data-indicator"]: t for t in _values_tables(koeln_html)}  # type: ignore[index]
    table = tables["seu_sprachdefizit_synth"]
    period = table["attrs"]["data-period"]  # type: ignore[index]
    obs = monitor.store.observations(indicator_id="seu_sprachdefizit_synth",
                                     level="stadtteil", period=period).set_index("unit_id")
    checked = 0
    for row in table["rows"][1:]:  # type: ignore[index]
        uid = row["attrs"]["data-unit"]
        cells = _cells(row)
        o = obs.loc[uid]
        if o["status"] == "suppressed":
            assert cells["value"] == "." and cells["numerator"] == "."
            continue
        assert cells["value"] == fmt_number(float(o["value"]), 1, "de"), uid
        assert cells["numerator"] == fmt_number(float(o["numerator"]), 0, "de"), uid
        assert cells["denominator"] == fmt_number(float(o["denominator"]), 0, "de"), uid
        checked += 1
    assert checked >= 60
    assert len(table["rows"]) - 1 == 86  # type: ignore[arg-type]


def _number(text: str) -> float | None:
    if text in (".", "–", ""):
        return None
    return float(text.replace(".", "").replace(",", "."))


def test_suppressed_values_never_printed(koeln_html: str, monitor: Kekiz) -> None:
    tables = _values_tables(koeln_html)
    seu = [t for t in tables if str(t["attrs"]["data-indicator"]).startswith("seu_")]  # type: ignore[index]
    assert seu, "the Köln report shows school-entrance indicators"
    n_suppressed = 0
    for t in seu:
        ind = str(t["attrs"]["data-indicator"])  # type: ignore[index]
        obs = monitor.store.observations(indicator_id=ind, level="stadtteil",
                                         period=str(t["attrs"]["data-period"]))  # type: ignore[index]
        hidden = obs[obs["status"] == "suppressed"].set_index("unit_id")
        for row in t["rows"][1:]:  # type: ignore[index]
            cells = _cells(row)
            uid = row["attrs"]["data-unit"]
            for col in ("numerator", "denominator"):
                v = _number(cells[col])
                assert v is None or v == 0 or v >= THRESHOLD, (ind, uid, col, v)
            if uid in hidden.index:
                n_suppressed += 1
                assert row["attrs"]["data-status"] == "suppressed"
                assert cells["value"] == cells["numerator"] == cells["denominator"] == "."
                assert cells["reason"], "the reason is printed"
    assert n_suppressed > 0
    # the reason stored with the suppressed values is printed once, as a footnote
    params = monitor.store.observations(indicator_id="seu_sprachdefizit_synth",
                                        level="stadtteil")
    params = params[params["status"] == "suppressed"]["params"].iloc[0]
    reason = json.loads(params)["privacy"]["reason_de"]
    assert f"(1) {reason}" in unescape(koeln_html)
    # the profile pages print '.' for the same cells
    profiles = [t for t in parse_tables(koeln_html) if "profile-values" in
                str(t["attrs"].get("class", ""))]  # type: ignore[union-attr]
    sup_rows = [r for t in profiles for r in t["rows"][1:]  # type: ignore[index]
                if r["attrs"].get("data-status") == "suppressed"]
    assert sup_rows and all(_cells(r)["value"] == "." for r in sup_rows)
    _assert_no_secret(koeln_html)


def test_withheld_values_of_the_store_are_not_in_any_table(koeln_html: str,
                                                          monitor: Kekiz) -> None:
    """Denominators stored beside a suppressed share are withheld too."""
    obs = monitor.store.observations(level="stadtteil")
    obs = obs[obs["indicator_id"].str.startswith("seu_") & (obs["status"] == "suppressed")
              & obs["denominator"].notna()]
    assert len(obs) > 0, "the demo stores denominators of suppressed shares"
    tables = {t["attrs"]["data-indicator"]: t for t in _values_tables(koeln_html)}  # type: ignore[index]
    seen = 0
    for _, o in obs.iterrows():
        t = tables.get(o["indicator_id"])
        if t is None or t["attrs"]["data-period"] != o["period"]:  # type: ignore[index]
            continue
        row = next(r for r in t["rows"][1:] if r["attrs"]["data-unit"] == o["unit_id"])  # type: ignore[index]
        assert _cells(row)["denominator"] == "."
        seen += 1
    assert seen > 0


def test_network_report(network_html: str, monitor: Kekiz) -> None:
    html = network_html
    members = monitor.store.members("Kein Kind zurücklassen!")
    assert len(members) == 40
    assert html.count('class="profile"') == 40
    assert "Das Landesnetzwerk" in html and "Mitgliedskommunen" in html
    for m in members:
        assert m.name in html
    # Kreis table of the child-poverty indicator equals the store
    tables = {t["attrs"]["data-indicator"]: t for t in _values_tables(html)}  # type: ignore[index]
    t = tables["kinderarmut"]
    obs = monitor.store.observations(indicator_id="kinderarmut", level="kreis",
                                     period=str(t["attrs"]["data-period"])).set_index("unit_id")  # type: ignore[index]
    for row in t["rows"][1:]:  # type: ignore[index]
        uid = row["attrs"]["data-unit"]
        assert _cells(row)["value"] == fmt_number(float(obs.loc[uid, "value"]), 1), uid
    _assert_no_secret(html)


def test_english_report(monitor: Kekiz) -> None:
    cfg = ReportConfig(sections=["findings", "indicators", "methods"],
                       indicators=["anteil_kinder_u6"])
    html = render_html(monitor.reports.report_input(KOELN, cfg), cfg, "en")
    assert '<html lang="en">' in html and "Key findings" in html
    obs = monitor.store.observations(indicator_id="anteil_kinder_u6", level="stadtteil",
                                     period="2012")
    median = float(obs["value"].median())
    assert f"above the median of all areas ({fmt_number(median, 1, 'en')}%)" in html
    assert "Gebietsprofile" not in html


def _colour_fraction(png: Path) -> float:
    """Share of clearly coloured pixels (not white, grey or black)."""
    with Image.open(png) as im:
        img = np.asarray(im.convert("RGB")).astype(int)
    spread = img.max(axis=2) - img.min(axis=2)
    return float((spread > 40).mean())


def _pages(pdf: Path, out: Path, pdftoppm: str) -> list[Path]:
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(out / "p")], check=True)
    return sorted(out.glob("p-*.png"))


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")


@pytest.mark.slow
def test_koeln_pdf_pages_not_blank(monitor: Kekiz, tmp_path: Path, pdftoppm: str) -> None:
    cfg = ReportConfig(indicators=["anteil_kinder_u18", "seu_sprachdefizit_synth"],
                       max_profiles=3)
    html = render_html(monitor.reports.report_input(KOELN, cfg), cfg, "de")
    pdf = tmp_path / "koeln.pdf"
    data = html_to_pdf(html, pdf)
    assert data.startswith(b"%PDF")
    pages = _pages(pdf, tmp_path, pdftoppm)
    texts = _page_texts(pdf)
    assert len(pages) >= 8
    # A4 portrait at 40 dpi
    with Image.open(pages[0]) as first:
        w, h = first.size
    assert abs(w / h - 210 / 297) < 0.01
    # page numbers and a table of contents with page numbers
    assert re.search(r"Seite 2 von \d+", texts[1])
    assert re.search(r"Karten und Indikatoren\s*(\.\s*)*\d+", texts[0])
    map_pages = [i for i, t in enumerate(texts) if "Tabelle: Sprachauffälligkeiten" in t
                 or "Anteil der Kinder und Jugendlichen unter 18 Jahren an der" in t]
    assert map_pages
    fractions = [_colour_fraction(p) for p in pages]
    for i in map_pages:
        if "(2012)" in texts[i] and i < len(fractions):
            assert fractions[i] > 0.03 or fractions[min(i + 1, len(fractions) - 1)] > 0.03
    coloured = [f for f in fractions if f > 0.05]
    assert len(coloured) >= 3, fractions  # maps, class map, charts
    # every page has some ink
    for p in pages:
        with Image.open(p) as im:
            ink = (np.asarray(im.convert("L")) < 200).mean()
        assert ink > 0.002, p.name


@pytest.mark.slow
def test_network_pdf(monitor: Kekiz, tmp_path: Path, pdftoppm: str) -> None:
    cfg = ReportConfig(indicators=["kinderarmut"], max_profiles=2)
    out = tmp_path / "netzwerk.pdf"
    result = monitor.reports.report("network", out, config=cfg)
    assert result.fmt == "pdf" and out.read_bytes().startswith(b"%PDF")
    pages = _pages(out, tmp_path, pdftoppm)
    fractions = [_colour_fraction(p) for p in pages]
    assert sum(f > 0.05 for f in fractions) >= 2, fractions


def test_report_writes_html_by_kreis_key(monitor: Kekiz, tmp_path: Path) -> None:
    """A kreisfreie Stadt by its Kreis key gives the same district report."""
    cfg = ReportConfig(sections=["findings"], indicators=["anteil_kinder_u6"])
    result = monitor.reports.report("05315", tmp_path / "k.html", config=cfg)
    assert result.key == KOELN and result.name == "Köln"
    text = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert "86 Stadtteilen" in text
    assert not re.search(r"""(src|href)=["']https?://""", text), "no external resources"


def test_peer_report_for_town_without_districts(monitor: Kekiz) -> None:
    inp = monitor.reports.report_input("05162004")  # Dormagen: no sub-areas in the store
    assert inp.mode == "peers" and inp.highlight == ["05162004"]
    assert len(inp.areas) == len(monitor.store.units_frame("gemeinde"))
    assert [p.unit_id for p in inp.profiles] == ["05162004"]
    assert pd.Series([i.indicator.id for i in inp.indicators]).is_unique


def test_cli_report_and_batch(report_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kekiz.cli.main import app

    cfg = tmp_path / "bericht.yaml"
    cfg.write_text("sections: [findings, indicators]\nindicators: [kinderarmut]\n",
                   encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["--store", report_url, "report", "05913", "--config", str(cfg),
                              "--lang", "en", "-o", str(tmp_path / "dortmund.html")])
    assert res.exit_code == 0, res.output
    assert "Report Dortmund (05913) written" in res.output
    text = (tmp_path / "dortmund.html").read_text(encoding="utf-8")
    assert "Key findings" in text and "Dortmund" in text
    res = runner.invoke(app, ["--store", report_url, "report-batch", "--limit", "1",
                              "--config", str(cfg), "-o", str(tmp_path / "all")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["05111.html",
                                                                   "netzwerk.html"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("classes: 20\n", encoding="utf-8")
    res = runner.invoke(app, ["--store", report_url, "report", "05315", "--config", str(bad),
                              "-o", str(tmp_path / "x.html")])
    assert res.exit_code != 0
    assert "classes" in str(res.exception) or "classes" in res.output
