"""Members against non-members: cohorts, group trends, rankings and funnel plots.

* :func:`cohorts` gives each Gemeinde (or Kreis) the year it entered the network: its own
  join year, or that of its member Kreis, whichever is earlier; 0 for never.
* :func:`group_trends` averages an indicator per period for members, non-members and an
  optional peer group, weighted by population when weights are given, with a 95 %
  interval of the mean (t-based, unweighted standard error of the group).
* :func:`funnel` computes the funnel-plot control limits (95 % and 99.8 %) of a share
  around the overall value, the way English public-health funnel plots do (exact binomial
  limits, Spiegelhalter 2005), and flags units outside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kekiz.domain.errors import MethodError
from kekiz.domain.model import Member

__all__ = ["cohorts", "funnel", "group_trends", "rank_with_intervals"]


def cohorts(members: list[Member], units: pd.DataFrame, level: str) -> pd.Series:
    """First year in the network per unit of ``level`` (0 = never a member).

    ``units``: id, level, parent_id for Kreise and Gemeinden.
    """
    join: dict[str, int] = {}
    for m in members:
        year = m.joined.year
        join[m.unit_id] = min(year, join.get(m.unit_id, year))
    frame = units[units["level"] == level]
    out = {}
    for uid, parent in zip(frame["id"], frame["parent_id"], strict=True):
        years = [y for y in (join.get(uid), join.get(parent or "")) if y is not None]
        out[uid] = min(years) if years else 0
    return pd.Series(out, name="cohort", dtype="int64")


def group_trends(values: pd.DataFrame, groups: pd.Series,
                 weights: pd.Series | None = None) -> pd.DataFrame:
    """Per period and group: mean (weighted if ``weights``), n, 95 % interval.

    ``values``: unit_id, period, value.  ``groups``: unit id -> group label.
    """
    data = values.assign(group=values["unit_id"].map(groups)).dropna(subset=["group",
                                                                              "value"])
    if data.empty:
        raise MethodError("Keine Werte für den Gruppenvergleich.",
                          message_en="No values for the group comparison.")
    data = data.assign(weight=1.0 if weights is None else
                       data["unit_id"].map(weights).astype("float64"))
    data = data.dropna(subset=["weight"])
    rows = []
    for (period, group), part in data.groupby(["period", "group"], sort=True):
        w = part["weight"].to_numpy(dtype=float)
        v = part["value"].to_numpy(dtype=float)
        mean = float(np.average(v, weights=w))
        n = len(v)
        if n > 1:
            se = float(np.std(v, ddof=1) / np.sqrt(n))
            half = float(stats.t.ppf(0.975, n - 1)) * se
        else:
            half = float("nan")
        rows.append({"period": period, "group": group, "mean": mean, "n": n,
                     "lower": mean - half, "upper": mean + half})
    return pd.DataFrame(rows)


def rank_with_intervals(frame: pd.DataFrame, higher_is_better: bool = False) -> pd.DataFrame:
    """Rank units by value; also the best and worst rank their interval allows.

    ``frame``: unit_id, value, lower, upper.  Rank 1 is the best.  A unit's best possible
    rank counts the units whose lower limit (upper when higher is worse) is clearly better
    than its own upper (lower) limit.
    """
    f = frame.dropna(subset=["value"]).reset_index(drop=True)
    sign = -1.0 if higher_is_better else 1.0
    val = sign * f["value"].to_numpy(dtype=float)
    lo = np.where(higher_is_better, -f["upper"], f["lower"]).astype(float)
    hi = np.where(higher_is_better, -f["lower"], f["upper"]).astype(float)
    rank = stats.rankdata(val, method="min").astype(int)
    best = np.array([1 + int(np.sum(hi < lo[i])) for i in range(len(f))])
    worst = np.array([len(f) - int(np.sum(lo > hi[i])) for i in range(len(f))])
    return f.assign(rank=rank, rank_best=best, rank_worst=worst).sort_values(
        ["rank", "unit_id"]).reset_index(drop=True)


def funnel(frame: pd.DataFrame, multiplier: float = 100.0) -> pd.DataFrame:
    """Funnel-plot limits of a share around the pooled value.

    ``frame``: unit_id, numerator, denominator.  Returns per unit the value, the pooled
    target, the 95 % and 99.8 % limits for its denominator and ``outside`` (-2/-1/0/1/2:
    below 99.8, below 95, inside, above 95, above 99.8).
    """
    f = frame.dropna(subset=["numerator", "denominator"])
    f = f[f["denominator"] > 0].reset_index(drop=True)
    if f.empty:
        raise MethodError("Für den Funnel-Plot fehlen Zähler und Nenner.",
                          message_en="Numerators and denominators are missing for the "
                          "funnel plot.")
    p = float(f["numerator"].sum() / f["denominator"].sum())
    n = f["denominator"].to_numpy(dtype=float)
    out = f.assign(value=f["numerator"] / f["denominator"] * multiplier,
                   target=p * multiplier)
    for level, name in ((0.95, "95"), (0.998, "998")):
        alpha = (1 - level) / 2
        lo = stats.binom.ppf(alpha, n.astype(int), p) / n
        hi = stats.binom.ppf(1 - alpha, n.astype(int), p) / n
        out[f"lower_{name}"] = lo * multiplier
        out[f"upper_{name}"] = hi * multiplier
    v = out["value"]
    out["outside"] = np.select(
        [v < out["lower_998"], v < out["lower_95"], v > out["upper_998"], v > out["upper_95"]],
        [-2, -1, 2, 1], default=0)
    return out
