"""Upward aggregation along the unit hierarchy.

Counts sum; ratios are recomputed from summed numerators and denominators (never
averaged); indicators without a rule (index scores, shares without numerators) are not
aggregated.  A parent gets a value only when every one of its children has one, so a
partial sum is never published as a total.
"""

from __future__ import annotations

import pandas as pd

from kekiz.domain.model import Aggregation, Indicator

__all__ = ["aggregate_up"]


def aggregate_up(obs: pd.DataFrame, parents: pd.Series, indicator: Indicator) -> pd.DataFrame:
    """Aggregate one indicator's child observations to their parents.

    ``obs``: columns unit_id, period, value, numerator, denominator, status.
    ``parents``: child unit id -> parent unit id (for all children of the parents).
    Returns observations of the parents (columns as ``obs`` plus ``children``).
    """
    cols = ["unit_id", "period", "value", "numerator", "denominator", "status", "children"]
    if indicator.aggregation is Aggregation.NONE or obs.empty:
        return pd.DataFrame(columns=cols)
    children_per_parent = parents.groupby(parents).size()
    frame = obs.assign(parent=obs["unit_id"].map(parents)).dropna(subset=["parent"])
    ok = frame[frame["status"] == "ok"]
    if indicator.aggregation is Aggregation.SUM:
        ok = ok.dropna(subset=["value"])
        grouped = ok.groupby(["parent", "period"]).agg(value=("value", "sum"),
                                                        children=("unit_id", "nunique"))
        grouped["numerator"] = float("nan")
        grouped["denominator"] = float("nan")
    else:
        ok = ok.dropna(subset=["numerator", "denominator"])
        grouped = ok.groupby(["parent", "period"]).agg(
            numerator=("numerator", "sum"), denominator=("denominator", "sum"),
            children=("unit_id", "nunique"))
        den = grouped["denominator"].where(grouped["denominator"] > 0)
        grouped["value"] = grouped["numerator"] / den * indicator.scale
    grouped = grouped.reset_index()
    complete = grouped["children"].to_numpy() == children_per_parent.reindex(
        grouped["parent"]).to_numpy()
    grouped = grouped[complete & grouped["value"].notna()]
    grouped = grouped.rename(columns={"parent": "unit_id"})
    grouped["status"] = "ok"
    result: pd.DataFrame = grouped[cols].reset_index(drop=True)
    return result
