"""The cooperation network of the prevention chain as data: partners, ties, survey waves.

Plain dataclasses and vocabularies, no I/O; the analysis (density, brokers, transition
coverage, wave comparison) lives in :mod:`kekiz.prevention.cooperation`.  A
:class:`Network` is one survey wave: the partners (actors) and the ties they reported.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

__all__ = ["SCALE_MAX", "SCALE_MIN", "Direction", "Network", "Partner", "Tie", "TieType"]

SCALE_MIN, SCALE_MAX = 1.0, 4.0  # PARTNER tool scales for trust and value


class TieType(enum.StrEnum):
    """Kinds of cooperation, ordered from loose to formal."""

    INFORMATION = "information"
    REFERRAL = "referral"
    JOINT_CASEWORK = "joint_casework"
    AGREEMENT = "agreement"

    @property
    def label_de(self) -> str:
        return _TIE_DE[self]

    @property
    def label_en(self) -> str:
        return _TIE_EN[self]

    @property
    def rank(self) -> int:
        return list(TieType).index(self) + 1


_TIE_DE = {TieType.INFORMATION: "Informationsaustausch", TieType.REFERRAL: "Vermittlung",
           TieType.JOINT_CASEWORK: "gemeinsame Fallarbeit",
           TieType.AGREEMENT: "formale Kooperationsvereinbarung"}
_TIE_EN = {TieType.INFORMATION: "information exchange", TieType.REFERRAL: "referral",
           TieType.JOINT_CASEWORK: "joint case work", TieType.AGREEMENT: "formal agreement"}


class Direction(enum.StrEnum):
    """Direction of a report, seen from the respondent."""

    OUT = "out"  # respondent -> partner (e.g. the respondent refers families)
    IN = "in"  # partner -> respondent
    MUTUAL = "mutual"

    @property
    def label_de(self) -> str:
        return {"out": "ausgehend", "in": "eingehend", "mutual": "gegenseitig"}[self.value]


@dataclass(frozen=True)
class Partner:
    """An actor of the network: organisation, sector, life phases served, district."""

    id: str
    name: str
    sector: str
    life_phases: tuple[str, ...] = ()
    unit_id: str | None = None
    respondent: bool = False


@dataclass(frozen=True)
class Tie:
    """One report: ``source`` (the respondent) about ``target`` (the partner named)."""

    source: str
    target: str
    types: tuple[TieType, ...] = (TieType.INFORMATION,)
    direction: Direction = Direction.MUTUAL
    intensity: int | None = None
    trust: float | None = None
    value: float | None = None
    surveyed_on: date | None = None

    @property
    def pair(self) -> tuple[str, str]:
        a, b = sorted((self.source, self.target))
        return (a, b)


@dataclass
class Network:
    """One survey wave."""

    wave: int
    partners: dict[str, Partner]
    ties: list[Tie]
    label: str = ""

    def __post_init__(self) -> None:
        for tie in self.ties:
            for end in (tie.source, tie.target):
                if end not in self.partners:
                    raise ValueError(f"tie names unknown partner {end!r}")
