"""Event-study chart: renders a non-blank PNG (and SVG) from a DiD result."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kekiz.analysis.did import DidResult, estimate_did
from kekiz.domain.errors import MethodError
from kekiz.reporting.event_study import event_study_figure, write_event_study


@pytest.fixture(scope="module")
def result() -> DidResult:
    rng = np.random.default_rng(7)
    rows = []
    cohorts = [2012] * 10 + [2014] * 10 + [0] * 15
    for i, g in enumerate(cohorts):
        level = rng.normal(5, 1)
        for t in range(2010, 2016):
            y = level + 0.2 * (t - 2010) - (0.5 if g and t >= g else 0.0)
            rows.append({"ags": i, "jahr": t, "start": g, "quote": y + rng.normal(0, 0.1)})
    return estimate_did(pd.DataFrame(rows), outcome="quote", unit="ags", time="jahr",
                        group="start")


def _assert_non_blank_png(path: Path) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = mpimg.imread(path)
    assert image.shape[0] > 200 and image.shape[1] > 300
    rgb = image[..., :3]
    non_white = np.mean(np.any(rgb < 0.9, axis=-1))
    assert 0.005 < non_white < 0.6
    assert float(rgb.std()) > 0.01


def test_png_german_default(result: DidResult, tmp_path: Path) -> None:
    out = write_event_study(result, tmp_path / "ereignisstudie.png")
    _assert_non_blank_png(out)


def test_figure_labels_german_and_english(result: DidResult) -> None:
    fig = event_study_figure(result)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "Programmbeginn" in ax.get_xlabel()
    assert "quote" in ax.get_ylabel()
    assert ax.get_title().startswith("Ereignisstudie")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["vor Programmbeginn", "nach Programmbeginn"]
    # one bar container per phase, one point per event time
    n_points = sum(len(line.get_xdata()) for line in ax.lines if line.get_marker() in "os")
    assert n_points == len(result.by_event)
    fig_en = event_study_figure(result, lang="en", title="Test", outcome_label="rate")
    assert fig_en.axes[0].get_title() == "Test"
    assert "rate" in fig_en.axes[0].get_ylabel()
    assert "programme start" in fig_en.axes[0].get_xlabel()


def test_from_json_dict_and_svg(result: DidResult, tmp_path: Path) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    png = write_event_study(data, tmp_path / "from_json.png", lang="en")
    _assert_non_blank_png(png)
    svg = write_event_study(data, tmp_path / "chart.svg")
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_bad_input(result: DidResult, tmp_path: Path) -> None:
    with pytest.raises(MethodError, match=r"\.png und \.svg"):
        write_event_study(result, tmp_path / "chart.pdf")
    with pytest.raises(MethodError, match="keine Ereignisstudie"):
        event_study_figure({"simple": {"att": 0.1, "se": 0.01}})
