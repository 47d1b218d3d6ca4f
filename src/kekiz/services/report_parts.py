"""Small parts of the reports service: ranks within a report, German plural forms, the
sources table, the disclosure rules named and the funnel plot's share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kekiz.domain.errors import KekizError
from kekiz.domain.model import Dataset
from kekiz.network.compare import funnel
from kekiz.reporting.report_model import USABLE, FunnelInput, IndicatorInput

__all__ = ["dataset_table", "dative", "funnel_input", "plural", "privacy_rules", "rerank"]


def rerank(table: pd.DataFrame) -> pd.DataFrame:
    """Ranks within the report's areas (by points, then the earlier rank)."""
    t = table.copy()
    t["points"] = pd.to_numeric(t["points"], errors="coerce")
    t["_old"] = pd.to_numeric(t["rank"], errors="coerce")
    t = t.sort_values(["points", "_old"], ascending=[False, True], na_position="last")
    t["rank"] = np.where(t["points"].notna(), np.arange(1, len(t) + 1), np.nan)
    return t.drop(columns=["_old"]).reset_index(drop=True)


def plural(name: str) -> str:
    return {"Stadtteil": "Stadtteilen", "Stadtbezirk": "Stadtbezirken",
            "Gemeinde": "Gemeinden", "Kreis / kreisfreie Stadt": "Kreisen und kreisfreien "
            "Städten", "Sozialraum": "Sozialräumen", "Baublock": "Baublöcken"}.get(name, name)


def dative(plural: str) -> str:
    """The dative of a German plural ("in 58 Prognoseräumen")."""
    return plural if plural.endswith(("n", "s")) else f"{plural}n"


def dataset_table(datasets: list[Dataset]) -> pd.DataFrame:
    rows = [{"name": d.name, "source": d.source, "licence": d.licence, "kind": d.kind}
            for d in datasets]
    frame = pd.DataFrame(rows, columns=["name", "source", "licence", "kind"])
    return frame.drop_duplicates(subset=["name"]).reset_index(drop=True)


def privacy_rules(inputs: list[IndicatorInput]) -> list[tuple[str, str]]:
    out = []
    for d in inputs:
        rule = d.indicator.disclosure_rule
        if rule:
            out.append((f"{d.indicator.name_de}: {rule}", f"{d.indicator.name_en}: {rule}"))
    return out


def funnel_input(inputs: list[IndicatorInput]) -> FunnelInput | None:
    """The funnel plot of the first share (in %, with counts for at least five areas),
    indicators with a direction first."""
    for data in sorted(inputs, key=lambda d: d.indicator.polarity == 0):
        ind = data.indicator
        if float(ind.scale or 0) != 100.0 or ind.unit != "%":
            continue
        v = data.values
        ok = v[v["status"].isin(USABLE) & v["value"].notna()].dropna(
            subset=["numerator", "denominator"])
        ok = ok[pd.to_numeric(ok["denominator"], errors="coerce") > 0]
        if len(ok) < 5:
            continue
        try:
            frame = funnel(ok[["unit_id", "numerator", "denominator"]].astype(
                {"numerator": float, "denominator": float}))
        except KekizError:  # no funnel for this share (e.g. all rates equal): the next one
            continue
        return FunnelInput(ind, frame)
    return None
