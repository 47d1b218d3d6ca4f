"""Maps and charts of reports drawn once and kept (issue #17): a kept projection or chart
equals a freshly drawn one, and a write to the store (a new data version) is never
answered from what was kept before it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from kekiz.app import Kekiz
from kekiz.reporting import report_charts as charts
from kekiz.reporting import report_svg as svg
from kekiz.reporting.report_config import ReportConfig
from kekiz.reporting.report_html import render_html
from kekiz.settings import load_settings
from tests.conftest import copy_sqlite

KOELN = "05315000"


def _areas(m: Kekiz) -> tuple[list[str], list[object]]:
    inp = m.reports.report_input(KOELN, ReportConfig())
    return list(inp.areas["id"]), list(inp.areas["geometry"])


def test_kept_projection_equals_a_fresh_one(monitor: Kekiz) -> None:
    ids, geoms = _areas(monitor)
    svg.clear_projections()
    first = svg.project_cached(("test", 1), ids, geoms, 220.0, tolerance=0.9, decimals=0,
                               outline=True)
    again = svg.project_cached(("test", 1), ids, geoms, 220.0, tolerance=0.9, decimals=0,
                               outline=True)
    fresh = svg.project(ids, geoms, 220.0, tolerance=0.9, decimals=0, outline=True)
    assert again is first
    assert dataclasses.asdict(first) == dataclasses.asdict(fresh)
    # another width is another projection, not the kept one
    wide = svg.project_cached(("test", 1), ids, geoms, 640.0)
    assert wide.width == 640.0 and wide.paths != first.paths
    assert wide.paths == svg.project(ids, geoms, 640.0).paths


def test_outline_covers_all_areas_and_locator_shows_one(monitor: Kekiz) -> None:
    ids, geoms = _areas(monitor)
    p = svg.project(ids, geoms, 220.0, tolerance=0.9, decimals=0, outline=True)
    # the outline is one shape around the city: its area is the sum of the Stadtteile
    # (within the simplification), not one of them
    def area(path: str) -> float:
        rings = [np.array([[float(v) for v in pt.split(",")] for pt in r.strip("MZ").split()])
                 for r in path.split("Z") if r.strip("MZ").strip()]
        return float(shapely.Polygon(rings[0], rings[1:]).area)
    parts = sum(area(x) for x in p.paths if x)
    assert abs(area(p.outline) - parts) / parts < 0.03
    loc = svg.locator_svg(p, ids[5], label="Lage", colour="#c0392b")
    assert loc.count("<path") == 2 and f'data-id="{ids[5]}"' in loc
    assert p.paths[5] in loc and p.outline in loc


def test_kept_chart_equals_a_fresh_one_and_other_data_draw_anew() -> None:
    charts.clear_charts()
    s = pd.Series([1.0, np.nan, 3.5], index=["2010", "2011", "2012"])
    kw = {"label": "Trend", "y_label": "%", "decimals": 1, "lang": "de",
          "primary": "#1f4e79"}
    first = charts.trend_svg([("Köln", s)], **kw)  # type: ignore[arg-type]
    assert charts.trend_svg([("Köln", s.copy())], **kw) is first  # type: ignore[arg-type]
    charts.clear_charts()
    assert charts.trend_svg([("Köln", s)], **kw) == first  # type: ignore[arg-type]
    changed = s.copy()
    changed["2012"] = 4.5
    other = charts.trend_svg([("Köln", changed)], **kw)  # type: ignore[arg-type]
    assert other != first
    assert other == charts.trend_svg([("Köln", changed)], **kw)  # type: ignore[arg-type]


def test_a_write_is_not_answered_from_kept_maps(report_db: Path, tmp_path: Path) -> None:
    """Reports over a copy of the demo store: after a write that moves one Stadtteil's
    boundary the next report has a new map key, its map shows the new boundary, and it
    equals a report drawn with nothing kept."""
    db = tmp_path / "copy.db"
    copy_sqlite(report_db, db)
    m = Kekiz(load_settings({"store": f"sqlite:///{db}", "lang": "de"}, environ={}))
    try:
        cfg = ReportConfig(sections=["indicators", "profiles"])
        before = m.reports.report_input(KOELN, cfg)
        html_before = render_html(before, cfg, "de")
        uid = str(before.areas["id"].iloc[0])
        unit = m.store.unit(uid)
        assert unit.geometry is not None
        shape = shapely.from_wkb(unit.geometry)
        moved = affinity.scale(shape, 0.5, 0.5)
        version = m.store.data_version()
        with m.store.transaction() as w:
            w.upsert_units([dataclasses.replace(unit, geometry=shapely.to_wkb(moved),
                                                name=unit.name + " (neu)")])
        assert m.store.data_version() > version
        after = m.reports.report_input(KOELN, cfg)
        assert after.map_key != before.map_key
        assert after.areas.loc[0, "name"] == unit.name + " (neu)"
        html_after = render_html(after, cfg, "de")
        assert html_after != html_before and unit.name + " (neu)" in html_after
        svg.clear_projections()
        charts.clear_charts()
        fresh = render_html(m.reports.report_input(KOELN, cfg), cfg, "de")
        assert _without_ids(fresh) == _without_ids(html_after)
        ids = list(after.areas["id"])
        new = svg.project(ids, list(after.areas["geometry"]), 640.0)
        old = svg.project(ids, list(before.areas["geometry"]), 640.0)
        assert new.paths[0] != old.paths[0] and new.paths[0] in html_after
    finally:
        m.close()


def _without_ids(html: str) -> str:
    """The document without the per-SVG id prefixes (a counter of the process)."""
    return re.sub(r"kzr\d+", "kzr", html)
