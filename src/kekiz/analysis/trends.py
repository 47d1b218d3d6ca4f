"""Trends over time: changes over n periods, linear slopes with confidence intervals, and
break markers where a unit's series is interrupted by a boundary change.

Input is long format, one row per (unit, period) with a value.  A *break* ``(unit, p)``
means: from period ``p`` on the unit covers a different territory, so values from ``p``
on are not comparable with values before ``p``.  Breaks are given directly or derived
from a lineage (:func:`breaks_from_lineage`): a unit that arose at ``p`` from other units
breaks at ``p``, and so does every predecessor (it lost or gained territory).
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

__all__ = [
    "LineageEvent",
    "breaks_from_lineage",
    "changes",
    "mark_breaks",
    "slopes",
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
    return data.sort_values([unit_col, period_col], kind="stable").reset_index(drop=True)


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
    periods = sorted(data[period_col].unique())
    pos = {p: i for i, p in enumerate(periods)}
    data["_pos"] = data[period_col].map(pos)
    base = data.rename(columns={period_col: "base_period", value_col: "base_value"})
    base["_pos"] = base["_pos"] + n
    out = data.merge(base, on=[unit_col, "_pos"], how="left").drop(columns="_pos")
    by_unit: dict[Hashable, list[Any]] = {}
    for u, p in marks:
        by_unit.setdefault(u, []).append(p)
    comparable = []
    for u, t, b in zip(out[unit_col], out[period_col], out["base_period"], strict=True):
        if pd.isna(b):
            comparable.append(False)
            continue
        comparable.append(not any(b < p <= t for p in by_unit.get(u, ())))
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


def slopes(frame: pd.DataFrame, *, breaks: Iterable[Break] | None = None,
           lineage: LineageLike | None = None, unit_col: str = "unit",
           period_col: str = "period", value_col: str = "value", level: float = 0.95,
           segment: str = "last") -> pd.DataFrame:
    """Linear trend (OLS of value on period) for every unit, with a ``level`` confidence
    interval from the t distribution (n - 2 degrees of freedom).

    ``slope`` is in value units per period unit (e.g. per year); periods must be numbers.
    ``segment="last"`` (default) fits only the values since the unit's last break, so a
    boundary change never bends a trend; ``"all"`` fits the whole series.  Columns: unit,
    ``n``, ``first_period``, ``last_period``, ``slope``, ``intercept``, ``se``, ``ci_low``,
    ``ci_high``, ``p_value``, ``broken`` (the series has a break), ``level``.  The intercept
    is the fitted value at period 0.  With fewer
    than two values there is no slope, with two no interval.
    """
    if segment not in ("last", "all"):
        raise _err(f"segment={segment!r}: erwartet 'last' oder 'all'.",
                   f"segment={segment!r}: expected 'last' or 'all'.")
    if not 0 < level < 1:
        raise _err(f"Konfidenzniveau {level}: erwartet eine Zahl zwischen 0 und 1.",
                   f"Confidence level {level}: expected a number between 0 and 1.")
    data = _validate(frame, unit_col, period_col, value_col)
    if not pd.api.types.is_numeric_dtype(data[period_col]):
        raise _err(f"Zeiträume in '{period_col}' sind keine Zahlen. Erwartet: z. B. Jahre "
                   "als ganze Zahlen.",
                   f"Periods in '{period_col}' are not numbers. Expected e.g. years as "
                   "integers.")
    marks = _all_breaks(breaks, lineage)
    rows = []
    for unit, grp in data.dropna(subset=[value_col]).groupby(unit_col, sort=True):
        x = grp[period_col].to_numpy(dtype=float)
        y = grp[value_col].to_numpy(dtype=float)
        own = [float(p) for u, p in marks if u == unit and x.min() < float(p) <= x.max()]
        if segment == "last" and own:
            keep = x >= max(own)
            x, y = x[keep], y[keep]
        fit = _ols(x, y, level)
        rows.append({unit_col: unit, "n": int(fit.pop("n")),
                     "first_period": float(x.min()), "last_period": float(x.max()), **fit,
                     "broken": bool(own), "level": level})
    columns = [unit_col, "n", "first_period", "last_period", "slope", "intercept", "se",
               "ci_low", "ci_high", "p_value", "broken", "level"]
    return pd.DataFrame(rows, columns=columns)
