"""Column conversion: German and English formats, typed Parquet columns, bad rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from kekiz.records.columns import as_codes, as_days, as_float, as_text, code_map


def test_dates_in_every_format() -> None:
    days, bad = as_days(pa.array(["2012-03-01", "01.03.2012", "01.03.12", "", None,
                                  "31.02.2012", "40969", "2012-03-01T10:00:00"]))
    ref = float((np.datetime64("2012-03-01") - np.datetime64("1970-01-01")).astype(int))
    assert days[0] == days[1] == days[2] == days[6] == days[7] == ref
    assert np.isnan(days[3]) and np.isnan(days[4]) and not bad[3] and not bad[4]
    assert bad.tolist() == [False, False, False, False, False, True, False, False]
    typed, tbad = as_days(pa.array([date(2012, 3, 1)], pa.date32()))
    assert typed[0] == ref and not tbad.any()


def test_numbers_with_decimal_comma() -> None:
    values, bad = as_float(pa.array(["12,5", "3.25", "", "zwölf", " 7 "]))
    assert values[0] == 12.5 and values[1] == 3.25 and values[4] == 7
    assert np.isnan(values[2]) and bad.tolist() == [False, False, False, True, False]
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
