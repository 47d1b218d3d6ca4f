"""Column conversion: German and English formats, typed Parquet columns, bad rows."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from kekiz.records.columns import _civil_days, as_codes, as_days, as_float, as_text, code_map


def test_dates_in_every_format() -> None:
    days, bad = as_days(pa.array(["2012-03-01", "01.03.2012", "01.03.12", "", None,
                                  "31.02.2012", "40969", "2012-03-01T10:00:00"]))
    ref = float((np.datetime64("2012-03-01") - np.datetime64("1970-01-01")).astype(int))
    assert days[0] == days[1] == days[2] == days[6] == days[7] == ref
    assert np.isnan(days[3]) and np.isnan(days[4]) and not bad[3] and not bad[4]
    assert bad.tolist() == [False, False, False, False, False, True, False, False]
    typed, tbad = as_days(pa.array([date(2012, 3, 1)], pa.date32()))
    assert typed[0] == ref and not tbad.any()


def test_iso_column_with_an_impossible_day() -> None:
    """Every cell shaped YYYY-MM-DD, one of them no calendar date: only that row is bad."""
    days, bad = as_days(pa.array(["2012-02-29", "2012-02-31", None, "1899-12-31"]))
    assert days[0] == (date(2012, 2, 29) - date(1970, 1, 1)).days
    assert bad.tolist() == [False, True, False, True]
    assert np.isnan(days[1:]).all()


def test_calendar_days_agree_with_the_standard_library() -> None:
    first, last = date(1900, 1, 1), date(2100, 12, 31)
    every = [first + timedelta(k) for k in range((last - first).days + 1)]
    days, ok = _civil_days(np.array([d.year for d in every]), np.array([d.month for d in every]),
                           np.array([d.day for d in every]))
    assert ok.all()
    assert days.tolist() == [float((d - date(1970, 1, 1)).days) for d in every]
    _, wrong = _civil_days(np.array([1900, 2011, 2012, 2012, 2101, 1899]),
                           np.array([2, 2, 4, 13, 1, 12]), np.array([29, 29, 31, 1, 1, 31]))
    assert not wrong.any()


def test_numbers_with_decimal_comma() -> None:
    values, bad = as_float(pa.array(["12,5", "3.25", "", "zwölf", " 7 "]))
    assert values[0] == 12.5 and values[1] == 3.25 and values[4] == 7
    assert np.isnan(values[2]) and bad.tolist() == [False, False, False, True, False]
    odd, obad = as_float(pa.array(["1e3", ".5", "-2,", "1.2.3", "1_000", "0x10", "12 cm",
                                   "nan", "inf"]))
    assert odd[:3].tolist() == [1000.0, 0.5, -2.0]
    assert obad.tolist() == [False, False, False, True, True, True, True, True, True]
    typed, tbad = as_float(pa.array([1, None, 3]))
    assert np.isnan(typed[1]) and not tbad.any()


def test_flags_and_text() -> None:
    mapping = code_map([(["ja", "1", "true"], 1), (["nein", "0", "false"], 0)])
    codes, bad = as_codes(pa.array(["Ja", "nein", "", None, "vielleicht", "1", "TRUE"]),
                          mapping)
    assert codes.tolist() == [1, 0, -1, -1, -1, 1, 1]
    assert bad.tolist() == [False, False, False, False, True, False, False]
    bools, bbad = as_codes(pa.array([True, False, None]), mapping)
    assert bools.tolist() == [1, 0, -1] and not bbad.any()
    floats, _ = as_codes(pa.array([1.0, 0.0, None]), mapping)
    assert floats.tolist() == [1, 0, -1]
    assert as_text(pa.array([" a ", "", None])).tolist() == ["a", None, None]
