"""Progress towards a target: baseline, current value, a trend forecast and a status.

"Turn the curve" (Results-Based Accountability): the forecast continues the recent
trend of the indicator to the target year, so the steering group sees where the curve
is heading if nothing changes.

Forecast: ordinary least squares of the value on the year over the last ``window``
values (default 10; :func:`kekiz.analysis.trends.slopes`), extended to the target year,
with a 95 % *prediction* interval for the value observed in that year:
``ŷ ± t(0.975, n - 2) · s · sqrt(1 + 1/n + (x₀ - x̄)² / Sxx)``.  Forecast and interval are
cut to the indicator's possible range (:func:`value_range`: never below 0 when no observed
value is, never above 100 for a percentage), with a note giving the uncut value.

Status rule (:data:`RULE_DE` / :data:`RULE_EN`):

* **auf Kurs** – the forecast for the target year reaches the target;
* **gefährdet** – the forecast misses it, but the target lies inside the interval;
* **nicht auf Kurs** – the target lies outside the interval;
* **keine Daten** – no values, or fewer than 3 yearly values for a forecast (unless the
  current value already reaches the target: then auf Kurs, with a note).  With a single
  yearly value the reason and label say so ("nur Basiswert, kein Trend"): the value is
  the baseline, and a trend needs a time series;
* when the target year is already observed, the observed value decides (reached: auf
  Kurs, missed: nicht auf Kurs).

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

from kekiz.analysis.trends import slopes
from kekiz.domain.errors import MethodError
from kekiz.domain.goals import Direction, GoalStatus, Target

__all__ = ["MIN_VALUES", "RULE_DE", "RULE_EN", "Forecast", "TargetProgress", "assess",
           "baseline_of", "fit_forecast", "forecast_band", "reaches", "value_range", "yearly"]

MIN_VALUES = 3
LEVEL = 0.95

RULE_DE = ("Regel: auf Kurs, wenn die Trendprognose (OLS über die letzten {w} Werte) im "
           "Zieljahr den Zielwert erreicht; gefährdet, wenn sie ihn verfehlt, der Zielwert "
           "aber im 95-%-Prognoseintervall liegt; nicht auf Kurs, wenn er außerhalb liegt; "
           "keine Daten bei weniger als 3 Jahreswerten (außer das Ziel ist schon erreicht; "
           "ein einziger Wert ist nur der Basiswert, ohne Trend). Ist "
           "das Zieljahr schon beobachtet, entscheidet der beobachtete Wert.")
RULE_EN = ("Rule: on track if the trend forecast (OLS over the last {w} values) reaches the "
           "target in the target year; at risk if it misses it but the target lies inside "
           "the 95% prediction interval; off track if the target lies outside; no data with "
           "fewer than 3 yearly values (unless the target is already reached; a single value "
           "is only the baseline, without a trend). Once the target year "
           "is observed, the observed value decides.")


_DETAIL_DE = {"baseline_only": "nur Basiswert, kein Trend",
              "too_few_values": "zu wenige Werte für einen Trend"}
_DETAIL_EN = {"baseline_only": "baseline only, no trend",
              "too_few_values": "too few values for a trend"}


def yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """``period``/``value`` rows -> one value per year (the last period of a year)."""
    if frame.empty:
        return pd.DataFrame({"year": pd.Series(dtype="int64"),
                             "value": pd.Series(dtype="float64")})
    data = frame.dropna(subset=["value"]).copy()
    data["year"] = data["period"].astype(str).str[:4].astype(int)
    data = data.sort_values(["year", "period"]).groupby("year", as_index=False).last()
    return data[["year", "value"]].astype({"year": "int64", "value": "float64"})


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

    def at(self, year: float) -> tuple[float, float, float]:
        """(forecast, lower, upper) for ``year``, within ``floor``..``ceiling``."""
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
    """OLS trend over the last ``window`` yearly values; ``None`` with fewer than 3."""
    if window < MIN_VALUES:
        raise MethodError(f"Prognosefenster {window}: erwartet mindestens {MIN_VALUES} Werte.",
                          message_en=f"Forecast window {window}: expected at least "
                          f"{MIN_VALUES} values.")
    data = series.dropna(subset=["value"]).sort_values("year").tail(window)
    if len(data) < MIN_VALUES:
        return None
    frame = pd.DataFrame({"unit": "u", "period": data["year"].astype(float).to_numpy(),
                          "value": data["value"].astype(float).to_numpy()})
    fit = slopes(frame, level=level, segment="all").iloc[0]
    x = frame["period"].to_numpy()
    sxx = float(((x - x.mean()) ** 2).sum())
    return Forecast(slope=float(fit["slope"]), intercept=float(fit["intercept"]),
                    slope_low=float(fit["ci_low"]), slope_high=float(fit["ci_high"]),
                    s=float(fit["se"]) * math.sqrt(sxx), n=int(fit["n"]),
                    x_mean=float(x.mean()), sxx=sxx, first_year=int(x.min()),
                    last_year=int(x.max()), level=level)


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
    #: why there is no forecast: ``baseline_only`` (one yearly value), ``too_few_values``
    detail: str | None = None
    notes_de: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    def indicator_name(self, lang: str = "de") -> str:
        return self.indicator_name_en if lang == "en" and self.indicator_name_en \
            else self.indicator_name_de

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
            "status": self.status.value, "status_label": self.status_label(lang),
            "status_detail": self.detail,
            "reason": self.reason_en if lang == "en" else self.reason_de,
            "notes": self.notes_en if lang == "en" else self.notes_de,
            "series": [[int(y), float(v)] for y, v in
                       zip(self.series["year"], self.series["value"], strict=True)],
        }


def _baseline(series: pd.DataFrame, target: Target, default_year: int | None,
              notes: tuple[list[str], list[str]]) -> tuple[int | None, float | None]:
    year = target.baseline_year if target.baseline_year is not None else default_year
    if target.baseline_value is not None:
        return year, target.baseline_value
    if series.empty:
        return year, None
    if year is None:
        first = series.iloc[0]
        notes[0].append(f"Basisjahr nicht angegeben: erster Wert ({int(first['year'])}).")
        notes[1].append(f"No baseline year given: first value ({int(first['year'])}).")
        return int(first["year"]), float(first["value"])
    exact = series[series["year"] == year]
    if not exact.empty:
        return year, float(exact["value"].iloc[0])
    before = series[series["year"] < year]
    row = before.iloc[-1] if not before.empty else series.iloc[0]
    notes[0].append(f"Kein Wert im Basisjahr {year}; verwendet: {int(row['year'])}.")
    notes[1].append(f"No value in the baseline year {year}; used: {int(row['year'])}.")
    return int(row["year"]), float(row["value"])


def baseline_of(series: pd.DataFrame, target: Target, default_year: int | None
                ) -> tuple[int | None, float | None]:
    """The baseline (year, value) of a target on a yearly series."""
    return _baseline(series, target, default_year, ([], []))


def assess(goal_id: str, target: Target, series: pd.DataFrame, *, unit_id: str,
           unit_name: str = "", indicator_name_de: str = "", indicator_name_en: str = "",
           indicator_unit: str = "", decimals: int = 1, polarity: int = 0,
           default_baseline_year: int | None = None, window: int = 10,
           notes: tuple[list[str], list[str]] | None = None) -> TargetProgress:
    """Baseline, current value, forecast and status of ``target`` on a yearly series
    (columns ``year``, ``value``); see the module rules."""
    notes_de, notes_en = (list(notes[0]), list(notes[1])) if notes else ([], [])
    series = series.dropna(subset=["value"]).sort_values("year").reset_index(drop=True)
    base_year, base_value = _baseline(series, target, default_baseline_year,
                                      (notes_de, notes_en))
    progress = TargetProgress(
        goal_id=goal_id, target=target, unit_id=unit_id, unit_name=unit_name,
        indicator_name_de=indicator_name_de or target.indicator_id,
        indicator_name_en=indicator_name_en or indicator_name_de or target.indicator_id,
        indicator_unit=indicator_unit, decimals=decimals, polarity=polarity, series=series,
        status=GoalStatus.NO_DATA, reason_de="", reason_en="", baseline_year=base_year,
        baseline_value=base_value, window=window, notes_de=notes_de, notes_en=notes_en)
    if series.empty:
        progress.reason_de = "Keine Werte im Store."
        progress.reason_en = "No values in the store."
        return progress
    last = series.iloc[-1]
    progress.current_year, progress.current_value = int(last["year"]), float(last["value"])
    observed = series[series["year"] == target.target_year]
    if progress.current_year >= target.target_year:
        row = observed.iloc[-1] if not observed.empty else \
            series[series["year"] <= target.target_year].iloc[-1]
        ok = reaches(float(row["value"]), target, polarity)
        progress.status = GoalStatus.ON_TRACK if ok else GoalStatus.OFF_TRACK
        y = int(row["year"])
        progress.reason_de = (f"Zieljahr vorbei: Wert {y} hat das Ziel "
                              f"{'erreicht' if ok else 'verfehlt'}.")
        progress.reason_en = f"Target year passed: the {y} value {'met' if ok else 'missed'} " \
                             "the target."
        return progress
    fc = fit_forecast(series, window)
    if fc is None:
        n = len(series)
        years = ", ".join(str(int(y)) for y in series["year"])
        if n == 1:
            what_de = (f"Nur ein Jahreswert ({years}), der Basiswert: kein Trend, eine "
                       f"Prognose braucht mindestens {MIN_VALUES} Jahreswerte")
            what_en = (f"Only one yearly value ({years}), the baseline: no trend, a "
                       f"forecast needs at least {MIN_VALUES} yearly values")
        else:
            what_de = (f"Nur {n} Jahreswerte ({years}): zu wenige für eine Trendprognose "
                       f"(mindestens {MIN_VALUES})")
            what_en = (f"Only {n} yearly values ({years}): too few for a trend forecast "
                       f"(at least {MIN_VALUES})")
        progress.detail = "baseline_only" if n == 1 else "too_few_values"
        if reaches(progress.current_value, target, polarity):
            progress.status = GoalStatus.ON_TRACK
            progress.reason_de = f"Ziel schon erreicht. {what_de}."
            progress.reason_en = f"Target already reached. {what_en}."
        else:
            progress.reason_de = f"{what_de}. Das Ziel ist noch nicht erreicht."
            progress.reason_en = f"{what_en}. The target is not reached yet."
        return progress
    floor, ceiling = value_range(series["value"], indicator_unit)
    fc = dataclasses.replace(fc, floor=floor, ceiling=ceiling)
    raw = fc.intercept + fc.slope * target.target_year
    if fc.bounded(raw) != raw:
        progress.notes_de.append(
            f"Die Trendgerade ergibt {raw:.1f}".replace(".", ",") +
            " im Zieljahr; Prognose und Intervall sind auf den möglichen Wertebereich begrenzt.")
        progress.notes_en.append(f"The trend line gives {raw:.1f} in the target year; the "
                                 "forecast and its interval are cut to the possible range.")
    yhat, lo, hi = fc.at(target.target_year)
    progress.forecast = fc
    progress.forecast_value, progress.forecast_low, progress.forecast_high = yhat, lo, hi
    if reaches(yhat, target, polarity):
        progress.status = GoalStatus.ON_TRACK
        progress.reason_de = "Die Trendprognose erreicht den Zielwert."
        progress.reason_en = "The trend forecast reaches the target."
    elif _overlaps(lo, hi, target, polarity):
        progress.status = GoalStatus.AT_RISK
        progress.reason_de = ("Die Prognose verfehlt den Zielwert, er liegt aber im "
                              "Prognoseintervall.")
        progress.reason_en = "The forecast misses the target, but it lies inside the interval."
    else:
        progress.status = GoalStatus.OFF_TRACK
        progress.reason_de = "Der Zielwert liegt außerhalb des Prognoseintervalls."
        progress.reason_en = "The target lies outside the prediction interval."
    return progress


def forecast_band(fc: Forecast, until: int) -> pd.DataFrame:
    """Forecast and interval for every year from the last fitted year to ``until``."""
    years = np.arange(fc.last_year, max(until, fc.last_year) + 1)
    rows = [fc.at(float(y)) for y in years]
    return pd.DataFrame({"year": years, "forecast": [r[0] for r in rows],
                         "low": [r[1] for r in rows], "high": [r[2] for r in rows]})
