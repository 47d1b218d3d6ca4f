"""Missing-value markers in record files (issue #18): ``-9999``, ``-999``, ``.``, ``x``
and, in a percentile (a share), ``-1`` are read as missing - never as data - and counted
in the import's notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kekiz.domain.missing import DEFAULT_MISSING, MissingTally
from kekiz.records.columns import as_float, without_markers
from tests.records.conftest import copy_store, monitor_for, small_schema
from tests.records.test_bad_inputs import _csv, _set

SCHEMA = small_schema("adipositas")


def test_without_markers_on_a_text_column() -> None:
    col = pa.array(["12,5", "-9999", ".", "x", "", "-1", "k. A.", "-999,0", "nan", None])
    values, bad = as_float(col)
    tally = MissingTally()
    out, still_bad = without_markers(col, values, bad, DEFAULT_MISSING, tally, "bmi")
    assert out[0] == 12.5 and out[5] == -1.0  # -1 is a value outside a share column
    assert np.isnan(out[[1, 2, 3, 4, 7, 9]]).all()
    assert still_bad.tolist() == [False] * 6 + [True, False, True, False]
    assert tally.missing == {"-9999": {"bmi": 1}, "-999": {"bmi": 1}, ".": {"bmi": 1},
                             "x": {"bmi": 1}}
    assert tally.kept == {"-1": {"bmi": 1}}
    share_tally = MissingTally()
    out, _ = without_markers(col, values, bad, DEFAULT_MISSING, share_tally, "p", share=True)
    assert np.isnan(out[5]) and share_tally.missing["-1"] == {"p": 1}


def test_without_markers_on_a_typed_column() -> None:
    col = pa.array([14.0, -9999.0, 20.5], pa.float64())
    values, bad = as_float(col)
    tally = MissingTally()
    out, _ = without_markers(col, values, bad, DEFAULT_MISSING, tally, "groesse")
    assert out[0] == 14.0 and np.isnan(out[1]) and tally.total() == 1


@pytest.fixture(scope="module")
def good(demo_base: Path, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    m = monitor_for(f"sqlite:///{demo_base}")
    try:
        out = tmp_path_factory.mktemp("good") / "seu.parquet"
        path = m.records.generate_records(out, years="2012", seed=5, records=400).path
    finally:
        m.close()
    return pq.read_table(path)


def test_markers_in_a_record_file_are_missing_not_data(good: pa.Table, demo_base: Path,
                                                       tmp_path: Path) -> None:
    """bmi_perzentil -9999 in rows 3 and 9, -1 in row 5, '.' in row 7: before #18 the
    import was rejected ('außerhalb von 0 bis 100'); now the four records have no
    percentile and the note counts them."""
    table = _set(good, "bmi_perzentil", [3, 9], -9999)
    table = _set(table, "bmi_perzentil", [5], -1)
    table = _set(table, "bmi_perzentil", [7], ".")
    path = _csv(table, tmp_path / "SYNTHETISCH_marker.csv")
    url = copy_store(demo_base, tmp_path / "kekiz.db")
    m = monitor_for(url)
    try:
        result = m.records.import_records(path, schema=SCHEMA)
    finally:
        m.close()
    assert "2 Werte '-9999' als fehlend gelesen (Spalte 'bmi_perzentil')." in result.notes
    assert "1 Wert '-1' als fehlend gelesen (Spalte 'bmi_perzentil')." in result.notes
    assert "1 Wert '.' als fehlend gelesen (Spalte 'bmi_perzentil')." in result.notes
    assert result.stats["missing_markers"] == {"-9999": {"bmi_perzentil": 2},
                                               "-1": {"bmi_perzentil": 1},
                                               ".": {"bmi_perzentil": 1}}
