"""The series of a target on a real time axis (issue #18).

A series has one row per period: ``period`` (the stored label: ``2021``, ``2021-H2``,
``2021-Q3``, ``2021-06``, ``2021-06-30``), ``time`` (its start in decimal years,
:mod:`kekiz.domain.periods`), ``year`` (the calendar year of the period) and ``value``.
Half-years, quarters, months and days keep their own place on the axis; nothing is
collapsed to years.  A frame with only ``year`` and ``value`` (yearly values) is read as
years.
"""

from __future__ import annotations

import math

import pandas as pd

from kekiz.domain.periods import require_period

__all__ = ["COLUMNS", "is_yearly", "json_period", "period_label", "time_series"]

COLUMNS = ["period", "time", "year", "value"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"period": pd.Series(dtype="object"),
                         "time": pd.Series(dtype="float64"),
                         "year": pd.Series(dtype="int64"),
                         "value": pd.Series(dtype="float64")})


def time_series(frame: pd.DataFrame) -> pd.DataFrame:
    """``period``/``value`` rows (or ``year``/``value``) -> the series, sorted by time,
    rows without a value left out."""
    if frame.empty or "value" not in frame.columns:
        return _empty()
    data = frame.dropna(subset=["value"])
    if data.empty:
        return _empty()
    if "period" in data.columns:
        labels = [str(p) for p in data["period"]]
    else:
        labels = [str(int(y)) for y in data["year"]]
    periods = [require_period(label) for label in labels]
    out = pd.DataFrame({"period": [p.label for p in periods],
                        "time": [p.time for p in periods],
                        "year": [p.year for p in periods],
                        "value": data["value"].astype(float).to_numpy()})
    out = out.astype({"time": "float64", "year": "int64", "value": "float64"})
    return out.sort_values("time", kind="stable").reset_index(drop=True)


def is_yearly(series: pd.DataFrame) -> bool:
    """Every period of the series is a whole year."""
    return all(str(p).isdigit() for p in series["period"])


def period_label(series: pd.DataFrame, row: int) -> str:
    return str(series["period"].iloc[row])


def json_period(label: str) -> int | str:
    """A year as a number (as before #18), any other period as its label."""
    return int(label) if label.isdigit() else label


def year_of(time: float) -> int:
    return math.floor(time + 1e-9)
