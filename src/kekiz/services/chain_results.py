"""Results of the prevention-chain service (issue #5), JSON-ready with ``to_dict``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kekiz.domain.jsonable import clean_dict
from kekiz.domain.model import Dataset
from kekiz.prevention.chain import ChainMatrix
from kekiz.prevention.gaps import GapResult
from kekiz.services.chain_data import records

__all__ = ["AccessComparison", "ChainResult", "CoverageResult", "GapsResult", "ServiceImport",
           "SitesResult", "WhatIfResult"]


@dataclass
class ServiceImport:
    """What :meth:`PreventionJobs.import_services` stored and reported."""

    dataset: Dataset
    services: int
    locations: int
    organizations: int
    assigned: int
    outside: int
    level: str | None
    synthetic: bool
    replaced: int = 0
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    internal_duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    kept_duplicates: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        cols = ["name_a", "name_b", "source_a", "source_b", "distance_m", "message_de"]
        return clean_dict({
            "dataset": {"id": self.dataset.id, "name": self.dataset.name,
                        "revision": self.dataset.revision, "kind": self.dataset.kind},
            "services": self.services, "locations": self.locations,
            "organizations": self.organizations, "assigned": self.assigned,
            "outside": self.outside, "level": self.level, "synthetic": self.synthetic,
            "replaced": self.replaced, "kept_duplicates": self.kept_duplicates,
            "duplicates": records(self.duplicates.reindex(columns=cols)),
            "internal_duplicates": records(self.internal_duplicates.reindex(columns=cols)),
            "notes": self.notes})


@dataclass
class CoverageResult:
    """Offers, places and 2SFCA accessibility per unit (see ``PreventionJobs.coverage``).

    ``table``: ``unit_id, name, children, offers, offers_per_1000, capacity,
    without_capacity, places_per_child, accessibility``.  ``meta`` names the level,
    period, population indicator, kind, life phase and the 2SFCA parameters and says in
    words what ``accessibility`` measures (``supply_label_de``).
    """

    table: pd.DataFrame
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    demand: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        return clean_dict({"meta": self.meta, "notes": self.notes,
                       "units": records(self.table)})


@dataclass
class GapsResult:
    """Need against supply per unit: the quadrants and the ranked gap list."""

    result: GapResult
    need: dict[str, Any]
    coverage: CoverageResult
    supply: str
    supply_label_de: str
    supply_label_en: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return clean_dict({"need": self.need, "supply": self.supply,
                       "supply_label_de": self.supply_label_de,
                       "supply_label_en": self.supply_label_en,
                       "coverage": self.coverage.meta, "notes": self.notes,
                       **self.result.to_dict()})


@dataclass
class SitesResult:
    """Suggested sites (p-median weighted by children and need)."""

    sites: pd.DataFrame
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return clean_dict({"meta": self.meta, "notes": self.notes,
                       "sites": records(self.sites)})


@dataclass
class ChainResult:
    """The chain matrix of a unit (or the municipality) with its synthetic share."""

    matrix: ChainMatrix
    synthetic: ChainMatrix
    unit_id: str
    name: str
    level: str
    offers: int
    synthetic_offers: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def part(m: ChainMatrix, table: str) -> list[dict[str, Any]]:
            frame = m.phases if table == "phases" else m.transitions
            return records(frame[frame["unit_id"] == self.unit_id])

        return clean_dict({"unit_id": self.unit_id, "name": self.name, "level": self.level,
                       "offers": self.offers, "synthetic_offers": self.synthetic_offers,
                       "sectors": self.matrix.sectors,
                       "phases": part(self.matrix, "phases"),
                       "transitions": part(self.matrix, "transitions"),
                       "synthetic_phases": part(self.synthetic, "phases"),
                       "gaps_de": self.matrix.gaps_text(self.unit_id, "de"),
                       "gaps_en": self.matrix.gaps_text(self.unit_id, "en"),
                       "notes": self.notes})


@dataclass
class WhatIfResult:
    """Coverage per unit before and after a what-if scenario (add, move, remove offers).

    ``table``: ``unit_id, name, children`` and for ``offers``, ``offers_per_1000``,
    ``capacity``, ``places_per_child`` and ``accessibility`` the columns ``*_before``,
    ``*_after`` and ``*_change``.  ``meta``: the coverage parameters (as
    :class:`CoverageResult`), the changes and the child-weighted mean accessibility and
    children without an offer in reach, before and after.
    """

    table: pd.DataFrame
    meta: dict[str, Any]
    summary_de: list[str]
    summary_en: list[str]
    notes: list[str] = field(default_factory=list)

    def changed(self, tolerance: float = 1e-12) -> pd.DataFrame:
        """The units whose offers or accessibility changed, largest change first."""
        t = self.table
        delta = t["accessibility_change"].fillna(0.0).abs()
        hit = (delta > tolerance) | (t["offers_change"].fillna(0) != 0)
        return t[hit].assign(_d=delta[hit]).sort_values(
            "_d", ascending=False, kind="mergesort").drop(columns="_d")

    def to_dict(self) -> dict[str, Any]:
        return clean_dict({"meta": self.meta, "summary_de": self.summary_de,
                       "summary_en": self.summary_en, "notes": self.notes,
                       "units": records(self.table)})


@dataclass
class AccessComparison:
    """2SFCA accessibility per unit by straight line and over a street network.

    ``table``: ``unit_id, name, children, offers, accessibility_straight,
    accessibility_network, change`` (network minus straight line).
    """

    table: pd.DataFrame
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return clean_dict({"meta": self.meta, "notes": self.notes,
                       "units": records(self.table)})
