"""Print SVG of the reports: projection, hatching of withheld values, charts."""

from __future__ import annotations

import re

import shapely

from kekiz.reporting import report_svg as svg


def _squares() -> tuple[list[str], list[object]]:
    ids = ["a", "b", "c"]
    geoms: list[object] = [shapely.box(6.0, 50.0, 6.1, 50.1), shapely.box(6.1, 50.0, 6.2, 50.1),
                           None]
    return ids, geoms


def test_project_keeps_aspect_and_skips_missing_geometry() -> None:
    ids, geoms = _squares()
    p = svg.project(ids, geoms, 400.0)
    assert p.paths[2] == "" and p.paths[0].startswith("M") and p.paths[0].endswith("Z")
    # two boxes 0.2 x 0.1 degrees at 50° N: height = width * 0.1 / (0.2 * cos 50°)
    assert abs(p.height - 400.0 * 0.1 / (0.2 * 0.6427876)) < 1.0
    xs = [float(v) for v in re.findall(r"[-\d.]+", p.paths[1])[0::2]]
    assert max(xs) == 400.0 and min(xs) == 200.0


def test_map_hatches_withheld_and_missing_with_own_ids() -> None:
    ids, geoms = _squares()
    p = svg.project(ids, geoms, 400.0)
    one = svg.map_svg(p, [svg.SUPPRESSED, svg.MISSING, "#ff0000"], ["a: .", "b: –", "c"],
                      label="Karte", highlight=["b"], highlight_colour="#c0392b")
    two = svg.map_svg(p, ["#00ff00", "#00ff00", "#00ff00"], None, label="Karte 2")
    uid = re.search(r'pattern id="(kzr\d+)-s"', str(one)).group(1)  # type: ignore[union-attr]
    assert f'fill="url(#{uid}-s)"' in one and f'fill="url(#{uid}-m)"' in one
    assert uid not in two, "every map has its own pattern ids"
    assert one.count("data-id=") == 2  # the area without geometry is left out
    assert one.count('fill="none" stroke="#c0392b" stroke-width="2.6"') == 1
    assert "<title>a: .</title>" in one and "<title>" not in str(two).replace(
        "<title>Karte 2</title>", "")


def test_colours_follow_polarity() -> None:
    worse = svg.class_colours(5, -1)
    better = svg.class_colours(5, 1)
    assert len(worse) == 5 and worse != better
    # light to dark: the red channel of YlOrRd falls towards the dark end
    assert int(worse[0][1:3], 16) > int(worse[-1][1:3], 16)


def test_ranking_and_sparkline() -> None:
    from kekiz.reporting.svg import ranking_chart, sparkline

    bars = ranking_chart([("A", 3.0, "3,0"), ("B", -1.0, "-1,0")], label="Rang",
                         highlight=["B"], highlight_colour="#c0392b")
    assert bars.count("<rect") == 2 and 'fill="#c0392b"' in bars and "3,0" in bars
    points = [("2010", 1.0), ("2011", None), ("2012", 2.0), ("2013", 3.0)]
    spark = sparkline(points, label="Verlauf", mark_last=False, colour="#1f4e79")
    assert spark.count("<polyline") == 1 and spark.count("<circle") == 1
    assert 'stroke="#1f4e79"' in spark
    # the pages' form marks the last value
    assert sparkline(points, label="Verlauf").count("<circle") == 2
    assert sparkline([("2010", None)], label="x") == ""
    assert sparkline([("2010", float("nan")), ("2011", 1.0), ("2012", 2.0)],
                     label="x").count("<polyline") == 1


def test_a_class_has_the_same_colour_on_the_pages_and_in_the_reports() -> None:
    from kekiz.reporting import svg as page_svg

    for k in range(2, 10):
        for polarity in (-1, 0, 1):
            assert svg.class_colours(k, polarity) == page_svg.palette(k, polarity)
    # ColorBrewer YlOrRd (9 classes), five of them as the atlas draws them: positions
    # round(linspace(1, 8, 5)) = 1, 3, 4, 6, 8 (4.5 rounds to even)
    assert svg.class_colours(5, -1) == ["#ffeda0", "#feb24c", "#fd8d3c", "#e31a1c",
                                        "#800026"]


