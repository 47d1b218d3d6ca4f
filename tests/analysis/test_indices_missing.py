"""Missing-value markers in composite indices and in the MSS file reader (issue #18): a
``-9999`` (or ``-1`` in a status share) is never used as data - the area is excluded as
with an empty cell, and the result counts what was read as missing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kekiz.analysis.indices import compute_index

MSS_DIR = "data/berlin_mss_2013_2019"

HAND = pd.DataFrame({
    "id": ["a", "b", "c", "d", "e"],
    "ew": [1000, 2000, 1500, 800, 900],
    "s1": [1.0, 2.0, 3.0, 4.0, -9999.0],
    "s2": [2.0, 2.0, 4.0, 4.0, 3.0],
    "d1": [0.5, -0.5, 0.0, 0.0, -1.0],
})


def test_minus_9999_in_a_status_share_excludes_the_area() -> None:
    """Area e has s1 = -9999: excluded; a..d get the index of the hand computation of
    tests/analysis/test_indices.py (s1 z: (x - 2.5) / sqrt(1.25), s2 z: (x - 3) / 1, sums
    +-2.341641, +-1.447214, population sd 1.946498)."""
    result = compute_index("mss", HAND, status=["s1", "s2"], population_col="ew")
    expected = np.array([-2.341641, -1.447214, 1.447214, 2.341641]) / 1.946498
    t = result.table
    np.testing.assert_allclose(t.loc[["a", "b", "c", "d"], "status_index"], expected,
                               atol=1e-6)
    assert result.excluded_ids == ["e"]
    assert result.excluded[0].reason == "fehlende Werte in s1"
    assert math.isnan(t.loc["e", "status_index"])
    assert result.notes() == ["1 Wert '-9999' als fehlend gelesen (Spalte 's1')."]
    assert result.params["missing"] == "-9999,-999,-1%,-,–,—"


def test_minus_one_is_missing_in_a_share_but_a_value_in_a_change() -> None:
    """s2 = -1 in area e is a marker (a share cannot be negative); d1 = -1 is a change of
    -1 percentage point, kept as a value and named in the notes."""
    frame = HAND.assign(s1=[1.0, 2.0, 3.0, 4.0, 2.5], s2=[2.0, 2.0, 4.0, 4.0, -1.0])
    result = compute_index("mss", frame, status=["s1", "s2"], dynamics=["d1"],
                           population_col="ew")
    assert result.excluded_ids == ["e"]
    assert result.excluded[0].reason == "fehlende Werte in s2"
    notes = result.notes()
    assert notes[0] == "1 Wert '-1' als fehlend gelesen (Spalte 's2')."
    assert notes[1].startswith("1 Wert(e) '-1' als Zahl gelesen, nicht als fehlend (Spalte "
                               "'d1'): keine Anteilsspalte")


def test_markers_off_uses_the_numbers() -> None:
    result = compute_index("mss", HAND, status=["s1", "s2"], population_col="ew",
                           missing=None)
    assert result.excluded == () and result.notes() == []


def test_minus_9999_population_is_a_missing_population() -> None:
    frame = HAND.assign(s1=[1.0, 2.0, 3.0, 4.0, 2.5], ew=[1000, 2000, 1500, 800, -9999])
    result = compute_index("mss", frame, status=["s1", "s2"], population_col="ew")
    assert [(e.id, e.reason) for e in result.excluded] == [("e", "Einwohnerzahl fehlt")]


def test_berlin_2019_with_markers_equals_the_areas_left_out(shared_dir: Path) -> None:
    """Real data: three Planungsräume get -9999 in s1.  The index of the other 433 is the
    index computed on the published file without those three rows, and the three are
    excluded with their reason - the marker never enters a z-score."""
    year = 2019
    folder = (shared_dir / MSS_DIR / f"berlin-lor-monitoring-social-urban-development-{year}-00")
    path = folder / f"berlin-lor-monitoring-social-urban-development-{year}-00-planning-areas.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    frame = pd.read_csv(path, dtype={"id": str})
    status = [c for c in frame.columns if c[0] == "s" and c[1].isdigit()]
    hit = frame["id"].iloc[[5, 100, 300]].tolist()
    marked = frame.copy()
    marked.loc[marked["id"].isin(hit), status[0]] = -9999.0
    result = compute_index("mss", marked, status=status, population_col="inhabitants")
    reference = compute_index("mss", frame[~frame["id"].isin(hit)], status=status,
                              population_col="inhabitants")
    assert sorted(result.excluded_ids) == sorted(hit)
    ours = result.table["status_index"].drop(hit)
    np.testing.assert_allclose(ours.to_numpy(), reference.table["status_index"].to_numpy(),
                               atol=1e-12)
    assert result.missing.total("-9999") == 3


def test_read_numbers_counts_markers_of_an_mss_file(tmp_path: Path) -> None:
    from kekiz.ingest.frames import read_numbers

    path = tmp_path / "plr.csv"
    path.write_text("id;ew;s1;d1\nA;1000;2,5;-1\nB;-9999;-9999;0,5\nC;800;-1;-\n"
                    "D;900;.;x\n", encoding="utf-8")
    read = read_numbers(path, required=["id"], numeric=["ew", "s1", "d1"],
                        allow_missing=["ew", "s1", "d1"], shares=["s1"])
    frame = read.frame
    assert frame["s1"].isna().tolist() == [False, True, True, True]
    assert frame["d1"].tolist()[0] == -1.0 and frame["d1"].isna().tolist()[1:] == [
        False, True, True]
    assert frame["ew"].isna().tolist() == [False, True, False, False]
    assert read.missing.total() == 6
    assert read.notes() == [
        "2 Werte '-9999' als fehlend gelesen (Spalten 'ew', 's1').",
        "1 Wert '-1' als fehlend gelesen (Spalte 's1').",
        "1 Wert '-' als fehlend gelesen (Spalte 'd1'); in amtlichen Tabellen kann ein Strich "
        "'genau null' bedeuten: dann --missing ohne den Strich angeben.",
        "1 Wert '.' als fehlend gelesen (Spalte 's1').",
        "1 Wert 'x' als fehlend gelesen (Spalte 'd1').",
        "1 Wert(e) '-1' als Zahl gelesen, nicht als fehlend (Spalte 'd1'): keine "
        "Anteilsspalte, dort kann ein negativer Wert echt sein; '-1' gilt nur in "
        "Anteilsspalten als fehlend.",
    ]


def test_read_frame_marker_in_a_required_number_names_the_marker(tmp_path: Path) -> None:
    from kekiz.domain.errors import ImportFailed
    from kekiz.ingest.frames import read_frame

    path = tmp_path / "did.csv"
    path.write_text("id;jahr;y\nA;2020;-9999\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        read_frame(path, required=["id"], numeric=["jahr", "y"])
    assert ("did.csv, Zeile 2, Spalte 'y': '-9999' Wert fehlt ('-9999' gilt als fehlend)"
            in err.value.message)
