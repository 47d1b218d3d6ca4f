"""Charts of actual, target and forecast: PNG/SVG bytes, German labels, reproducible."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.domain.goals import Direction, Target
from kekiz.goals.charts import scorecard_chart, target_chart
from kekiz.goals.progress import TargetProgress, assess

PNG = b"\x89PNG\r\n\x1a\n"


def _progress(values: list[float] | None = None, target: float = 4.0) -> TargetProgress:
    values = [5.12, 4.27, 5.22, 5.12, 4.89, 4.58, 5.85, 5.96, 4.91, 5.26] if values is None \
        else values
    series = pd.DataFrame({"year": range(2012, 2012 + len(values)), "value": values})
    return assess("Z3", Target("schulabgaenger_ohne_abschluss", target, 2030,
                               Direction.DECREASE, unit_id="05315000"), series,
                  unit_id="05315000", unit_name="Köln",
                  indicator_name_de="Schulabgänger ohne Abschluss",
                  indicator_name_en="School leavers without qualification",
                  indicator_unit="%", decimals=1, polarity=-1, default_baseline_year=2017)


def _svg_text(data: bytes) -> str:
    root = ET.fromstring(data)
    return " ".join(t for el in root.iter() if el.tag.endswith("text")
                    for t in el.itertext())


def test_target_chart_png_and_svg() -> None:
    p = _progress()
    png = target_chart(p)
    assert png.startswith(PNG) and len(png) > 10_000
    svg = target_chart(p, fmt="svg", note="Demo: illustrativ")
    text = _svg_text(svg)
    for label in ("Ist-Werte", "Zielpfad", "Trendprognose", "95-%-Prognoseintervall",
                  "Ausgangswert 2017", "Ziel 2030", "Status: gefährdet", "Jahr",
                  "Schulabgänger ohne Abschluss (%) – Köln", "Demo: illustrativ"):
        assert label in text, label
    assert "5,0" in text  # decimal comma on the value axis


def test_english_labels() -> None:
    text = _svg_text(target_chart(_progress(), fmt="svg", lang="en"))
    for label in ("observed", "target path", "trend forecast", "status: at risk",
                  "School leavers without qualification"):
        assert label in text, label


def test_svg_is_reproducible() -> None:
    assert target_chart(_progress(), fmt="svg") == target_chart(_progress(), fmt="svg")


def test_scorecard_small_multiples_and_empty_series() -> None:
    improving = [6.0, 5.8, 5.6, 5.5, 5.3, 5.2, 5.0, 4.9, 4.7, 4.6]
    rows = [_progress(), _progress(improving, target=6.5), _progress([]), _progress([7.0])]
    svg = scorecard_chart(rows, title="Leitbild Test – Köln", fmt="svg", note="Demo")
    text = _svg_text(svg)
    assert "Leitbild Test – Köln" in text
    for label in ("Status: gefährdet", "Status: auf Kurs", "Status: keine Daten",
                  "keine Werte im Store"):
        assert label in text, label
    assert scorecard_chart(rows).startswith(PNG)


def test_bad_arguments() -> None:
    with pytest.raises(MethodError, match="png oder svg"):
        target_chart(_progress(), fmt="pdf")
    with pytest.raises(MethodError, match="de oder en"):
        target_chart(_progress(), lang="fr")
    with pytest.raises(MethodError, match="Keine Ziele"):
        scorecard_chart([])


def test_half_years_lie_at_their_place_on_the_calendar() -> None:
    """Issue #18: a half-year series is drawn at the start of each half (H2 = year +
    181/365, 182/366 in 2020), the baseline at its period, the band from the last half."""
    from matplotlib.figure import Figure

    from kekiz.goals.charts import _draw

    series = pd.DataFrame({"period": ["2019-H1", "2019-H2", "2020-H1", "2020-H2"],
                           "value": [12.0, 11.4, 11.5, 10.6]})
    p = assess("Z3", Target("kinderarmut", 8.0, 2024, Direction.DECREASE, baseline_year=2020),
               series, unit_id="05315000", unit_name="Köln", indicator_name_de="Kinderarmut",
               indicator_unit="%", decimals=1, polarity=-1)
    ax = Figure().add_subplot()
    _draw(ax, p, "de", legend=True, small=False)
    lines = {line.get_label(): line for line in ax.lines}
    assert list(lines["Ist-Werte"].get_xdata()) == pytest.approx(
        [2019.0, 2019 + 181 / 365, 2020.0, 2020 + 182 / 366])
    assert list(lines["Ausgangswert 2020-H2"].get_xdata()) == pytest.approx(
        [2020 + 182 / 366])
    assert lines["Trendprognose"].get_xdata()[0] == pytest.approx(2020 + 182 / 366)
    assert "Ausgangswert 2020-H2" in _svg_text(target_chart(p, fmt="svg"))
