"""Trends over time: changes over n periods, linear slopes with confidence intervals, and
break markers where a unit's series is interrupted by a boundary change.

Input is long format, one row per (unit, period) with a value.  A *break* ``(unit, p)``
means: from period ``p`` on the unit covers a different territory, so values from ``p``
on are not comparable with values before ``p``.  Breaks are given directly or derived
from a lineage (:func:`breaks_from_lineage`): a unit that arose at ``p`` from other units
breaks at ``p``, and so does every predecessor (it lost or gained territory).

Periods are numbers (taken as years) or period labels (``2022``, ``2022-H1``,
``2022-Q2``, ``2022-06``, ``2022-06-30``; :mod:`kekiz.domain.periods`), which are placed
on the real time axis in decimal years: a slope is always per year, whatever the length
of the periods.  Changes over ``n`` periods need periods of one kind (all years, all
half-years ...); mixed kinds raise a :class:`MethodError` naming them.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kekiz.domain.errors import MethodError
from kekiz.domain.periods import KIND_NAMES, kinds_of, time_axis

__all__ = [
    "LineageEvent",
    "breaks_from_lineage",
    "changes",
    "mark_breaks",
    "slopes",
    "trend_table",
]

Break = tuple[Hashable, Any]


@dataclass(frozen=True)
class LineageEvent:
    """``unit`` arose at ``period`` from the units ``arisen_from`` (which may include
    ``unit`` itself when it kept its key but changed its territory)."""

    unit: Hashable
    arisen_from: tuple[Hashable, ...]
    period: Any


LineageLike = (Mapping[Hashable, tuple[Iterable[Hashable], Any]] | Iterable[LineageEvent])


def _err(de: str, en: str) -> MethodError:
    return MethodError(de, message_en=en)


def breaks_from_lineage(lineage: LineageLike) -> frozenset[Break]:
    """The breaks implied by a lineage: ``{unit: (arisen_from, period)}`` or events."""
    events = ([LineageEvent(u, tuple(src), p) for u, (src, p) in lineage.items()]
              if isinstance(lineage, Mapping) else list(lineage))
    out: set[Break] = set()
    for e in events:
        out.add((e.unit, e.period))
        out.update((pred, e.period) for pred in e.arisen_from)
    return frozenset(out)


def _all_breaks(breaks: Iterable[Break] | None, lineage: LineageLike | None) -> set[Break]:
    out = {(u, p) for u, p in (breaks or ())}
    if lineage is not None:
        out |= breaks_from_lineage(lineage)
    return out


def _validate(frame: pd.DataFrame, unit_col: str, period_col: str,
              value_col: str) -> pd.DataFrame:
    missing = [c for c in (unit_col, period_col, value_col) if c not in frame.columns]
    if missing:
        raise _err(f"Spalte(n) {missing} fehlen. Erwartet: Langformat mit Einheit, Zeitraum "
                   "und Wert.",
                   f"Column(s) {missing} missing. Expected long format with unit, period and "
                   "value.")
    vals = frame[value_col]
    if pd.api.types.is_bool_dtype(vals) or not pd.api.types.is_numeric_dtype(vals):
        raise _err(f"Spalte '{value_col}' ist nicht numerisch. Erwartet: Zahlen.",
                   f"Column '{value_col}' is not numeric. Expected numbers.")
    data = frame[[unit_col, period_col, value_col]].copy()
    if data[[unit_col, period_col]].isna().any().any():
        raise _err("Einheit oder Zeitraum fehlt in einigen Zeilen.",
                   "Unit or period missing on some rows.")
    dup = data[data.duplicated([unit_col, period_col])]
    if len(dup):
        first = dup.iloc[0]
        raise _err(f"(Einheit, Zeitraum) mehrfach vorhanden, z. B. ({first[unit_col]}, "
                   f"{first[period_col]}). Erwartet: ein Wert je Einheit und Zeitraum.",
                   f"Duplicate (unit, period), e.g. ({first[unit_col]}, {first[period_col]}). "
                   "Expected one value per unit and period.")
    data[value_col] = data[value_col].astype(float)
    data["_time"] = _times(data[period_col])
    return data.sort_values([unit_col, "_time"], kind="stable").reset_index(drop=True)


def _times(periods: pd.Series) -> np.ndarray:
    """Decimal years of a period column: numbers as they are, labels on the time axis."""
    if pd.api.types.is_numeric_dtype(periods) and not pd.api.types.is_bool_dtype(periods):
        return periods.to_numpy(dtype=float)
    return np.asarray(time_axis(periods.tolist()), dtype=float)


def _time_of(period: Any) -> float:
    return time_axis([period])[0]


def _one_kind(periods: list[Any]) -> None:
    """Changes over n periods need periods of one kind (numbers count as years)."""
    labels = [p for p in periods if not isinstance(p, int | float | np.number)]
    if not labels:
        return
    kinds = kinds_of(labels)
    if len(kinds) + (len(labels) < len(periods)) <= 1:
        return
    found_de = "; ".join(f"{KIND_NAMES[k][1]}: {', '.join(v[:4])}" for k, v in kinds.items())
    found_en = "; ".join(f"{KIND_NAMES[k][3]}: {', '.join(v[:4])}" for k, v in kinds.items())
    raise _err(f"Veränderungen über n Zeiträume brauchen Zeiträume einer Art, die Daten "
               f"mischen sie ({found_de}). Abhilfe: die Werte zu Jahren zusammenfassen oder "
               "nur Zeiträume einer Art auswählen.",
               f"Changes over n periods need periods of one kind, the data mix them "
               f"({found_en}). Fix: aggregate the values to years or select periods of one "
               "kind.")


def mark_breaks(frame: pd.DataFrame, breaks: Iterable[Break] | None = None, *,
                lineage: LineageLike | None = None, unit_col: str = "unit",
                period_col: str = "period") -> pd.Series:
    """``True`` on every row whose (unit, period) starts a new territory (a break)."""
    marks = _all_breaks(breaks, lineage)
    return pd.Series([(u, p) in marks for u, p in zip(frame[unit_col], frame[period_col],
                                                      strict=True)],
                     index=frame.index, name="break_marker")


def changes(frame: pd.DataFrame, n: int = 1, *, breaks: Iterable[Break] | None = None,
            lineage: LineageLike | None = None, unit_col: str = "unit",
            period_col: str = "period", value_col: str = "value",
            across_breaks: bool = False) -> pd.DataFrame:
    """Absolute and relative change of every unit over ``n`` periods.

    The base of period ``t`` is the period ``n`` steps earlier in the sorted list of all
    periods in ``frame`` (a unit without a value there gets no change).  Columns: unit,
    period, value, ``base_period``, ``base_value``, ``abs_change`` (value - base),
    ``rel_change`` (abs_change / base, a fraction; missing when the base is 0),
    ``break_marker`` (a break at this row) and ``comparable`` (a base value exists and no
    break lies after the base period up to this period).  Changes that are not comparable
    are left empty unless ``across_breaks=True``.
    """
    if n < 1:
        raise _err(f"n={n}: erwartet eine ganze Zahl ab 1.", f"n={n}: expected an integer >= 1.")
    data = _validate(frame, unit_col, period_col, value_col)
    marks = _all_breaks(breaks, lineage)
    ordered = data.drop_duplicates(period_col).sort_values("_time", kind="stable")
    periods = ordered[period_col].tolist()
    _one_kind(periods)
    pos = {p: i for i, p in enumerate(periods)}
    data["_pos"] = data[period_col].map(pos)
    base = data.drop(columns="_time").rename(columns={period_col: "base_period",
                                                      value_col: "base_value"})
    base["_pos"] = base["_pos"] + n
    out = data.merge(base, on=[unit_col, "_pos"], how="left").drop(columns="_pos")
    by_unit: dict[Hashable, list[float]] = {}
    for u, p in marks:
        by_unit.setdefault(u, []).append(_time_of(p))
    when = dict(zip(periods, ordered["_time"], strict=True))
    comparable = []
    for u, t, b in zip(out[unit_col], out[period_col], out["base_period"], strict=True):
        if pd.isna(b):
            comparable.append(False)
            continue
        comparable.append(not any(when[b] < p <= when[t] for p in by_unit.get(u, ())))
    out["break_marker"] = mark_breaks(out, marks, unit_col=unit_col,
                                      period_col=period_col).to_numpy()
    out["comparable"] = comparable
    out["abs_change"] = out[value_col] - out["base_value"]
    base_val = out["base_value"].where(out["base_value"] != 0)
    out["rel_change"] = out["abs_change"] / base_val
    if not across_breaks:
        hide = ~out["comparable"]
        out.loc[hide, ["abs_change", "rel_change"]] = np.nan
    return out[[unit_col, period_col, value_col, "base_period", "base_value", "abs_change",
                "rel_change", "break_marker", "comparable"]]


def _ols(x: np.ndarray, y: np.ndarray, level: float) -> dict[str, float]:
    n = x.size
    nan = math.nan
    res = {"n": float(n), "slope": nan, "intercept": nan, "se": nan, "ci_low": nan,
           "ci_high": nan, "p_value": nan}
    if n < 2:
        return res
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - ym)).sum()) / sxx
    res.update(slope=slope, intercept=float(ym - slope * xm))
    if n < 3:
        return res
    dof = n - 2
    resid = y - (res["intercept"] + slope * x)
    se = math.sqrt(float((resid ** 2).sum()) / dof / sxx)
    tq = float(stats.t.ppf(0.5 + level / 2, dof))
    p = 0.0 if se == 0 else float(2 * stats.t.sf(abs(slope) / se, dof))
    res.update(se=se, ci_low=slope - tq * se, ci_high=slope + tq * se, p_value=p)
    return res


def line_fit(x: Any, y: Any, level: float = 0.95) -> dict[str, float]:
    """The OLS line of one series as :func:`slopes` fits it (``x`` in decimal years,
    sorted, no value missing): ``n``, ``slope``, ``intercept``, ``se``, ``ci_low``,
    ``ci_high``, ``p_value`` - without building a frame per series."""
    return _ols(np.asarray(x, dtype=float), np.asarray(y, dtype=float), level)


def slopes(frame: pd.DataFrame, *, breaks: Iterable[Break] | None = None,
           lineage: LineageLike | None = None, unit_col: str = "unit",
           period_col: str = "period", value_col: str = "value", level: float = 0.95,
           segment: str = "last") -> pd.DataFrame:
    """Linear trend (OLS of value on period) for every unit, with a ``level`` confidence
    interval from the t distribution (n - 2 degrees of freedom).

    ``slope`` is in value units per year: numeric periods are years, period labels
    (``2022-H1``, ``2022-06-30`` ...) are placed on the real time axis in decimal years.
    ``segment="last"`` (default) fits only the values since the unit's last break, so a
    boundary change never bends a trend; ``"all"`` fits the whole series.  Columns: unit,
    ``n``, ``first_period``, ``last_period``, ``slope``, ``intercept``, ``se``, ``ci_low``,
    ``ci_high``, ``p_value``, ``broken`` (the series has a break), ``level``;
    ``first_period``/``last_period`` are the periods as given (numbers or labels).  The
    intercept is the fitted value at time 0.  With fewer
    than two values there is no slope, with two no interval.
    """
    if segment not in ("last", "all"):
        raise _err(f"segment={segment!r}: erwartet 'last' oder 'all'.",
                   f"segment={segment!r}: expected 'last' or 'all'.")
    if not 0 < level < 1:
        raise _err(f"Konfidenzniveau {level}: erwartet eine Zahl zwischen 0 und 1.",
                   f"Confidence level {level}: expected a number between 0 and 1.")
    data = _validate(frame, unit_col, period_col, value_col)
    numeric = pd.api.types.is_numeric_dtype(data[period_col])
    marks = [(u, _time_of(p)) for u, p in _all_breaks(breaks, lineage)]
    rows = []
    for unit, grp in data.dropna(subset=[value_col]).groupby(unit_col, sort=True):
        x = grp["_time"].to_numpy(dtype=float)
        y = grp[value_col].to_numpy(dtype=float)
        labels = grp[period_col].to_numpy()
        own = [p for u, p in marks if u == unit and x.min() < p <= x.max()]
        if segment == "last" and own:
            keep = x >= max(own)
            x, y, labels = x[keep], y[keep], labels[keep]
        fit = _ols(x, y, level)
        first, last = labels[int(np.argmin(x))], labels[int(np.argmax(x))]
        rows.append({unit_col: unit, "n": int(fit.pop("n")),
                     "first_period": float(first) if numeric else first,
                     "last_period": float(last) if numeric else last, **fit,
                     "broken": bool(own), "level": level})
    columns = [unit_col, "n", "first_period", "last_period", "slope", "intercept", "se",
               "ci_low", "ci_high", "p_value", "broken", "level"]
    return pd.DataFrame(rows, columns=columns)


def trend_table(frame: pd.DataFrame, *, since: int | None = None, until: int | None = None,
                breaks: Iterable[Break] | None = None, lineage: LineageLike | None = None,
                level: float = 0.95, unit_col: str = "unit", period_col: str = "period",
                value_col: str = "value") -> tuple[pd.DataFrame, int, int]:
    """The trend of every unit from the year ``since`` to the year ``until`` (default: the
    first and last year of the data), on the real time axis; returns (table, since, until).

    ``slope`` etc. as :func:`slopes` over the periods of those years (any kind).  The change
    compares the last period of the year ``since`` with the last period of the year
    ``until`` (``since_period``, ``value_since``, ``until_period``, ``value_until``,
    ``change``); it needs periods of one kind at both ends (a year with a year, a half-year
    with a half-year) and no boundary change between them, else it is empty and
    ``reason_de``/``reason_en`` say why, naming the periods.
    """
    data = _validate(frame, unit_col, period_col, value_col).dropna(subset=[value_col])
    data["_year"] = np.floor(data["_time"].to_numpy() + 1e-9).astype(int)
    first = int(since if since is not None else data["_year"].min())
    last = int(until if until is not None else data["_year"].max())
    if first >= last:
        raise _err(f"Trend von {first} bis {last}: erwartet ein Startjahr vor dem Endjahr.",
                   f"Trend from {first} to {last}: expected a start year before the end year.")
    window = data[(data["_year"] >= first) & (data["_year"] <= last)]
    fit = slopes(window[[unit_col, period_col, value_col]], breaks=breaks, lineage=lineage,
                 level=level, unit_col=unit_col, period_col=period_col,
                 value_col=value_col).set_index(unit_col)
    marks = [(u, _time_of(p)) for u, p in _all_breaks(breaks, lineage)]
    rows = []
    for unit, grp in window.groupby(unit_col, sort=True):
        a = grp[grp["_year"] == first].tail(1)
        b = grp[grp["_year"] == last].tail(1)
        pa_ = a[period_col].iloc[0] if len(a) else None
        pb_ = b[period_col].iloc[0] if len(b) else None
        va = float(a[value_col].iloc[0]) if len(a) else math.nan
        vb = float(b[value_col].iloc[0]) if len(b) else math.nan
        ta = float(a["_time"].iloc[0]) if len(a) else math.nan
        tb = float(b["_time"].iloc[0]) if len(b) else math.nan
        broken = any(u == unit and ta < p <= tb for u, p in marks)
        de, en = _change_reason(pa_, pb_, broken, first, last)
        rows.append({unit_col: unit, "since_period": pa_, "value_since": va,
                     "until_period": pb_, "value_until": vb,
                     "change": vb - va if not de else math.nan,
                     "reason_de": de, "reason_en": en})
    table = pd.DataFrame(rows).set_index(unit_col)
    for col in ("n", "slope", "ci_low", "ci_high", "p_value", "broken"):
        table[col] = fit[col].reindex(table.index)
    return table.reset_index(), first, last


def _kind(period: Any) -> str:
    return "year" if isinstance(period, int | float | np.number) else \
        next(iter(kinds_of([period])))


def _change_reason(a: Any, b: Any, broken: bool, first: int, last: int) -> tuple[str, str]:
    if a is None:
        return f"kein Wert {first}", f"no value in {first}"
    if b is None:
        return f"kein Wert {last}", f"no value in {last}"
    if _kind(a) != _kind(b):
        return (f"Zeiträume verschiedener Art ({a}, {b}): eine Veränderung braucht gleichartige "
                "Zeiträume; Abhilfe: die Werte zu Jahren zusammenfassen oder Start- und "
                "Endjahr mit gleichartigen Werten wählen",
                f"periods of different kinds ({a}, {b}): a change needs periods of one kind; "
                "fix: aggregate the values to years or choose start and end years with "
                "values of one kind")
    if broken:
        return (f"Gebietsänderung zwischen {first} und {last}: nicht vergleichbar",
                f"boundary change between {first} and {last}: not comparable")
    return "", ""
