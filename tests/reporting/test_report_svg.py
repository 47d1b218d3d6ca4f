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
    bars = svg.ranking_svg([("A", 3.0, "3,0"), ("B", -1.0, "-1,0")], label="Rang",
                           highlight=["B"], highlight_colour="#c0392b")
    assert bars.count("<rect") == 2 and 'fill="#c0392b"' in bars and "3,0" in bars
    spark = svg.sparkline_svg([("2010", 1.0), ("2011", None), ("2012", 2.0), ("2013", 3.0)],
                              label="Verlauf")
    assert spark.count("<polyline") == 1 and spark.count("<circle") == 1
    assert svg.sparkline_svg([("2010", None)], label="x") == ""


def test_a_class_has_the_same_colour_on_the_pages_and_in_the_reports() -> None:
    from kekiz.reporting import svg as page_svg

    for k in range(2, 10):
        for polarity in (-1, 0, 1):
            assert svg.class_colours(k, polarity) == page_svg.palette(k, polarity)
    # ColorBrewer YlOrRd (9 classes), five of them as the atlas draws them: positions
    # round(linspace(1, 8, 5)) = 1, 3, 4, 6, 8 (4.5 rounds to even)
    assert svg.class_colours(5, -1) == ["#ffeda0", "#feb24c", "#fd8d3c", "#e31a1c",
                                        "#800026"]
