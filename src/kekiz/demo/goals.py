"""The cooperation network (SYNTHETIC survey waves) and the Leitbild of the Köln demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kekiz.demo import demo_dir
from kekiz.domain.goals import GoalStatus

if TYPE_CHECKING:
    from kekiz.app import Kekiz

__all__ = ["DEMO_COVERAGE_INDICATOR", "build_cooperation_demo", "build_goals_demo"]


def build_cooperation_demo(app: Kekiz) -> list[str]:
    """Import the two synthetic survey waves of the Köln demo network; summary lines."""
    base = demo_dir() / "cooperation"
    lines = []
    for wave in (1, 2):
        path = base / f"SYNTHETISCH_koeln_kooperation_welle{wave}.csv"
        result = app.cooperation.import_wave(
            path, wave, label=f"SYNTHETISCH: Kooperationsnetzwerk Köln, Welle {wave} "
            "(erfundene Demo-Daten)", source="kekiz, synthetisch erzeugt (keine echten "
            "Akteure oder Beziehungen)")
        lines.append(f"{result.dataset.name}: {result.actors} Akteure, {result.reports} "
                     "Nennungen")
    return lines


#: The Kita coverage of the demo, stored as an indicator for the Leitbild's Kita goal.
DEMO_COVERAGE_INDICATOR = "kitas_je_1000_3_6"


def build_goals_demo(app: Kekiz) -> list[str]:
    """Store the Kita coverage of the chain demo as an indicator (Stadtteile,
    Stadtbezirke, city), import the demo Leitbild of Köln and return summary lines."""
    cov = app.goals.store_coverage_indicator(
        DEMO_COVERAGE_INDICATOR, levels=("stadtteil", "stadtbezirk", "gemeinde"),
        life_phase="3-6", kind="kita")
    lines = [f"{cov.dataset.name}: {sum(cov.rows.values())} Werte "
             f"({cov.indicator.name_de}, {cov.period})"]
    result = app.goals.import_leitbild(demo_dir() / "goals" / "leitbild_koeln.yaml")
    card = app.goals.scorecard(result.leitbild.unit_id, result.leitbild.id)
    counts = card.counts()
    status = ", ".join(f"{GoalStatus(k).label_de} {v}" for k, v in counts.items() if v)
    lines.append(f"{result.dataset.name}: {len(result.leitbild.goals)} Ziele, "
                 f"{result.targets} Zielwerte; Status {card.unit_name}: {status}")
    return lines