def _texts(chart: str) -> list[tuple[float, float, str, str]]:
    """(x, y, anchor, text) of the unrotated texts of a chart."""
    import re

    return [(float(x), float(y), anchor or "start", text) for x, y, anchor, text in re.findall(
        r'<text x="([-\d.]+)" y="([-\d.]+)"(?: text-anchor="(\w+)")?[^>]*>([^<]*)</text>',
        chart)]


def _inside(chart: str) -> None:
    """Every text's estimated box lies inside the viewBox (6.5 px per character)."""
    import re

    width, height = (float(v) for v in re.search(
        r'viewBox="0 0 ([\d.]+) ([\d.]+)"', chart).groups())  # type: ignore[union-attr]
    for x, y, anchor, text in _texts(chart):
        w = 6.5 * len(text)
        x0 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
        assert x0 >= 0 and x0 + w <= width and 8 <= y <= height, (text, x, y, width, height)


def test_report_trend_is_the_shared_line_chart_with_title_and_legend() -> None:
    """Report trends come from the pages' line chart: the y title along the axis, a
    legend of the lines below the plot, gaps for withheld values, German numbers, every
    label inside the chart."""
    import pandas as pd

    from kekiz.reporting.report_charts import clear_charts, trend_svg

    clear_charts()
    koeln = pd.Series({"2019": 20.5, "2020": float("nan"), "2021": 22.25, "2022": 23.0})
    nrw = pd.Series({"2019": 18.0, "2020": 18.5, "2021": 19.0, "2022": 19.25})
    chart = str(trend_svg([("Köln", koeln), ("Nordrhein-Westfalen", nrw)],
                          label="Verlauf: Kinderarmut", y_label="Kinderarmut (%)",
                          decimals=1, lang="de", primary="#123456"))
    assert "matplotlib" not in chart
    assert 'rotate(-90)">Kinderarmut (%)</text>' in chart
    assert ">Köln</text>" in chart and ">Nordrhein-Westfalen</text>" in chart  # legend
    assert 'stroke="#123456"' in chart  # the report's primary colour first
    # Köln's line breaks at the withheld 2020: two points on each side are one line
    # before (only one point, a dot) and one after
    koeln_group = chart.split('data-name="Köln">')[1].split("</g>")[0]
    assert koeln_group.count("<polyline") == 1 and koeln_group.count("<circle") == 3
    assert "Köln, 2021: 22,2" in chart or "Köln, 2021: 22,3" in chart
    _inside(chart)
    single = str(trend_svg([("Köln", koeln)], label="x", y_label="", decimals=0, lang="en",
                           primary="#123456"))
    assert ">Köln</text>" not in single  # one line: no legend


def test_funnel_chart_marks_areas_beyond_the_limits_on_a_log_axis() -> None:
    """The funnel plot of the reports: points over log denominators, red beyond a limit,
    the highlighted area ringed and named, limits as dashed lines, ticks at 10^k."""
    import re

    import pandas as pd

    from kekiz.reporting.report_charts import clear_charts, funnel_svg

    clear_charts()
    n = [50.0, 200.0, 1000.0, 5000.0]
    frame = pd.DataFrame({
        "unit_id": ["Chorweiler", "Porz", "Lindenthal", "Mülheim"], "denominator": n,
        "value": [35.0, 20.0, 12.0, 21.0], "target": 20.0,
        "lower_95": [9.0, 14.5, 17.5, 18.9], "upper_95": [31.0, 25.5, 22.5, 21.1],
        "lower_998": [5.0, 12.0, 16.0, 18.3], "upper_998": [35.0, 28.0, 24.0, 21.7],
        "outside": [1, 0, -2, 0]})
    chart = str(funnel_svg(frame, label="Funnel", highlight="Chorweiler", lang="de"))
    circles = chart.count('fill-opacity="0.85"')
    assert circles == 4
    assert chart.count('fill="#c0392b" fill-opacity') == 2  # Chorweiler and Lindenthal
    assert 'r="6" fill="none"' in chart and ">Chorweiler</text>" in chart
    assert chart.count("<polyline") == 4  # two limits, lower and upper
    for tick in (">100</text>", ">1.000</text>"):
        assert tick in chart
    assert "Nenner (log. Skala)" in chart and "99,8 %" in chart and "Gesamtwert" in chart
    # larger denominators lie further right
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"[^>]*fill-opacity', chart)]
    assert xs == sorted(xs)
    _inside(chart)
    english = str(funnel_svg(frame, label="Funnel", highlight=None, lang="en"))
    assert "denominator (log scale)" in english and ">1,000</text>" in english
