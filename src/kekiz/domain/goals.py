"""The Leitbild in Results-Based Accountability terms: plain dataclasses, no I/O.

A :class:`Leitbild` holds *results* (:class:`Goal`: a condition of well-being for the
children of a population, e.g. "Alle Kinder wachsen ohne Armut auf"), each made
measurable by indicators of the monitoring with *targets* (:class:`Target`: value, year,
direction, the unit or the level of units it applies to), and *programmes* with their
performance measures (:class:`Measure`: how much did we do, how well did we do it, is
anyone better off).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["DIRECTION_ALIASES", "MEASURE_ALIASES", "DeclaredIndicator", "Direction", "Goal",
           "GoalStatus", "IndicatorInfo", "Leitbild", "Measure", "MeasureKind", "Programme",
           "Target"]


class Direction(enum.StrEnum):
    """Which way the indicator should move towards the target."""

    DECREASE = "senken"
    INCREASE = "steigern"
    MAINTAIN = "halten"

    @property
    def label_de(self) -> str:
        return self.value

    @property
    def label_en(self) -> str:
        return {"senken": "decrease", "steigern": "increase", "halten": "maintain"}[self.value]


DIRECTION_ALIASES: dict[str, Direction] = {
    "senken": Direction.DECREASE, "verringern": Direction.DECREASE,
    "reduzieren": Direction.DECREASE, "abnehmen": Direction.DECREASE,
    "decrease": Direction.DECREASE, "reduce": Direction.DECREASE, "down": Direction.DECREASE,
    "steigern": Direction.INCREASE, "erhöhen": Direction.INCREASE,
    "erhoehen": Direction.INCREASE, "ausbauen": Direction.INCREASE,
    "increase": Direction.INCREASE, "up": Direction.INCREASE,
    "halten": Direction.MAINTAIN, "sichern": Direction.MAINTAIN,
    "maintain": Direction.MAINTAIN, "keep": Direction.MAINTAIN,
}


class GoalStatus(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    @property
    def label_de(self) -> str:
        return _STATUS_DE[self]

    @property
    def label_en(self) -> str:
        return _STATUS_EN[self]

    def label(self, lang: str = "de") -> str:
        return self.label_en if lang == "en" else self.label_de


_STATUS_DE = {GoalStatus.ON_TRACK: "auf Kurs", GoalStatus.AT_RISK: "gefährdet",
              GoalStatus.OFF_TRACK: "nicht auf Kurs", GoalStatus.NO_DATA: "keine Daten"}
_STATUS_EN = {GoalStatus.ON_TRACK: "on track", GoalStatus.AT_RISK: "at risk",
              GoalStatus.OFF_TRACK: "off track", GoalStatus.NO_DATA: "no data"}


class MeasureKind(enum.StrEnum):
    """The three kinds of programme performance measures."""

    HOW_MUCH = "how_much"
    HOW_WELL = "how_well"
    BETTER_OFF = "better_off"

    @property
    def label_de(self) -> str:
        return {"how_much": "Wie viel haben wir getan?",
                "how_well": "Wie gut haben wir es getan?",
                "better_off": "Geht es jemandem besser?"}[self.value]

    @property
    def label_en(self) -> str:
        return {"how_much": "How much did we do?", "how_well": "How well did we do it?",
                "better_off": "Is anyone better off?"}[self.value]


MEASURE_ALIASES: dict[str, MeasureKind] = {
    "how_much": MeasureKind.HOW_MUCH, "how much": MeasureKind.HOW_MUCH,
    "wie viel": MeasureKind.HOW_MUCH, "wie_viel": MeasureKind.HOW_MUCH,
    "wieviel": MeasureKind.HOW_MUCH, "menge": MeasureKind.HOW_MUCH,
    "how_well": MeasureKind.HOW_WELL, "how well": MeasureKind.HOW_WELL,
    "wie gut": MeasureKind.HOW_WELL, "wie_gut": MeasureKind.HOW_WELL,
    "qualität": MeasureKind.HOW_WELL, "qualitaet": MeasureKind.HOW_WELL,
    "better_off": MeasureKind.BETTER_OFF, "better off": MeasureKind.BETTER_OFF,
    "is anyone better off": MeasureKind.BETTER_OFF, "besser": MeasureKind.BETTER_OFF,
    "besser gestellt": MeasureKind.BETTER_OFF, "besser_gestellt": MeasureKind.BETTER_OFF,
    "geht es jemandem besser": MeasureKind.BETTER_OFF, "wirkung": MeasureKind.BETTER_OFF,
}


@dataclass
class Target:
    """A target for one indicator, on one unit (``unit_id``) or on every unit of a
    ``level`` below the Leitbild's municipality (e.g. every Stadtteil)."""

    indicator_id: str
    target_value: float
    target_year: int
    direction: Direction
    unit_id: str | None = None
    level: str | None = None
    baseline_year: int | None = None
    baseline_value: float | None = None
    tolerance: float | None = None  # only for 'halten' on a neutral indicator
    position: int = 0

    def stated_baseline(self, default_year: int | None) -> tuple[int | None, float | None]:
        """The baseline as the Leitbild states it: the target's baseline year (else the
        Leitbild's, ``default_year``) and the target's baseline value (``None`` when the
        value is to come from the data)."""
        year = self.baseline_year if self.baseline_year is not None else default_year
        return year, self.baseline_value


@dataclass
class Measure:
    id: str
    kind: MeasureKind
    name_de: str
    name_en: str = ""
    unit: str = ""
    values: dict[int, float] = field(default_factory=dict)
    target: float | None = None
    synthetic: bool = False


@dataclass
class Programme:
    id: str
    name_de: str
    name_en: str = ""
    lead: str = ""
    measures: list[Measure] = field(default_factory=list)
    synthetic: bool = False
    position: int = 0


@dataclass
class Goal:
    """A result (population goal) with its indicator targets and programmes."""

    id: str
    result_de: str
    result_en: str = ""
    targets: list[Target] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    life_phase: str = "all"
    sector: str = "general"
    position: int = 0

    def result(self, lang: str = "de") -> str:
        return self.result_en if lang == "en" and self.result_en else self.result_de


@dataclass
class DeclaredIndicator:
    """An indicator the Leitbild names before the store holds it (e.g. one another data
    source will deliver); shown with status 'keine Daten' until values arrive."""

    id: str
    name_de: str
    name_en: str = ""
    unit: str = ""
    polarity: int = 0
    decimals: int = 1
    note_de: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class IndicatorInfo:
    """What a scorecard shows of an indicator; ``pending``: declared by the Leitbild but
    not (yet) in the store."""

    id: str
    name_de: str
    name_en: str = ""
    unit: str = ""
    decimals: int = 1
    polarity: int = 0
    pending: bool = False
    note_de: str = ""
    note_en: str = ""


@dataclass
class Leitbild:
    id: str
    name: str
    unit_id: str
    goals: list[Goal] = field(default_factory=list)
    indicators: list[DeclaredIndicator] = field(default_factory=list)
    baseline_year: int | None = None
    forecast_window: int = 10
    synthetic: bool = False
    note: str = ""
    dataset_id: int | None = None

    def goal(self, goal_id: str) -> Goal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)
