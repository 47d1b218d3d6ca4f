"""The chain matrix: life phase x sector (and transition x sector), per unit and in total.

Each cell counts the offers (service at location) and sums their places.  An offer
for several life phases (or ``all``) counts in each of its phases, so the places of a
column are not a sum across phases; an offer without life phase and without ages is
left out and counted in :attr:`ChainMatrix.unassigned`.  Offers without a unit
(no coordinates, outside every unit) count only in the total.  A cell without any
offer is *empty* and named in plain words by :meth:`ChainMatrix.gaps_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kekiz.domain.directory import CORE_SECTORS, LIFE_PHASES, Transition, sector_label
from kekiz.domain.errors import MethodError
from kekiz.domain.model import LifePhase

__all__ = ["TOTAL", "ChainMatrix", "chain_matrix"]

#: ``unit_id`` of the rows for the whole municipality.
TOTAL = "__gesamt__"


@dataclass
class ChainMatrix:
    """Result of :func:`chain_matrix`.

    ``phases``: long table ``unit_id, life_phase, sector, offers, capacity, empty``;
    ``transitions``: the same with ``transition`` instead of ``life_phase``;
    rows with ``unit_id == TOTAL`` are the whole municipality.
    """

    phases: pd.DataFrame
    transitions: pd.DataFrame
    sectors: list[str]
    units: list[str]
    unassigned: int = 0
    names: dict[str, str] = field(default_factory=dict)

    def matrix(self, unit_id: str = TOTAL, value: str = "offers",
               dimension: str = "life_phase") -> pd.DataFrame:
        """Wide matrix of one unit: rows life phases (or transitions), columns sectors."""
        table = self.phases if dimension == "life_phase" else self.transitions
        part = table[table["unit_id"] == unit_id]
        if part.empty:
            raise MethodError(f"Gebiet '{unit_id}' ist nicht in der Matrix.",
                              message_en=f"Unit '{unit_id}' is not in the matrix.")
        wide = part.pivot(index=dimension, columns="sector", values=value)
        order = [p.value for p in LIFE_PHASES] if dimension == "life_phase" \
            else [t.value for t in Transition]
        return wide.reindex(index=order, columns=self.sectors)

    def empty_cells(self, unit_id: str | None = None,
                    dimension: str = "life_phase") -> pd.DataFrame:
        table = self.phases if dimension == "life_phase" else self.transitions
        out = table[table["empty"]]
        return out if unit_id is None else out[out["unit_id"] == unit_id]

    def gaps_text(self, unit_id: str = TOTAL, lang: str = "de") -> list[str]:
        """Every empty cell of a unit as a sentence."""
        where = self.names.get(unit_id, unit_id)
        if unit_id == TOTAL:
            where = "in der Kommune" if lang == "de" else "in the municipality"
        else:
            where = f"in {where}"
        out = []
        for r in self.empty_cells(unit_id).itertuples():
            phase = LifePhase(str(r.life_phase))
            if lang == "en":
                out.append(f"No offer {where} for {phase.label_en} in "
                           f"{sector_label(str(r.sector), 'en')}.")
            else:
                out.append(f"Kein Angebot {where} für {phase.label_de} im Bereich "
                           f"{sector_label(str(r.sector), 'de')}.")
        for r in self.empty_cells(unit_id, "transition").itertuples():
            t = Transition(str(r.transition))
            if lang == "en":
                out.append(f"No offer {where} for the transition {t.label_en} in "
                           f"{sector_label(str(r.sector), 'en')}.")
            else:
                out.append(f"Kein Angebot {where} für den Übergang {t.label_de} im Bereich "
                           f"{sector_label(str(r.sector), 'de')}.")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"sectors": self.sectors, "units": self.units, "unassigned": self.unassigned,
                "phases": self.phases.to_dict("records"),
                "transitions": self.transitions.to_dict("records")}


def chain_matrix(offers: pd.DataFrame, *, units: Sequence[str] | None = None,
                 sectors: Sequence[str] | None = None, only_published: bool = False,
                 names: dict[str, str] | None = None) -> ChainMatrix:
    """Count offers and places per unit, life phase and sector (see the module text).

    ``offers`` is :meth:`Directory.offers`; ``units`` lists the units to show (also those
    without any offer), default those named in ``offers``; ``sectors`` defaults to the
    four core sectors plus every other sector present.
    """
    frame = offers[offers["status"].fillna("active") == "active"]
    if only_published:
        frame = frame[frame["published"].astype(bool)]
    present = [s for s in frame["sector"].dropna().unique() if s not in CORE_SECTORS]
    cols = list(sectors) if sectors is not None else list(CORE_SECTORS) + sorted(present)
    unit_list = list(units) if units is not None else sorted(
        str(u) for u in frame["unit_id"].dropna().unique())
    unassigned = int(sum(1 for p in frame["life_phases"] if not p))
    phases = _cells(frame, "life_phases", "life_phase", [p.value for p in LIFE_PHASES],
                    cols, unit_list)
    trans = _cells(frame, "transitions", "transition", [t.value for t in Transition],
                   cols, unit_list)
    return ChainMatrix(phases, trans, cols, unit_list, unassigned, dict(names or {}))


def _cells(frame: pd.DataFrame, list_col: str, name: str, values: list[str],
           sectors: list[str], units: list[str]) -> pd.DataFrame:
    long = frame[["offer_id", "unit_id", "sector", "capacity", list_col]].explode(list_col)
    long = long[long[list_col].notna() & long["sector"].isin(sectors)]
    long = long.rename(columns={list_col: name})
    parts = [long.assign(unit_id=TOTAL), long[long["unit_id"].isin(units)]]
    both = pd.concat(parts, ignore_index=True)
    counts = both.groupby(["unit_id", name, "sector"]).agg(
        offers=("offer_id", "nunique"), capacity=("capacity", lambda s: s.sum(min_count=1)))
    grid = pd.MultiIndex.from_product([[TOTAL, *units], values, sectors],
                                      names=["unit_id", name, "sector"])
    out = counts.reindex(grid).reset_index()
    out["offers"] = out["offers"].fillna(0).astype(int)
    out["capacity"] = out["capacity"].astype("float64")
    out.loc[out["offers"] == 0, "capacity"] = 0.0
    out["empty"] = out["offers"] == 0
    return out
