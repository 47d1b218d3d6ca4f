"""The kekiz data model: plain dataclasses and enums, no I/O.

Long format throughout: an :class:`Observation` is one value of one indicator for one
unit and one period.  Units form a hierarchy of :class:`Level` s; values aggregate
upward where the indicator allows it (counts sum; rates are recomputed from summed
numerators and denominators, never averaged).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kekiz.domain.errors import KekizError

__all__ = [
    "DEFAULT_LEVELS",
    "OBSERVATION_COLUMNS",
    "Aggregation",
    "Dataset",
    "Indicator",
    "Level",
    "LifePhase",
    "Member",
    "Observation",
    "Polarity",
    "Sector",
    "Status",
    "Unit",
    "private_mark",
]


class Status(enum.StrEnum):
    """Status of an observation."""

    OK = "ok"
    SUPPRESSED = "suppressed"
    MISSING = "missing"
    ESTIMATED = "estimated"
    UNRELIABLE = "unreliable"


class Polarity(enum.IntEnum):
    """Whether a higher value is better (+1), worse (-1) or neither (0) for children."""

    HIGHER_IS_WORSE = -1
    NEUTRAL = 0
    HIGHER_IS_BETTER = 1


class Aggregation(enum.StrEnum):
    """How an indicator's values combine when units are merged upward.

    ``sum``: the value is a count and sums.  ``ratio``: the value is
    ``numerator / denominator * scale`` and is recomputed from summed numerators and
    denominators.  ``none``: the value cannot be aggregated (e.g. an index score).
    """

    SUM = "sum"
    RATIO = "ratio"
    NONE = "none"


class LifePhase(enum.StrEnum):
    PREGNANCY = "pregnancy"  # Schwangerschaft und Geburt
    AGE_0_3 = "0-3"
    AGE_3_6 = "3-6"
    AGE_6_10 = "6-10"
    AGE_10_16 = "10-16"
    AGE_16_25 = "16-25"
    ALL = "all"

    @property
    def label_de(self) -> str:
        return _LIFE_PHASE_DE[self]

    @property
    def label_en(self) -> str:
        return _LIFE_PHASE_EN[self]


_LIFE_PHASE_DE = {
    LifePhase.PREGNANCY: "Schwangerschaft und Geburt",
    LifePhase.AGE_0_3: "0 bis unter 3 Jahre",
    LifePhase.AGE_3_6: "3 bis unter 6 Jahre",
    LifePhase.AGE_6_10: "6 bis unter 10 Jahre",
    LifePhase.AGE_10_16: "10 bis unter 16 Jahre",
    LifePhase.AGE_16_25: "16 bis unter 25 Jahre (Übergang in den Beruf)",
    LifePhase.ALL: "alle Lebensphasen",
}
_LIFE_PHASE_EN = {
    LifePhase.PREGNANCY: "pregnancy and birth",
    LifePhase.AGE_0_3: "0 to under 3 years",
    LifePhase.AGE_3_6: "3 to under 6 years",
    LifePhase.AGE_6_10: "6 to under 10 years",
    LifePhase.AGE_10_16: "10 to under 16 years",
    LifePhase.AGE_16_25: "16 to under 25 years (transition to work)",
    LifePhase.ALL: "all life phases",
}


class Sector(enum.StrEnum):
    HEALTH = "health"
    EDUCATION = "education"
    YOUTH_WELFARE = "youth_welfare"
    SOCIAL = "social"
    SPORT_CULTURE = "sport_culture"
    EMPLOYMENT = "employment"
    SAFETY = "safety"
    GENERAL = "general"


@dataclass(frozen=True)
class Level:
    """One level of the unit hierarchy; ``rank`` 0 is the top (Land).

    A municipality may declare levels of its own (Berlin: Bezirk > Prognoseraum >
    Bezirksregion > Planungsraum): ``parent_id`` is the next coarser level of that
    hierarchy, ``municipality`` the unit id of the municipality that declared it (None for
    the built-in levels), ``plural_de`` / ``plural_en`` the plural names ("" = derived).
    """

    id: str
    name_de: str
    name_en: str
    rank: int
    parent_id: str | None = None
    municipality: str | None = None
    plural_de: str = ""
    plural_en: str = ""

    def name(self, lang: str = "de", *, plural: bool = False) -> str:
        """The display name in ``lang`` (``de`` or ``en``), singular or plural."""
        if not plural:
            return self.name_en if lang == "en" else self.name_de
        if lang == "en":
            return self.plural_en or _plural_en(self.name_en)
        return self.plural_de or _PLURAL_DE.get(self.name_de, self.name_de)

    @property
    def builtin(self) -> bool:
        return self.id in {lv.id for lv in DEFAULT_LEVELS}


#: The stored columns of an observation, in the store's order.
OBSERVATION_COLUMNS = ("indicator_id", "unit_id", "period", "value", "numerator",
                       "denominator", "status", "lower", "upper", "dataset_id", "method",
                       "params")

DEFAULT_LEVELS: tuple[Level, ...] = (
    Level("land", "Land", "federal state", 0),
    Level("regierungsbezirk", "Regierungsbezirk", "administrative region", 1),
    Level("kreis", "Kreis / kreisfreie Stadt", "district / district-free city", 2),
    Level("gemeinde", "Gemeinde", "municipality", 3),
    Level("stadtbezirk", "Stadtbezirk", "city borough", 4),
    Level("stadtteil", "Stadtteil", "city quarter", 5),
    Level("sozialraum", "Sozialraum", "social area", 6),
    Level("block", "Baublock", "block", 7),
)

_PLURAL_DE = {"Land": "Länder", "Kreis / kreisfreie Stadt": "Kreise und kreisfreie Städte",
              "Gemeinde": "Gemeinden", "Stadtbezirk": "Stadtbezirke",
              "Stadtteil": "Stadtteile", "Sozialraum": "Sozialräume", "Baublock": "Baublöcke"}


def _plural_en(name: str) -> str:
    if name.endswith(("s", "x")):
        return name
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy")):
        return name[:-1] + "ies"
    return name + "s"


@dataclass
class Unit:
    """A spatial unit: Kreis, Gemeinde, Stadtteil ...

    ``geometry`` is WKB in EPSG:4326 (or ``None``).  ``keys`` maps key schemes (``ags``,
    ``ars``, ``gvb``, ``local``) to official keys under which files may name this unit.
    """

    id: str
    name: str
    level: str
    parent_id: str | None = None
    geometry: bytes | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    arisen_from: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    dataset_id: int | None = None


@dataclass
class Indicator:
    """Metadata of an indicator, in German and English."""

    id: str
    name_de: str
    name_en: str
    definition_de: str = ""
    definition_en: str = ""
    unit: str = ""
    numerator: str = ""
    denominator: str = ""
    polarity: Polarity = Polarity.NEUTRAL
    sector: str = Sector.GENERAL.value
    life_phase: str = LifePhase.ALL.value
    aggregation: Aggregation = Aggregation.NONE
    scale: float = 1.0
    source: str = ""
    licence: str = ""
    update_interval: str = ""
    disclosure_rule: str = ""
    decimals: int = 1
    #: the unit id of the municipality that owns a private indicator (None: public)
    private_to: str | None = None
    #: the owner lets the state office read it
    private_state: bool = False

    def __post_init__(self) -> None:
        self.polarity = Polarity(int(self.polarity))
        self.aggregation = Aggregation(str(self.aggregation))


@dataclass
class Observation:
    """One value of one indicator for one unit and one period (e.g. ``"2021"``)."""

    indicator_id: str
    unit_id: str
    period: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    status: Status = Status.OK
    lower: float | None = None
    upper: float | None = None
    dataset_id: int | None = None
    method: str | None = None
    params: dict[str, Any] | None = None


@dataclass
class Dataset:
    """Where an imported or derived table came from."""

    name: str
    kind: str
    file: str = ""
    sha256: str = ""
    licence: str = ""
    source: str = ""
    user: str = ""
    revision: int = 1
    rows: int = 0
    imported_at: datetime | None = None
    id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: the unit id of the municipality that owns a private dataset (None: public)
    private_to: str | None = None
    #: the owner lets the state office read it
    private_state: bool = False


@dataclass
class Member:
    """A municipality in the state network (Kreis, kreisfreie Stadt or Gemeinde)."""

    unit_id: str
    name: str
    programme: str
    joined: date
    left: date | None = None
    source: str = ""
    dataset_id: int | None = None


def private_mark(sources: Iterable[Indicator | Dataset]) -> tuple[str | None, bool]:
    """The private mark ``(private_to, private_state)`` that a value derived from
    ``sources`` inherits (issue #20).

    Public sources give ``(None, False)``.  When any source is private, the result is
    private to the same municipality, and the state office may read it only when it may
    read every private source.  Sources private to different municipalities cannot be
    combined: no owner could publish the result.
    """
    private = [s for s in sources if s.private_to]
    owners = sorted({str(s.private_to) for s in private})
    if not owners:
        return None, False
    if len(owners) > 1:
        names = ", ".join(sorted({s.id if isinstance(s, Indicator) else s.name
                                  for s in private}))
        raise KekizError(
            f"Die Eingangsdaten ({names}) sind privat für verschiedene Kommunen "
            f"({', '.join(owners)}); ein daraus abgeleiteter Wert hätte keinen Eigentümer. "
            "Abhilfe: nur Daten einer Kommune kombinieren oder eine Markierung mit "
            "'kekiz private' ändern.",
            message_en=f"The inputs ({names}) are private to different municipalities "
            f"({', '.join(owners)}); a value derived from them would have no owner. Fix: "
            "combine the data of one municipality only, or change a mark with "
            "'kekiz private'.")
    return owners[0], all(s.private_state for s in private)
