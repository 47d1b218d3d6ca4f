"""Progress towards a target: baseline, current value, a trend forecast and a status.

"Turn the curve" (Results-Based Accountability): the forecast continues the recent
trend of the indicator to the target year, so the steering group sees where the curve
is heading if nothing changes.

Forecast: ordinary least squares of the value on the time over the last ``window``
values (default 10; :func:`kekiz.analysis.trends.slopes`), extended to the target year,
with a 95 % *prediction* interval for the value observed in that year:
``ŷ ± t(0.975, n - 2) · s · sqrt(1 + 1/n + (x₀ - x̄)² / Sxx)``.  Forecast and interval are
cut to the indicator's possible range (:func:`value_range`: never below 0 when no observed
value is, never above 100 for a percentage), with a note giving the uncut value.

Time axis (issue #18): the series keeps every period - years, half-years, quarters,
months, days, school years (:mod:`kekiz.goals.series`) - at its start in decimal years of
the calendar (:mod:`kekiz.domain.periods`); slopes are per year.  The value of a year is
that of its last period, so the forecast for the target year ``T`` is made at the last
period of ``T`` of the series' kind (:func:`kekiz.goals.series.target_point`: ``T``
itself for yearly values, ``T-H2`` for half-years, ``T/T+1`` for school years).  For
yearly series nothing changes.

Status rule (:data:`RULE_DE` / :data:`RULE_EN`):

* **auf Kurs** – the forecast for the target year reaches the target;
* **gefährdet** – the forecast misses it, but the target lies inside the interval;
* **nicht auf Kurs** – the target lies outside the interval;
* **keine Daten** – no values, or fewer than 3 values for a forecast (unless the
  current value already reaches the target: then auf Kurs, with a note).  With a single
  yearly value the reason and label say so ("nur Basiswert, kein Trend"): the value is
  the baseline, and a trend needs a time series;
* when the target year is already observed, the observed value decides (reached: auf
  Kurs, missed: nicht auf Kurs);
* a value that got worse than its baseline (moved away from the target: up for
  *senken*, down for *steigern*, against the polarity for *halten*) is never auf Kurs:
  at best gefährdet (issue #19).

"Reaches" follows the direction: *senken* – at or below the target; *steigern* – at or
above; *halten* – on the good side of the target by the indicator's polarity (at or
below when higher is worse, at or above when higher is better) or, for a neutral
indicator, within ± tolerance (default 5 % of the target).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kekiz.analysis.trends import line_fit, slopes
from kekiz.domain.errors import MethodError
from kekiz.domain.goals import Direction, GoalStatus, Target
from kekiz.goals.series import (
    is_yearly,
    json_period,
    same_period_in,
    target_point,
    time_series,
    year_of,
)

__all__ = ["MIN_VALUES", "RULE_DE", "RULE_EN", "Forecast", "TargetProgress", "assess",
           "baseline_of", "fit_forecast", "forecast_band", "got_worse", "reaches",
           "time_series",
           "value_range", "yearly"]

MIN_VALUES = 3
LEVEL = 0.95

RULE_DE = ("Regel: auf Kurs, wenn die Trendprognose (OLS über die letzten {w} Werte) im "
           "Zieljahr den Zielwert erreicht; gefährdet, wenn sie ihn verfehlt, der Zielwert "
           "aber im 95-%-Prognoseintervall liegt; nicht auf Kurs, wenn er außerhalb liegt; "
           "keine Daten bei weniger als 3 Werten (außer das Ziel ist schon erreicht; "
           "ein einziger Wert ist nur der Basiswert, ohne Trend). Ist "
           "das Zieljahr schon beobachtet, entscheidet der beobachtete Wert. Hat sich der "
           "Wert seit dem Basiswert vom Ziel weg entwickelt (verschlechtert), heißt es nie "
           "„auf Kurs“, sondern höchstens „gefährdet“.")
RULE_EN = ("Rule: on track if the trend forecast (OLS over the last {w} values) reaches the "
           "target in the target year; at risk if it misses it but the target lies inside "
           "the 95% prediction interval; off track if the target lies outside; no data with "
           "fewer than 3 values (unless the target is already reached; a single value "
           "is only the baseline, without a trend). Once the target year "
           "is observed, the observed value decides. If the value has moved away from the "
           "target since the baseline (got worse), the status is never on track, at best "
           "at risk.")


_DETAIL_DE = {"baseline_only": "nur Basiswert, kein Trend",
              "too_few_values": "zu wenige Werte für einen Trend"}
_DETAIL_EN = {"baseline_only": "baseline only, no trend",
              "too_few_values": "too few values for a trend"}


def yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """The series of ``period``/``value`` rows on the real time axis: since #18 every
    period keeps its own row (the name is kept for callers; it is :func:`time_series`)."""
    return time_series(frame)


@dataclass(frozen=True)
class Forecast:
    """A fitted linear trend and its prediction interval at any year."""

    slope: float
    intercept: float
    slope_low: float
    slope_high: float
    s: float  # residual standard deviation
    n: int
    x_mean: float
    sxx: float
    first_year: int
    last_year: int
    level: float = LEVEL
    #: the indicator's possible range (a share lies in 0..100 %, a count is never negative):
    #: the forecast and its interval are cut to it, a straight line is not
    floor: float = -math.inf
    ceiling: float = math.inf
    #: the first and last fitted period (labels) and the time of the last one
    first_period: str = ""
    last_period: str = ""
    last_time: float = math.nan

    def at(self, year: float) -> tuple[float, float, float]:
        """(forecast, lower, upper) at the time ``year`` (decimal years; a target year
        ``T`` is ``T``), within ``floor``..``ceiling``."""
        yhat = self.intercept + self.slope * year
        tq = float(stats.t.ppf(0.5 + self.level / 2, self.n - 2))
        half = tq * self.s * math.sqrt(1 + 1 / self.n + (year - self.x_mean) ** 2 / self.sxx)
        return self.bounded(yhat), self.bounded(yhat - half), self.bounded(yhat + half)

    def bounded(self, value: float) -> float:
        return min(max(value, self.floor), self.ceiling)


def value_range(values: pd.Series, unit: str) -> tuple[float, float]:
    """The possible range of an indicator: non-negative when every observed value is,
    at most 100 for a percentage whose observed values are."""
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if finite.empty:
        return -math.inf, math.inf
    floor = 0.0 if float(finite.min()) >= 0 else -math.inf
    percent = unit.strip().lower() in ("%", "prozent", "percent")
    ceiling = 100.0 if percent and float(finite.max()) <= 100 else math.inf
    return floor, ceiling


def fit_forecast(series: pd.DataFrame, window: int = 10, level: float = LEVEL
                 ) -> Forecast | None:
    """OLS trend over the last ``window`` values (periods) on the time axis; ``None``
    with fewer than 3."""
    if window < MIN_VALUES:
        raise MethodError(f"Prognosefenster {window}: erwartet mindestens {MIN_VALUES} Werte.",
                          message_en=f"Forecast window {window}: expected at least "
                          f"{MIN_VALUES} values.")
    data = time_series(series).tail(window)
    if len(data) < MIN_VALUES:
        return None
    x = data["time"].to_numpy(dtype=float)
    if len(np.unique(x)) == len(x):
        fit = line_fit(x, data["value"].to_numpy(dtype=float), level)
    else:  # slopes() names the duplicated periods
        frame = pd.DataFrame({"unit": "u", "period": x, "value": data["value"].to_numpy()})
        row = slopes(frame, level=level, segment="all").iloc[0]
        fit = {str(k): v for k, v in row.items()}
    sxx = float(((x - x.mean()) ** 2).sum())
    return Forecast(slope=float(fit["slope"]), intercept=float(fit["intercept"]),
                    slope_low=float(fit["ci_low"]), slope_high=float(fit["ci_high"]),
                    s=float(fit["se"]) * math.sqrt(sxx), n=int(fit["n"]),
                    x_mean=float(x.mean()), sxx=sxx, first_year=int(data["year"].iloc[0]),
                    last_year=int(data["year"].iloc[-1]), level=level,
                    first_period=str(data["period"].iloc[0]),
                    last_period=str(data["period"].iloc[-1]), last_time=float(x.max()))


def _region(target: Target, polarity: int) -> tuple[float, float]:
    """The interval of values that reach the target."""
    t = target.target_value
    d = target.direction
    if d is Direction.MAINTAIN:
        if polarity < 0:
            d = Direction.DECREASE
        elif polarity > 0:
            d = Direction.INCREASE
        else:
            tol = target.tolerance if target.tolerance is not None else abs(t) * 0.05
            return (t - tol, t + tol)
    if d is Direction.DECREASE:
        return (-math.inf, t)
    return (t, math.inf)


def reaches(value: float, target: Target, polarity: int = 0) -> bool:
    lo, hi = _region(target, polarity)
    return lo - 1e-12 <= value <= hi + 1e-12


def _overlaps(low: float, high: float, target: Target, polarity: int) -> bool:
    lo, hi = _region(target, polarity)
    return high >= lo - 1e-12 and low <= hi + 1e-12


@dataclass
class TargetProgress:
    """Where one target stands (one unit).  ``to_dict()`` is JSON-ready."""

    goal_id: str
    target: Target
    unit_id: str
    unit_name: str
    indicator_name_de: str
    indicator_name_en: str
    indicator_unit: str
    decimals: int
    polarity: int
    series: pd.DataFrame
    status: GoalStatus
    reason_de: str
    reason_en: str
    baseline_year: int | None = None
    baseline_value: float | None = None
    current_year: int | None = None
    current_value: float | None = None
    forecast: Forecast | None = None
    forecast_value: float | None = None
    forecast_low: float | None = None
    forecast_high: float | None = None
    window: int = 10
    #: why there is no forecast: ``baseline_only`` (one value), ``too_few_values``
    detail: str | None = None
    #: the periods of the baseline and the current value (``2021``, ``2021-H2`` ...)
    baseline_period: str | None = None
    current_period: str | None = None
    #: where the forecast for the target year is made: the last period of the target year
    #: of the series' kind, and its time in decimal years
    target_period: str | None = None
    target_time: float | None = None
    notes_de: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def indicator_name(self, lang: str = "de") -> str:
        return self.indicator_name_en if lang == "en" and self.indicator_name_en \
            else self.indicator_name_de

    def shown_status(self, lang: str = "de") -> str:
        """The status for a table beside the values: where there are values but no trend,
        why ("nur Basiswert, kein Trend") instead of "keine Daten"."""
        if self.status is GoalStatus.NO_DATA and self.detail in _DETAIL_DE \
                and self.current_value is not None:
            return (_DETAIL_EN if lang == "en" else _DETAIL_DE)[self.detail]
        return self.status.label(lang)

    def status_label(self, lang: str = "de") -> str:
        """The status in words; "no data" says why when there are values but no trend."""
        label = self.status.label(lang)
        if self.status is GoalStatus.NO_DATA and self.detail in _DETAIL_DE:
            extra = (_DETAIL_EN if lang == "en" else _DETAIL_DE)[self.detail]
            return f"{label}: {extra}"
        return label

    def to_dict(self, lang: str = "de") -> dict[str, Any]:
        t = self.target
        return {
            "goal_id": self.goal_id, "indicator_id": t.indicator_id,
            "indicator": self.indicator_name(lang), "indicator_unit": self.indicator_unit,
            "decimals": self.decimals,
            "unit_id": self.unit_id, "unit_name": self.unit_name,
            "level_target": t.level, "direction": t.direction.value,
            "target_value": t.target_value, "target_year": t.target_year,
            "baseline_year": self.baseline_year, "baseline_value": self.baseline_value,
            "current_year": self.current_year, "current_value": self.current_value,
            "forecast_value": self.forecast_value, "forecast_low": self.forecast_low,
            "forecast_high": self.forecast_high,
            "slope_per_year": None if self.forecast is None else self.forecast.slope,
            "fit_years": None if self.forecast is None else
            [self.forecast.first_year, self.forecast.last_year],
            "fit_periods": None if self.forecast is None else
            [self.forecast.first_period, self.forecast.last_period],
            "baseline_period": self.baseline_period, "current_period": self.current_period,
            "target_period": self.target_period, "target_time": self.target_time,
            "status": self.status.value, "status_label": self.status_label(lang),
            "status_detail": self.detail,
            "reason": self.reason_en if lang == "en" else self.reason_de,
            "notes": self.notes_en if lang == "en" else self.notes_de,
            # a year as a number, any other period as its label; "time" in decimal years
            "series": [[json_period(str(p)), float(v)] for p, v in
                       zip(self.series["period"], self.series["value"], strict=True)],
            "series_time": [[float(x), float(v)] for x, v in
                            zip(self.series["time"], self.series["value"], strict=True)],
        }


def _baseline(series: pd.DataFrame, target: Target, default_year: int | None,
              notes: tuple[list[str], list[str]]
              ) -> tuple[int | None, float | None, str | None]:
    """(year, value, period) of the baseline; in a year with several periods its last."""
    year, stated = target.stated_baseline(default_year)
    if stated is not None:
        return year, stated, None if year is None else str(year)
    if series.empty:
        return year, None, None
    if year is None:
        first = series.iloc[0]
        notes[0].append(f"Basisjahr nicht angegeben: erster Wert ({first['period']}).")
        notes[1].append(f"No baseline year given: first value ({first['period']}).")
        return int(first["year"]), float(first["value"]), str(first["period"])
    exact = series[series["year"] == year]
    if not exact.empty:
        row = exact.iloc[-1]
        return year, float(row["value"]), str(row["period"])
    before = series[series["year"] < year]
    row = before.iloc[-1] if not before.empty else series.iloc[0]
    notes[0].append(f"Kein Wert im Basisjahr {year}; verwendet: {row['period']}.")
    notes[1].append(f"No value in the baseline year {year}; used: {row['period']}.")
    return int(row["year"]), float(row["value"]), str(row["period"])


def baseline_of(series: pd.DataFrame, target: Target, default_year: int | None
                ) -> tuple[int | None, float | None]:
    """The baseline (year, value) of a target on a series (yearly or not)."""
    year, value, _ = _baseline(time_series(series), target, default_year, ([], []))
    return year, value


def assess(goal_id: str, target: Target, series: pd.DataFrame, *, unit_id: str,
           unit_name: str = "", indicator_name_de: str = "", indicator_name_en: str = "",
           indicator_unit: str = "", decimals: int = 1, polarity: int = 0,
           default_baseline_year: int | None = None, window: int = 10,
           notes: tuple[list[str], list[str]] | None = None) -> TargetProgress:
    """Baseline, current value, forecast and status of ``target`` on a series (columns
    ``period``/``value`` or ``year``/``value``; see :mod:`kekiz.goals.series`)."""
    notes_de, notes_en = (list(notes[0]), list(notes[1])) if notes else ([], [])
    series = time_series(series)
    base_year, base_value, base_period = _baseline(series, target, default_baseline_year,
                                                   (notes_de, notes_en))
    progress = TargetProgress(
        goal_id=goal_id, target=target, unit_id=unit_id, unit_name=unit_name,
        indicator_name_de=indicator_name_de or target.indicator_id,
        indicator_name_en=indicator_name_en or indicator_name_de or target.indicator_id,
        indicator_unit=indicator_unit, decimals=decimals, polarity=polarity, series=series,
        status=GoalStatus.NO_DATA, reason_de="", reason_en="", baseline_year=base_year,
        baseline_value=base_value, window=window, notes_de=notes_de, notes_en=notes_en,
        baseline_period=base_period)
    if series.empty:
        progress.reason_de = "Keine Werte im Store."
        progress.reason_en = "No values in the store."
        return progress
    last = series.iloc[-1]
    progress.current_year, progress.current_value = int(last["year"]), float(last["value"])
    progress.current_period = str(last["period"])
    if progress.current_year >= target.target_year:
        _observed(progress, series, target, polarity)
    elif (fc := fit_forecast(series, window)) is None:
        _too_few(progress, series, target, polarity)
    else:
        _forecast(progress, series, fc, target, polarity)
    _not_on_track_when_worse(progress, target, polarity)
    return progress


def got_worse(baseline: float | None, current: float | None, target: Target,
              polarity: int) -> bool:
    """Whether the value moved away from the target since the baseline: up for
    *senken*, down for *steigern*, against the polarity for *halten* (a neutral
    indicator held: never)."""
    if baseline is None or current is None:
        return False
    want = {Direction.DECREASE: -1, Direction.INCREASE: 1}.get(
        target.direction, -1 if polarity < 0 else 1 if polarity > 0 else 0)
    return (current - baseline) * want < 0


def _not_on_track_when_worse(progress: TargetProgress, target: Target,
                             polarity: int) -> None:
    """A value that got worse than its baseline is never *auf Kurs*: at best at risk."""
    if progress.status is not GoalStatus.ON_TRACK or not got_worse(
            progress.baseline_value, progress.current_value, target, polarity):
        return
    progress.status = GoalStatus.AT_RISK
    dec = progress.decimals
    base = f"{progress.baseline_value:.{dec}f}"
    cur = f"{progress.current_value:.{dec}f}"
    progress.reason_de += (f" Aber der Wert hat sich seit dem Basiswert verschlechtert "
                           f"({base.replace('.', ',')} → {cur.replace('.', ',')}): "
                           "gefährdet, nicht auf Kurs.")
    progress.reason_en += (f" But the value got worse since the baseline ({base} → {cur}): "
                           "at risk, not on track.")


def _observed(progress: TargetProgress, series: pd.DataFrame, target: Target,
              polarity: int) -> None:
    """The target year is observed: its (last) value decides."""
    observed = series[series["year"] == target.target_year]
    row = observed.iloc[-1] if not observed.empty else \
        series[series["year"] <= target.target_year].iloc[-1]
    ok = reaches(float(row["value"]), target, polarity)
    progress.status = GoalStatus.ON_TRACK if ok else GoalStatus.OFF_TRACK
    y = row["period"]
    progress.reason_de = (f"Zieljahr vorbei: Wert {y} hat das Ziel "
                          f"{'erreicht' if ok else 'verfehlt'}.")
    progress.reason_en = f"Target year passed: the {y} value {'met' if ok else 'missed'} " \
                         "the target."


def _too_few(progress: TargetProgress, series: pd.DataFrame, target: Target,
             polarity: int) -> None:
    n = len(series)
    shown = ", ".join(str(p) for p in series["period"])
    de, en = ("Jahreswert", "yearly value") if is_yearly(series) else ("Wert", "value")
    if n == 1:
        what_de = (f"Nur ein {de} ({shown}), der Basiswert: kein Trend, eine "
                   f"Prognose braucht mindestens {MIN_VALUES} {de}e")
        what_en = (f"Only one {en} ({shown}), the baseline: no trend, a "
                   f"forecast needs at least {MIN_VALUES} {en}s")
    else:
        what_de = (f"Nur {n} {de}e ({shown}): zu wenige für eine Trendprognose "
                   f"(mindestens {MIN_VALUES})")
        what_en = (f"Only {n} {en}s ({shown}): too few for a trend forecast "
                   f"(at least {MIN_VALUES})")
    progress.detail = "baseline_only" if n == 1 else "too_few_values"
    assert progress.current_value is not None
    if reaches(progress.current_value, target, polarity):
        progress.status = GoalStatus.ON_TRACK
        progress.reason_de = f"Ziel schon erreicht. {what_de}."
        progress.reason_en = f"Target already reached. {what_en}."
    else:
        progress.reason_de = f"{what_de}. Das Ziel ist noch nicht erreicht."
        progress.reason_en = f"{what_en}. The target is not reached yet."


def _forecast(progress: TargetProgress, series: pd.DataFrame, fc: Forecast, target: Target,
              polarity: int) -> None:
    floor, ceiling = value_range(series["value"], progress.indicator_unit)
    fc = dataclasses.replace(fc, floor=floor, ceiling=ceiling)
    progress.target_period, when = target_point(series, target.target_year)
    progress.target_time = when
    raw = fc.intercept + fc.slope * when
    if fc.bounded(raw) != raw:
        progress.notes_de.append(
            f"Die Trendgerade ergibt {raw:.1f}".replace(".", ",") +
            " im Zieljahr; Prognose und Intervall sind auf den möglichen Wertebereich begrenzt.")
        progress.notes_en.append(f"The trend line gives {raw:.1f} in the target year; the "
                                 "forecast and its interval are cut to the possible range.")
    yhat, lo, hi = fc.at(when)
    progress.forecast = fc
    progress.forecast_value, progress.forecast_low, progress.forecast_high = yhat, lo, hi
    year = target.target_year
    if reaches(yhat, target, polarity):
        progress.status = GoalStatus.ON_TRACK
        progress.reason_de = (f"Bei gleichbleibender Entwicklung wird das Ziel {year} "
                              "voraussichtlich erreicht (die Trendprognose erreicht den "
                              "Zielwert).")
        progress.reason_en = (f"If the trend continues, the target will probably be met in "
                              f"{year} (the trend forecast reaches the target).")
    elif _overlaps(lo, hi, target, polarity):
        progress.status = GoalStatus.AT_RISK
        progress.reason_de = (f"Bei gleichbleibender Entwicklung wird das Ziel {year} "
                              "voraussichtlich knapp verfehlt: Die Prognose verfehlt den "
                              "Zielwert, er liegt aber im Prognoseintervall.")
        progress.reason_en = (f"If the trend continues, the target will probably be missed "
                              f"narrowly in {year}: the forecast misses the target, but it "
                              "lies inside the interval.")
    else:
        progress.status = GoalStatus.OFF_TRACK
        progress.reason_de = (f"Bei gleichbleibender Entwicklung wird das Ziel {year} "
                              "voraussichtlich verfehlt: Der Zielwert liegt außerhalb des "
                              "Prognoseintervalls.")
        progress.reason_en = (f"If the trend continues, the target will probably be missed "
                              f"in {year}: the target lies outside the prediction interval.")


def forecast_band(fc: Forecast, until: float) -> pd.DataFrame:
    """Forecast and interval from the last fitted period to ``until`` (the target year, or
    the time of its target period): at the last fitted time, at the same point of every
    following year, and at ``until``.  Columns ``time`` (decimal years), ``year`` (its
    calendar year), ``forecast``, ``low``, ``high``."""
    if fc.last_period:
        times = [same_period_in(fc.last_period, fc.last_year + k).time
                 for k in range(0, max(year_of(until) - fc.last_year, 0) + 1)]
        times = [t for t in times if t <= until + 1e-9] or times[:1]
    else:
        times = [float(y) for y in range(fc.last_year, max(year_of(until), fc.last_year) + 1)]
    if until > times[-1] + 1e-9:
        times.append(float(until))
    rows = [fc.at(t) for t in times]
    return pd.DataFrame({"time": times, "year": [year_of(t) for t in times],
                         "forecast": [r[0] for r in rows], "low": [r[1] for r in rows],
                         "high": [r[2] for r in rows]})
