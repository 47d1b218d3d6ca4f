"""Store the coverage of a prevention-chain offer as an indicator (issues #5, #6).

``kekiz chain coverage`` computes offers (e.g. Kitas) and places per 1,000 children of a
life phase per unit; a Leitbild goal such as "every child finds a good Kita early" needs
that as an indicator with observations, so that baseline, trend and status can be
computed like for any other indicator.  :func:`store_coverage_indicator`
computes the counts on every requested level from the stored offers and population (the
same selection as :meth:`ChainService.coverage`, without the 2SFCA accessibility)
and stores them as observations of a derived dataset that names its inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from kekiz.domain.errors import MethodError
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity, private_mark
from kekiz.services.base import actor
from kekiz.settings import Settings
from kekiz.storage.protocol import Store

__all__ = ["CoverageIndicator", "store_coverage_indicator"]

_ID = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_KIND_DE = {"kita": ("Kitas", "Kita-Plätze"), "schule": ("Schulen", "Schulplätze")}
_KIND_EN = {"kita": ("day-care centres", "day-care places"), "schule": ("schools",
                                                                     "school places")}


@dataclass
class CoverageIndicator:
    """What :func:`store_coverage_indicator` stored."""

    indicator: Indicator
    places_indicator: Indicator | None
    dataset: Dataset
    period: str
    rows: dict[str, int]
    values: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator.id,
                "places_indicator": self.places_indicator.id if self.places_indicator
                else None, "dataset": self.dataset.name, "dataset_id": self.dataset.id,
                "period": self.period, "rows": self.rows, "notes": self.notes}


def store_coverage_indicator(store: Store, settings: Settings, chain: Any,
                             indicator_id: str, *,
                             levels: tuple[str, ...] | list[str] | None = None,
                             life_phase: str = "3-6",
                             population_indicator: str | None = None,
                             period: str | None = None, kind: str | None = "kita",
                             only_published: bool = False,
                             name_de: str | None = None, name_en: str | None = None
                             ) -> CoverageIndicator:
    """Offers (and, where places are known, places) per 1,000 children of
    ``life_phase`` per unit of each of ``levels``, stored as observations of
    ``indicator_id`` (places: ``<indicator_id>_plaetze``) for the population's
    ``period`` (default: the latest).

    The counts are those of ``kekiz chain coverage`` (offers of ``kind`` inside each
    unit; children from ``population_indicator``, by default the life phase's
    population, e.g. ``einwohner_3_6``).  Units without children in that period get no
    value.  Observation numerator: offers (places), denominator: children.  A new run
    replaces the values of the previous one (a new revision of the same dataset).
    """
    if not _ID.match(indicator_id):
        raise MethodError(
            f"Indikator-ID '{indicator_id}': erwartet Kleinbuchstaben, Ziffern und _ "
            "(2-48 Zeichen, beginnt mit einem Buchstaben), z. B. kitas_je_1000_3_6.",
            message_en=f"indicator id '{indicator_id}': expected lower-case letters, "
            "digits and _ (2-48 characters, starting with a letter), e.g. "
            "kitas_je_1000_3_6.")
    levels = list(levels or [chain.data.default_level()])
    got = _gather(chain, levels, life_phase, population_indicator, period, kind,
                  only_published)
    table, used_period, pop_id, phase = got.table, got.period, got.pop_id, got.phase
    use_places, notes, sources = got.use_places, got.notes, got.sources
    indicator, places = _indicators(indicator_id, kind, phase, pop_id, use_places,
                                    name_de, name_en)
    # the offers of a private service dataset make the coverage private (issue #20)
    owner, state = private_mark([*(i for i in store.indicators() if i.id == pop_id),
                                 *(d for d in store.datasets()
                                   if d.kind == "services" and d.private_to)])
    if owner is not None:
        indicator = replace(indicator, private_to=owner, private_state=state)
        places = replace(places, private_to=owner, private_state=state) if places else None
    obs = _observations(table, indicator, places, used_period)
    offer_sources = sorted(s for s in sources if s)
    name = f"Versorgung {indicator_id} ({', '.join(levels)})"
    ds = Dataset(
        name=name, kind="derived", user=actor(settings), rows=len(obs),
        source="kekiz chain coverage: " + "; ".join(
            [f"Angebote: {', '.join(offer_sources) or 'gespeicherte Angebote'}",
             f"Kinder: {pop_id} ({used_period})"]),
        licence="wie die Eingangsdaten / as the input data",
        details={"indicator": indicator_id, "levels": levels, "kind": kind,
                 "life_phase": phase, "population_indicator": pop_id,
                 "period": used_period, "only_published": only_published,
                 "offer_sources": offer_sources, "places": use_places,
                 "notes": notes}, private_to=owner, private_state=state)
    with store.transaction() as tx:
        tx.add_dataset(ds)
        assert ds.id is not None
        tx.delete_observations_of(tx.previous_revisions(ds.name, ds.id))
        tx.upsert_indicators([indicator] + ([places] if places else []))
        tx.upsert_observations(obs.assign(dataset_id=ds.id))
    rows = {lv: int((table["level"] == lv).sum()) for lv in levels}
    return CoverageIndicator(indicator, places, ds, used_period, rows, table, notes)


def _level_counts(inp: Any) -> pd.DataFrame:
    """Offers, places and children per unit of one level (units with children only)."""
    sel = inp.sel
    children = inp.children.dropna()
    children = children[children > 0]
    grouped = sel.groupby("unit_id").agg(
        offers=("offer_id", "nunique"),
        capacity=("capacity", lambda s: float(s.sum(min_count=1))
                  if s.notna().any() else float("nan")))
    frame = pd.DataFrame({"unit_id": children.index.astype(str),
                          "children": children.to_numpy(dtype=float)})
    frame = frame.merge(grouped, left_on="unit_id", right_index=True, how="left")
    frame["offers"] = frame["offers"].fillna(0).astype(int)
    frame["capacity"] = frame["capacity"].fillna(0.0) if inp.use_places else float("nan")
    frame["level"] = inp.level
    return frame


def _observations(table: pd.DataFrame, indicator: Indicator, places: Indicator | None,
                  period: str) -> pd.DataFrame:
    out = [pd.DataFrame({
        "indicator_id": indicator.id, "unit_id": table["unit_id"], "period": period,
        "value": table["offers"] / table["children"] * 1000.0,
        "numerator": table["offers"].astype(float), "denominator": table["children"],
        "status": "ok", "method": "coverage"})]
    if places is not None:
        out.append(pd.DataFrame({
            "indicator_id": places.id, "unit_id": table["unit_id"], "period": period,
            "value": table["capacity"] / table["children"] * 1000.0,
            "numerator": table["capacity"], "denominator": table["children"],
            "status": "ok", "method": "coverage"}))
    return pd.concat(out, ignore_index=True)


@dataclass
class _Gathered:
    table: pd.DataFrame
    period: str
    pop_id: str
    phase: str
    use_places: bool
    notes: list[str]
    sources: set[str]


def _gather(chain: Any, levels: list[str], life_phase: str,
            population_indicator: str | None, period: str | None, kind: str | None,
            only_published: bool) -> _Gathered:
    """Offers, places and children per unit of every level, one population period."""
    frames: list[pd.DataFrame] = []
    notes: list[str] = []
    used_period: str | None = None
    pop_id = population_indicator
    phase = life_phase
    use_places = False
    sources: set[str] = set()
    for level in levels:
        inp = chain.coverage_input(level, life_phase, population_indicator, period,
                                   kind, only_published)
        if used_period is not None and inp.period != used_period:
            raise MethodError(
                f"Die Ebenen haben verschiedene Zeiträume der Bevölkerung ({used_period},"
                f" {inp.period}). Abhilfe: --period angeben.",
                message_en=f"The levels have different population periods "
                f"({used_period}, {inp.period}). Fix: give --period.")
        used_period, pop_id, phase = inp.period, inp.pop_id, inp.phase
        use_places = use_places or inp.use_places
        notes += [n for n in inp.notes if n not in notes]
        frames.append(_level_counts(inp))
        if "source" in inp.sel:
            sources |= set(inp.sel["source"].dropna().astype(str))
    assert used_period is not None and pop_id is not None
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        raise MethodError(
            f"Keine Gebiete mit Kindern ({pop_id}, {used_period}) auf den Ebenen "
            f"{', '.join(levels)}.",
            message_en=f"No units with children ({pop_id}, {used_period}) on the levels "
            f"{', '.join(levels)}.")
    return _Gathered(table, used_period, pop_id, phase, use_places, notes, sources)


def _indicators(indicator_id: str, kind: str | None, phase: str, pop_id: str,
                use_places: bool, name_de: str | None, name_en: str | None
                ) -> tuple[Indicator, Indicator | None]:
    """The coverage indicator and, where places are known, the places indicator."""
    what_de, places_de = _KIND_DE.get(kind or "", (f"Angebote ({kind or 'alle'})",
                                                     "Plätze"))
    what_en, places_en = _KIND_EN.get(kind or "", (f"offers ({kind or 'all'})",
                                                     "places"))
    children_de = f"Kinder ({phase} Jahre, {pop_id})"
    indicator = Indicator(
        indicator_id, name_de or f"{what_de} je 1.000 Kinder ({phase} Jahre)",
        name_en or f"{what_en} per 1,000 children (aged {phase})",
        f"Anzahl der {what_de} im Gebiet je 1.000 {children_de}; berechnet von kekiz "
        "aus den gespeicherten Angeboten der Präventionskette",
        f"Number of {what_en} in the unit per 1,000 children (aged {phase}, {pop_id}); "
        "computed by kekiz from the stored offers of the prevention chain",
        unit="je 1.000 Kinder", polarity=Polarity.HIGHER_IS_BETTER,
        sector="youth_welfare" if kind == "kita" else "general", life_phase=phase,
        aggregation=Aggregation.NONE, scale=1000.0, decimals=1,
        source="kekiz: Versorgung aus Angeboten und Bevölkerung")
    places = None
    if use_places:
        places = Indicator(
            f"{indicator_id}_plaetze", f"{places_de} je 1.000 Kinder ({phase} Jahre)",
            f"{places_en} per 1,000 children (aged {phase})",
            f"{places_de} im Gebiet je 1.000 {children_de} (Angebote ohne Platzzahl "
            "zählen mit 0 Plätzen)",
            f"{places_en} in the unit per 1,000 children (aged {phase}); offers without "
            "a number of places count 0", unit="je 1.000 Kinder",
            polarity=Polarity.HIGHER_IS_BETTER, sector=indicator.sector,
            life_phase=phase, aggregation=Aggregation.NONE, scale=1000.0, decimals=1,
            source=indicator.source)
    return indicator, places
