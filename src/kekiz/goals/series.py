"""The series of a target on a real time axis (issue #18).

A series has one row per period: ``period`` (the stored label: ``2021``, ``2021-H2``,
``2021-Q3``, ``2021-06``, ``2021-06-30``), ``time`` (its start in decimal years,
:mod:`kekiz.domain.periods`), ``year`` (the calendar year of the period) and ``value``.
Half-years, quarters, months and days keep their own place on the axis; nothing is
collapsed to years.  A frame with only ``year`` and ``value`` (yearly values) is read as
years.

"The value of year ``T``" is the value of the last period of ``T`` - for the baseline, for
an observed target year and for the forecast alike: :func:`target_point` places the
target year at the last period of ``T`` of the series' kind (``T`` itself for yearly
values, ``T-H2`` for half-years, ``T-Q4``, ``T-12``, the latest day of the year the series
reports, the school year ``T/T+1``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kekiz.domain.periods import Period, parse_period, require_period

__all__ = ["COLUMNS", "is_yearly", "json_period", "period_label", "same_period_in",
           "target_point", "time_series"]

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
    if list(frame.columns) == COLUMNS:  # already a series (or a part of one)?
        times = frame["time"].to_numpy(dtype="float64")
        values = frame["value"].to_numpy(dtype="float64")
        if bool(np.all(np.diff(times) >= 0)) and not np.isnan(values).any():
            if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 \
                    and frame.index.step == 1:
                return frame
            return frame.reset_index(drop=True)
    data = frame.dropna(subset=["value"])
    if data.empty:
        return _empty()
    if "period" in data.columns:
        labels = [str(p) for p in data["period"]]
    else:
        labels = [str(int(y)) for y in data["year"]]
    periods = [require_period(label) for label in labels]
    times = np.array([p.time for p in periods], dtype="float64")
    order = np.argsort(times, kind="stable")
    return pd.DataFrame({
        "period": [periods[i].label for i in order], "time": times[order],
        "year": np.array([periods[i].year for i in order], dtype="int64"),
        "value": data["value"].to_numpy(dtype="float64")[order]})


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


def target_point(series: pd.DataFrame, year: int) -> tuple[str, float]:
    """(label, time) of the last period of ``year`` of the series' kind (see above)."""
    if series.empty:
        return str(year), float(year)
    last = require_period(str(series["period"].iloc[-1]))
    label = {"year": f"{year}", "half": f"{year}-H2", "quarter": f"{year}-Q4",
             "month": f"{year}-12", "schoolyear": f"{year}/{(year + 1) % 100:02d}"}.get(
        last.kind)
    if label is None:  # days: the latest day of a year the series reports, in ``year``
        days = [p for p in map(require_period, series["period"].astype(str))
                if p.kind == "day"]
        month_day = max((p.start.month, p.start.day) for p in days)
        found = _day_in(year, *month_day)
    else:
        found = parse_period(label)
    assert found is not None
    return found.label, found.time


def _day_in(year: int, month: int, day: int) -> Period | None:
    for d in (day, day - 1):  # 29 February in a common year -> 28 February
        found = parse_period(f"{year}-{month:02d}-{d:02d}")
        if found is not None:
            return found
    return None


def same_period_in(label: str, year: int) -> Period:
    """The period of ``label``'s kind and place in ``year`` (``2021-H2`` -> ``2024-H2``;
    29 February -> 28 February in a common year)."""
    p = require_period(label)
    if p.kind == "day":
        found = _day_in(year, p.start.month, p.start.day)
    elif p.kind == "schoolyear":
        found = parse_period(f"{year}/{(year + 1) % 100:02d}")
    else:
        found = parse_period(f"{year}{label[4:]}")
    assert found is not None
    return found
