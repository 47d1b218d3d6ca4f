"""Roll-ups: values of fine units into coarser units along a mapping (no I/O).

A mapping row says that a fine unit belongs (with ``weight``, 1 by default) to a coarse
unit; it comes from a key prefix, a mapping table or spatial containment.  Counts
(``sum``) are summed with their weights; ratios (``ratio``) are recomputed from the
weighted sums of numerators and denominators (``numerator / denominator * scale``),
never averaged; indicators without an aggregation rule are not rolled up.  A coarse unit
gets a value only when every fine unit mapped to it has one, unless ``partial`` is given:
then the fine units with values count and the result names how many were missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kekiz.domain.model import Aggregation, Indicator

__all__ = ["RolledUp", "rollup_values"]

_COLUMNS = ["unit_id", "period", "value", "numerator", "denominator", "status", "children",
            "missing"]


@dataclass
class RolledUp:
    """The coarse values, and the (unit, period) pairs left out for missing fine values."""

    values: pd.DataFrame
    incomplete: int = 0


def rollup_values(obs: pd.DataFrame, mapping: pd.DataFrame, indicator: Indicator, *,
                  partial: bool = False) -> RolledUp:
    """Roll one indicator's fine observations up into coarse units.

    ``obs``: unit_id, period, value, numerator, denominator, status (fine units).
    ``mapping``: fine, coarse, weight.  Returns coarse observations with ``children``
    (fine units used) and ``missing`` (fine units mapped but without a value).
    """
    if indicator.aggregation is Aggregation.NONE or obs.empty or mapping.empty:
        return RolledUp(pd.DataFrame(columns=_COLUMNS))
    per_coarse = mapping.groupby("coarse")["fine"].nunique()
    frame = obs[obs["status"] == "ok"].merge(mapping, left_on="unit_id", right_on="fine")
    w = frame["weight"].astype(float)
    if indicator.aggregation is Aggregation.SUM:
        frame = frame.assign(v=frame["value"] * w).dropna(subset=["v"])
        grouped = frame.groupby(["coarse", "period"]).agg(value=("v", "sum"),
                                                          children=("fine", "nunique"))
        grouped["numerator"] = float("nan")
        grouped["denominator"] = float("nan")
    else:
        frame = frame.assign(n=frame["numerator"] * w, d=frame["denominator"] * w)
        frame = frame.dropna(subset=["n", "d"])
        grouped = frame.groupby(["coarse", "period"]).agg(
            numerator=("n", "sum"), denominator=("d", "sum"), children=("fine", "nunique"))
        den = grouped["denominator"].where(grouped["denominator"] > 0)
        grouped["value"] = grouped["numerator"] / den * indicator.scale
    grouped = grouped.reset_index()
    expected = per_coarse.reindex(grouped["coarse"]).to_numpy()
    grouped["missing"] = expected - grouped["children"].to_numpy()
    complete = grouped["missing"] == 0
    incomplete = int((~complete).sum())
    if not partial:
        grouped = grouped[complete]
    grouped = grouped[grouped["value"].notna()].rename(columns={"coarse": "unit_id"})
    grouped["status"] = "ok"
    return RolledUp(grouped[_COLUMNS].reset_index(drop=True), incomplete)
