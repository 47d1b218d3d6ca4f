"""SVG maps and charts: projection, accessibility, hatching, escaping."""

from __future__ import annotations

import re

import shapely

from kekiz.reporting.svg import Area, Series, bar_chart, choropleth, line_chart, palette, sparkline


def test_choropleth_links_titles_hatches_and_projection() -> None:
    west = shapely.box(6.0, 51.0, 7.0, 52.0)
    east = shapely.box(7.0, 51.0, 8.0, 52.0)
    holed = shapely.Polygon(shapely.box(8, 51, 9, 52).exterior.coords,
                            [shapely.box(8.4, 51.4, 8.6, 51.6).exterior.coords])
    svg = str(choropleth([
        Area("w", west, "#ff0000", "West <1>", "/unit/w"),
        Area("e", east, "suppressed", "Ost: .", "/unit/e"),
        Area("h", holed, "missing", "Loch", None),
        Area("n", None, "#000000", "ohne Geometrie", "/unit/n")], label="Karte & Test"))
    assert svg.count("<a ") == 2 and 'aria-label="Karte &amp; Test"' in svg
    assert "<title>West &lt;1&gt;</title>" in svg
    assert 'fill="url(#kz-hatch-suppressed)"' in svg and 'fill="url(#kz-hatch-missing)"' in svg
    assert "ohne Geometrie" not in svg
    # local projection: a square degree at 51.5° is about cos(51.5°) = 0.62 as wide as high
    w, h = map(float, re.search(r'viewBox="-2 -2 (\S+) (\S+)"', svg).groups())  # type: ignore[union-attr]
    assert abs((h - 4) / (w - 4) - 1 / (3 * 0.6225)) < 0.02
    # the hole is a second ring drawn even-odd
    hole_path = re.findall(r'<g class="area" data-id="h"><title>Loch</title><path d="([^"]+)"',
                           svg)[0]
    assert hole_path.count("M") == 2 and 'fill-rule="evenodd"' in svg


def test_palette_by_polarity() -> None:
    assert palette(5, -1)[-1] != palette(5, 1)[-1]
    assert len(palette(9, 0)) == 9 and len(set(palette(9, 0))) == 9
    assert palette(0, 1) == []


def test_charts() -> None:
    spark = str(sparkline([("2010", 1.0), ("2011", None), ("2012", 3.0), ("2013", 2.0)],
                          label="Verlauf"))
    assert spark.count("<polyline") == 1 and spark.count("<circle") == 2
    assert str(sparkline([("2010", 1.0)], label="x")) == ""
    chart = str(line_chart([Series("A & B", [("2010", 1.0), ("2011", 2.0)]),
                            Series("C", [("2010", 2.0), ("2011", 1.5), ("2012", None)])],
                           label="Zeitreihe", fmt=lambda v: f"{v:.1f}".replace(".", ",")))
    assert "A &amp; B, 2011: 2,0" in chart and 'stroke-dasharray="6 3"' in chart
    bars = str(bar_chart([("2012", 0.5), ("2017", 0.25)], label="R", fmt=str, maximum=1.0))
    assert bars.count("<rect") == 2
