"""Need versus supply: quadrants and a ranked list of gaps with reasons in plain words.

A unit's need (e.g. SGB-II rate of children, a status index; higher = more need) and
supply (e.g. places per child, 2SFCA accessibility; higher = more supply) are each
*high* when they are **above** the threshold, by default the median of the units with a
value.  The quadrants:

* ``gap``: high need, low supply (Lücke; these come first);
* ``served``: high need, high supply;
* ``low``: low need, low supply;
* ``surplus``: low need, high supply;
* ``unknown``: need or supply missing.

The gap score is ``need percentile - supply percentile`` (pandas ``rank(pct=True)``,
ties averaged), from -1 to 1; the list is ranked by it (largest gap first; ties by
higher need, then unit id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

__all__ = ["QUADRANTS", "GapResult", "Measure", "need_supply"]

QUADRANTS: dict[str, tuple[str, str]] = {
    "gap": ("Hoher Bedarf, geringes Angebot", "high need, low supply"),
    "served": ("Hoher Bedarf, hohes Angebot", "high need, high supply"),
    "low": ("Geringer Bedarf, geringes Angebot", "low need, low supply"),
    "surplus": ("Geringer Bedarf, hohes Angebot", "low need, high supply"),
    "unknown": ("Werte fehlen", "values missing"),
}


@dataclass(frozen=True)
class Measure:
    """Name and unit of the need or supply measure, for the sentences."""

    label_de: str
    label_en: str
    unit: str = ""
    decimals: int = 1

    def show(self, value: float, lang: str) -> str:
        text = fmt_number(value, self.decimals, lang)
        if not self.unit:
            return text
        return f"{text} {self.unit}" if not (self.unit == "%" and lang == "en") \
            else f"{text}%"


@dataclass
class GapResult:
    """Result of :func:`need_supply`.

    ``table``: ``unit_id, name, need, supply, need_high, supply_high, quadrant,
    gap_score, rank, reason_de, reason_en`` ranked by ``rank``.
    """

    table: pd.DataFrame
    need_threshold: float
    supply_threshold: float
    split: str

    def gaps(self) -> pd.DataFrame:
        """The units with high need and low supply, largest gap first."""
        return self.table[self.table["quadrant"] == "gap"]

    def text(self, lang: str = "de", only_gaps: bool = True) -> list[str]:
        rows = self.gaps() if only_gaps else self.table
        col = "reason_en" if lang == "en" else "reason_de"
        return [f"{int(r['rank'])}. {r['name']}: {r[col]}" for _, r in rows.iterrows()]

    def to_dict(self) -> dict[str, Any]:
        return {"need_threshold": self.need_threshold,
                "supply_threshold": self.supply_threshold, "split": self.split,
                "units": self.table.replace({np.nan: None}).to_dict("records")}


def need_supply(frame: pd.DataFrame, *, need: str, supply: str, unit: str = "unit_id",
                name: str | None = None, need_threshold: float | None = None,
                supply_threshold: float | None = None,
                need_measure: Measure | None = None,
                supply_measure: Measure | None = None) -> GapResult:
    """Quadrants and ranked gap list (see the module text)."""
    for col in (unit, need, supply, *([name] if name else [])):
        if col not in frame.columns:
            raise MethodError(f"Spalte '{col}' fehlt.", message_en=f"Column '{col}' missing.")
    nm = need_measure or Measure("Bedarf", "need")
    sm = supply_measure or Measure("Angebot", "supply", decimals=2)
    out = pd.DataFrame({
        "unit_id": frame[unit].astype(str).to_numpy(),
        "name": (frame[name] if name else frame[unit]).astype(str).to_numpy(),
        "need": pd.to_numeric(frame[need], errors="coerce").to_numpy(float),
        "supply": pd.to_numeric(frame[supply], errors="coerce").to_numpy(float)})
    known = out["need"].notna() & out["supply"].notna()
    if not known.any():
        raise MethodError("Kein Gebiet hat Werte für Bedarf und Angebot.",
                          message_en="No unit has values for both need and supply.")
    split = "given" if need_threshold is not None or supply_threshold is not None \
        else "median"
    nt = float(out.loc[known, "need"].median()) if need_threshold is None else need_threshold
    st = float(out.loc[known, "supply"].median()) if supply_threshold is None \
        else supply_threshold
    out["need_high"] = out["need"] > nt
    out["supply_high"] = out["supply"] > st
    out["quadrant"] = np.select(
        [~known, out["need_high"] & ~out["supply_high"], out["need_high"],
         ~out["supply_high"]], ["unknown", "gap", "served", "low"], "surplus")
    need_pct = out.loc[known, "need"].rank(pct=True)
    supply_pct = out.loc[known, "supply"].rank(pct=True)
    out["gap_score"] = (need_pct - supply_pct).reindex(out.index)
    need_rank = out.loc[known, "need"].rank(ascending=False, method="min")
    out = out.sort_values(["gap_score", "need", "unit_id"], ascending=[False, False, True],
                          na_position="last", kind="mergesort")
    out["rank"] = np.arange(1, len(out) + 1)
    n = int(known.sum())
    reasons = [_reason(r, nt, st, nm, sm, need_rank.get(i), n)
               for i, r in out.iterrows()]
    out["reason_de"] = [r[0] for r in reasons]
    out["reason_en"] = [r[1] for r in reasons]
    return GapResult(out.reset_index(drop=True), nt, st, split)


def _reason(r: pd.Series, nt: float, st: float, nm: Measure, sm: Measure,
            need_rank: float | None, n: int) -> tuple[str, str]:
    if r["quadrant"] == "unknown":
        missing_de = [x for x, v in (("Bedarf", r["need"]), ("Angebot", r["supply"]))
                      if np.isnan(v)]
        missing_en = [x for x, v in (("need", r["need"]), ("supply", r["supply"]))
                      if np.isnan(v)]
        return (f"Kein Wert für {' und '.join(missing_de)}; nicht eingeordnet.",
                f"No value for {' and '.join(missing_en)}; not classified.")
    rank = int(need_rank) if need_rank is not None else 0
    nd = "hoch" if r["need_high"] else "niedrig"
    ne = "high" if r["need_high"] else "low"
    sd = "hoch" if r["supply_high"] else "gering"
    se = "high" if r["supply_high"] else "low"
    de = (f"Bedarf {nd}: {nm.label_de} {nm.show(r['need'], 'de')} (Schwelle "
          f"{nm.show(nt, 'de')}, Rang {rank} von {n}); Angebot {sd}: {sm.label_de} "
          f"{sm.show(r['supply'], 'de')} (Schwelle {sm.show(st, 'de')}).")
    en = (f"Need {ne}: {nm.label_en} {nm.show(r['need'], 'en')} (threshold "
          f"{nm.show(nt, 'en')}, rank {rank} of {n}); supply {se}: {sm.label_en} "
          f"{sm.show(r['supply'], 'en')} (threshold {sm.show(st, 'en')}).")
    return de, en
