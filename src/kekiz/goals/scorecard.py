"""Scorecards: every target of a Leitbild that applies to one unit, with its progress.

A target applies to a unit when it names the unit (``unit_id``) or when it is a level
target (``level``) and the unit lies on that level below the Leitbild's municipality
(e.g. every Stadtteil).  Values come from a *series provider* (the goals service reads the
store), so this module stays pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kekiz.domain.goals import Goal, GoalStatus, IndicatorInfo, Leitbild, Target
from kekiz.goals.progress import RULE_DE, RULE_EN, TargetProgress, assess

__all__ = ["Scorecard", "Series", "SeriesProvider", "applies", "progress_of",
           "scorecard"]


@dataclass
class Series:
    """A yearly series (``year``, ``value``) and how it was obtained."""

    frame: pd.DataFrame
    notes_de: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)


SeriesProvider = Callable[[str, str], Series]


def applies(target: Target, unit_id: str, unit_level: str, below_leitbild_unit: bool) -> bool:
    if target.unit_id is not None:
        return target.unit_id == unit_id
    return target.level == unit_level and below_leitbild_unit


@dataclass
class Scorecard:
    leitbild: Leitbild
    unit_id: str
    unit_name: str
    unit_level: str
    rows: list[TargetProgress]
    goals: list[Goal]

    def counts(self) -> dict[str, int]:
        c = Counter(r.status.value for r in self.rows)
        return {s.value: c.get(s.value, 0) for s in GoalStatus}

    def rule(self, lang: str = "de") -> str:
        return (RULE_EN if lang == "en" else RULE_DE).format(w=self.leitbild.forecast_window)

    def to_dict(self, lang: str = "de") -> dict[str, Any]:
        lb = self.leitbild
        return {
            "leitbild": {"id": lb.id, "name": lb.name, "unit_id": lb.unit_id,
                         "synthetic": lb.synthetic, "note": lb.note},
            "unit_id": self.unit_id, "unit_name": self.unit_name, "level": self.unit_level,
            "counts": self.counts(), "rule": self.rule(lang),
            "targets": [r.to_dict(lang) for r in self.rows],
            "goals": [{"id": g.id, "result": g.result(lang),
                       "programmes": [_programme(p, lang) for p in g.programmes]}
                      for g in self.goals],
        }


def _programme(p: Any, lang: str) -> dict[str, Any]:
    return {"id": p.id, "name": p.name_en if lang == "en" and p.name_en else p.name_de,
            "lead": p.lead, "synthetic": p.synthetic,
            "measures": [{"id": m.id, "kind": m.kind.value,
                          "kind_label": m.kind.label_en if lang == "en" else m.kind.label_de,
                          "name": m.name_en if lang == "en" and m.name_en else m.name_de,
                          "unit": m.unit, "values": {str(y): v for y, v in
                                                     sorted(m.values.items())},
                          "target": m.target, "synthetic": m.synthetic or p.synthetic}
                         for m in p.measures]}


def scorecard(lb: Leitbild, unit_id: str, unit_name: str, unit_level: str, *,
              below_leitbild_unit: bool, info: Mapping[str, IndicatorInfo],
              series: SeriesProvider) -> Scorecard:
    """Progress of every target of ``lb`` that applies to the unit, in Leitbild order."""
    rows: list[TargetProgress] = []
    goals: list[Goal] = []
    for goal in lb.goals:
        hits = [t for t in goal.targets if applies(t, unit_id, unit_level, below_leitbild_unit)]
        if not hits:
            continue
        goals.append(goal)
        for target in hits:
            rows.append(progress_of(lb, goal, target, unit_id, unit_name, info, series))
    return Scorecard(lb, unit_id, unit_name, unit_level, rows, goals)


def progress_of(lb: Leitbild, goal: Goal, target: Target, unit_id: str, unit_name: str,
                info: Mapping[str, IndicatorInfo], series: SeriesProvider) -> TargetProgress:
    ind = info.get(target.indicator_id) or IndicatorInfo(target.indicator_id,
                                                         target.indicator_id)
    got = series(target.indicator_id, unit_id)
    notes = (list(got.notes_de), list(got.notes_en))
    if ind.pending and got.frame.empty:
        notes[0].append("Indikator im Leitbild angekündigt, noch nicht im Store" +
                        (f": {ind.note_de}" if ind.note_de else "."))
        notes[1].append("Indicator announced by the Leitbild, not yet in the store" +
                        (f": {ind.note_en or ind.note_de}" if ind.note_en or ind.note_de
                         else "."))
    return assess(goal.id, target, got.frame, unit_id=unit_id, unit_name=unit_name,
                  indicator_name_de=ind.name_de, indicator_name_en=ind.name_en,
                  indicator_unit=ind.unit, decimals=ind.decimals, polarity=ind.polarity,
                  default_baseline_year=lb.baseline_year, window=lb.forecast_window,
                  notes=notes)
