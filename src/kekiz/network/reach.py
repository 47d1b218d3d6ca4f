"""Reach of the state network: the share of the state's children living in members.

Members are Kreise, kreisfreie Städte or kreisangehörige Gemeinden.  Children are counted
on the unit hierarchy without double counting: a member Gemeinde inside a member Kreis
counts once (with its Kreis).  Child counts come from the store when it holds them for the
age band (indicator ``einwohner_u<age>``); otherwise they are estimated from inhabitants
and published age shares, and the result says so:

* Kreis level: ``inhabitants x (share under 6 + share 6 to under 18) / 100``;
* Gemeinde level: ``inhabitants x share under 6 (Gemeinde) x (share under 18 / share
  under 6 of its Kreis) / 100`` — the Kreis' ratio of under-18s to under-6s applied to the
  Gemeinde's own share of young children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from kekiz.domain.errors import MethodError
from kekiz.domain.model import Member

__all__ = ["ChildCounts", "ReachResult", "active_members", "compute_reach"]


@dataclass
class ChildCounts:
    """Children per Kreis (``kreis``) and per Gemeinde (``gemeinde``), with provenance."""

    kreis: pd.Series
    gemeinde: pd.Series
    source_de: str
    source_en: str
    year: str
    estimated: bool


@dataclass
class ReachResult:
    year: int
    age_max: int
    share: float
    children_in_members: float
    children_total: float
    members: list[dict[str, Any]] = field(default_factory=list)
    population_source_de: str = ""
    population_source_en: str = ""
    population_year: str = ""
    estimated: bool = False
    method_de: str = ""
    method_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year, "age_max": self.age_max, "share": self.share,
            "children_in_members": round(self.children_in_members),
            "children_total": round(self.children_total),
            "members": self.members,
            "population_source": self.population_source_de,
            "population_source_en": self.population_source_en,
            "population_year": self.population_year, "estimated": self.estimated,
            "method": self.method_de, "method_en": self.method_en,
        }


def active_members(members: list[Member], year: int) -> list[Member]:
    """Members in the network during ``year`` (joined by its end, not left before)."""
    end, start = date(year, 12, 31), date(year, 1, 1)
    return [m for m in members if m.joined <= end and (m.left is None or m.left >= start)]


def compute_reach(members: list[Member], units: pd.DataFrame, children: ChildCounts,
                  year: int, age_max: int) -> ReachResult:
    """Share of children living in member municipalities in ``year``.

    ``units``: id, name, level, parent_id for Kreise and Gemeinden.
    """
    active = active_members(members, year)
    if not active:
        raise MethodError(f"Im Jahr {year} hat das Netzwerk keine Mitglieder.",
                          message_en=f"The network has no members in {year}.")
    level = dict(zip(units["id"], units["level"], strict=True))
    parent = dict(zip(units["id"], units["parent_id"], strict=True))
    names = dict(zip(units["id"], units["name"], strict=True))
    member_kreise = {m.unit_id for m in active if level.get(m.unit_id) == "kreis"}
    total = float(children.kreis.sum())
    rows: list[dict[str, Any]] = []
    reached = 0.0
    for m in sorted(active, key=lambda m: (m.joined, m.unit_id)):
        lv = level.get(m.unit_id)
        if lv == "kreis":
            n = float(children.kreis.get(m.unit_id, float("nan")))
            counted, note = True, "Kreis / kreisfreie Stadt"
        elif lv == "gemeinde":
            n = float(children.gemeinde.get(m.unit_id, float("nan")))
            inside = parent.get(m.unit_id) in member_kreise
            counted = not inside
            note = (f"liegt im Mitgliedskreis {names.get(parent.get(m.unit_id) or '', '')}; "
                    "einmal gezählt" if inside else "kreisangehörige Gemeinde")
        else:
            raise MethodError(f"Mitglied {m.unit_id} ist weder Kreis noch Gemeinde.",
                              message_en=f"Member {m.unit_id} is neither Kreis nor Gemeinde.")
        if pd.isna(n):
            raise MethodError(
                f"Für {m.name or m.unit_id} ({m.unit_id}) fehlt die Zahl der Kinder.",
                message_en=f"No child count for {m.name or m.unit_id} ({m.unit_id}).")
        if counted:
            reached += n
        rows.append({"unit_id": m.unit_id, "name": names.get(m.unit_id, m.name),
                     "level": lv, "joined": m.joined.isoformat(), "children": round(n),
                     "counted": counted, "note": note})
    band_de = f"unter {age_max} Jahren"
    method_de = (f"Kinder und Jugendliche {band_de} in Mitgliedskommunen geteilt durch alle "
                 f"{band_de} im Land; kreisangehörige Mitglieder in Mitgliedskreisen werden "
                 "nur einmal gezählt.")
    method_en = (f"Children under {age_max} in member municipalities divided by all under "
                 f"{age_max} in the state; member towns inside member Kreise count once.")
    return ReachResult(year=year, age_max=age_max, share=reached / total,
                       children_in_members=reached, children_total=total, members=rows,
                       population_source_de=children.source_de,
                       population_source_en=children.source_en,
                       population_year=children.year, estimated=children.estimated,
                       method_de=method_de, method_en=method_en)


def estimate_children(pop_kreis: pd.Series, u6_kreis: pd.Series, u6_18_kreis: pd.Series,
                      pop_gem: pd.Series, u6_gem: pd.Series, gem_parent: pd.Series,
                      age_max: int) -> tuple[pd.Series, pd.Series]:
    """Children per Kreis and Gemeinde from inhabitants and age shares (in %)."""
    if age_max == 6:
        share_k = u6_kreis
        kreis = pop_kreis * share_k / 100
        gem = pop_gem * u6_gem / 100
        return kreis.dropna(), gem.dropna()
    if age_max != 18:
        raise MethodError(
            f"Altersgrenze {age_max}: aus Anteilen lassen sich nur unter 6 und unter 18 "
            "schätzen. Abhilfe: die Zahl der Kinder als Indikator "
            f"'einwohner_u{age_max}' importieren.",
            message_en=f"Age limit {age_max}: only under 6 and under 18 can be estimated "
            f"from shares. Fix: import the child counts as indicator 'einwohner_u{age_max}'.")
    share_k = u6_kreis + u6_18_kreis
    kreis = (pop_kreis * share_k / 100).dropna()
    ratio = (share_k / u6_kreis).reindex(gem_parent.reindex(pop_gem.index).to_numpy())
    gem = pop_gem * u6_gem / 100 * ratio.to_numpy()
    return kreis, gem.dropna()
