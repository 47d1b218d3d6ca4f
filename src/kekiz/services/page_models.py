"""The view data of the pages' read model (:mod:`kekiz.services.pages`): an atlas map,
an area profile, a comparison and a page of OGC API features."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kekiz.domain.model import Indicator, Level, Unit

__all__ = ["AtlasData", "Comparison", "FeaturePage", "Profile"]


@dataclass
class AtlasData:
    """One indicator and period on one level, classified for a choropleth map.

    ``units``: id, name, parent_id, geometry (shapely, EPSG:4326) and the observation
    columns (:data:`pages.OBS_COLUMNS`; no row -> status ``missing``) plus ``klass`` (class
    number, ``<NA>`` where not classified).  ``legend``: class, label_de, label_en, count.
    """

    level: Level
    indicator: Indicator
    period: str
    periods: list[str]
    method: str
    k: int
    units: pd.DataFrame
    legend: list[dict[str, Any]]
    notes_de: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)


@dataclass
class Profile:
    """A unit with its context: parents, children, peers, memberships and values.

    ``observations``: every value of the unit and its ancestors (:data:`pages.OBS_COLUMNS`);
    ``medians``: indicator_id, period, median, n — the level's median at the unit's
    latest period of each indicator; ``context``: id, name, geometry of the units drawn
    on the locator map.
    """

    unit: Unit
    level: Level
    ancestors: list[Unit]
    children: list[Unit]
    peers: list[Unit]
    memberships: list[dict[str, Any]]
    indicators: list[Indicator]
    observations: pd.DataFrame
    medians: pd.DataFrame
    context: pd.DataFrame
    levels: dict[str, Level]


@dataclass
class Comparison:
    """Time series of several units and the ranking of their level in one period."""

    indicator: Indicator
    level: Level
    period: str
    periods: list[str]
    units: list[Unit]
    series: pd.DataFrame
    ranking: pd.DataFrame
    median: float | None


@dataclass
class FeaturePage:
    """One page of a level's units with their latest values (OGC API - Features)."""

    level: Level
    matched: int
    units: pd.DataFrame
    values: pd.DataFrame
    indicators: list[str]
