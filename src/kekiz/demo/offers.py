"""A clearly labelled SYNTHETIC set of offers for the Köln demo.

There is no open, complete list of Köln's family centres, midwives, parenting courses,
early help, youth centres, career guidance or sports clubs.  To show the prevention
chain, this module invents such offers: placed at random (seeded, so always the same)
inside the Köln Stadtteile polygons, with plausible ages, places, languages and costs.
They are **not real**: every record has ``synthetic = True``, a name beginning with
``[synthetisch]`` and the source ``SYNTHETIC_SOURCE``; the providers are invented too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from kekiz.domain.directory import Directory, Service, Transition, new_id
from kekiz.domain.model import LifePhase
from kekiz.domain.offers import add_offer
from kekiz.services.directory import SYNTHETIC_PREFIX

__all__ = ["KINDS", "PREFIX", "SYNTHETIC_SOURCE", "OfferKind", "default_boundaries",
           "synthetic_offers"]

PREFIX = SYNTHETIC_PREFIX
SYNTHETIC_SOURCE = "kekiz: synthetische Beispielangebote (keine echten Angebote)"
P, A03, A36, A610, A1016, A1625 = (p.value for p in (
    LifePhase.PREGNANCY, LifePhase.AGE_0_3, LifePhase.AGE_3_6, LifePhase.AGE_6_10,
    LifePhase.AGE_10_16, LifePhase.AGE_16_25))


@dataclass(frozen=True)
class OfferKind:
    """A kind of offer: what it is, whom it serves, how many the demo gets."""

    key: str
    label: str
    sector: str
    phases: tuple[str, ...]
    topics: tuple[str, ...]
    count: int
    age_min: float | None = None
    age_max: float | None = None
    transitions: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    places: tuple[int, int] | None = None
    cost: tuple[float, float] | None = None
    schedules: tuple[str, ...] = ("Mo–Fr 9–16 Uhr",)


KINDS: tuple[OfferKind, ...] = (
    OfferKind("familienzentrum", "Familienzentrum", "youth_welfare", (P, A03, A36),
              ("Familienbildung", "Beratung"), 20, transitions=(Transition.FAMILY_KITA,),
              target_groups=("Familien",), places=(40, 120),
              schedules=("Mo–Fr 8–16 Uhr", "Mo–Do 9–17 Uhr, Fr 9–13 Uhr")),
    OfferKind("hebamme", "Hebammenpraxis", "health", (P, A03), ("Geburtsvorbereitung",
              "Wochenbettbetreuung"), 15, age_max=1.0, target_groups=("Schwangere",),
              places=(10, 40), schedules=("Di und Do 10–14 Uhr", "nach Vereinbarung")),
    OfferKind("schwangerschaftsberatung", "Schwangerschaftsberatung", "social", (P,),
              ("Beratung",), 6, target_groups=("Schwangere", "werdende Eltern"),
              schedules=("Mo–Fr 9–15 Uhr",)),
    OfferKind("fruehe_hilfen", "Frühe Hilfen – Familienbesuch", "youth_welfare", (P, A03),
              ("Frühe Hilfen", "Willkommensbesuch"), 9, age_max=3.0,
              transitions=(Transition.FAMILY_KITA,),
              target_groups=("Familien mit Neugeborenen",), places=(20, 60)),
    OfferKind("elternkurs", "Elternkurs", "social", (), ("Elternbildung", "Erziehung"), 12,
              age_min=0.0, age_max=10.0, target_groups=("Eltern",), places=(8, 16),
              cost=(20.0, 60.0), schedules=("Mi 18–20 Uhr (8 Termine)",
                                            "Sa 10–13 Uhr (4 Termine)")),
    OfferKind("erziehungsberatung", "Erziehungsberatungsstelle", "youth_welfare", (),
              ("Beratung", "Erziehung"), 8, age_min=0.0, age_max=21.0,
              target_groups=("Eltern", "Kinder und Jugendliche")),
    OfferKind("kinderarzt", "Kinder- und Jugendarztpraxis", "health", (),
              ("Vorsorge", "Gesundheit"), 25, age_min=0.0, age_max=17.99,
              schedules=("Mo–Fr 8–12 Uhr, Mo/Di/Do 15–18 Uhr",)),
    OfferKind("sprachfoerderung", "Sprachförderung", "education", (), ("Sprachförderung",),
              10, age_min=3.0, age_max=6.5, transitions=(Transition.KITA_PRIMARY,),
              places=(10, 25)),
    OfferKind("lernfoerderung", "Lernförderung und Hausaufgabenhilfe", "education", (),
              ("Lernförderung",), 12, age_min=6.0, age_max=16.0,
              transitions=(Transition.PRIMARY_SECONDARY,), places=(10, 30),
              schedules=("Mo–Do 14–17 Uhr",)),
    OfferKind("jugendzentrum", "Jugendzentrum", "youth_welfare", (), ("Offene Jugendarbeit",
              "Freizeit"), 18, age_min=10.0, age_max=21.0, places=(30, 80),
              schedules=("Mo–Fr 14–21 Uhr",)),
    OfferKind("berufsberatung", "Berufsberatung", "employment", (),
              ("Berufsorientierung", "Ausbildung"), 6, age_min=14.0, age_max=25.0,
              transitions=(Transition.SCHOOL_WORK,), target_groups=("Jugendliche",
                                                                    "junge Erwachsene")),
    OfferKind("sportverein", "Sportverein – Kindersport", "sport_culture", (),
              ("Sport", "Bewegung"), 25, age_min=4.0, age_max=17.0, places=(20, 120),
              cost=(5.0, 15.0), schedules=("Di und Do 16–18 Uhr", "Sa 10–12 Uhr")),
    OfferKind("polizei", "Polizei – Präventionsprojekt an Schulen", "safety", (),
              ("Gewaltprävention", "Medienkompetenz"), 3, age_min=8.0, age_max=16.0),
)
_PROVIDERS = ("Freier Träger A e. V.", "Freier Träger B gGmbH", "Verein C e. V.",
              "Praxisgemeinschaft D", "Stiftung E")
_LANGUAGES = (("tr", "Türkisch"), ("ar", "Arabisch"), ("ru", "Russisch"), ("pl", "Polnisch"),
              ("en", "Englisch"), ("uk", "Ukrainisch"))


def default_boundaries() -> Path:
    """The bundled Köln Stadtteile (Stadt Köln, CC BY)."""
    return Path(__file__).resolve().parent / "data" / "boundaries" / "koeln_stadtteile.geojson"


def _point_in(poly: shapely.Geometry, rng: np.random.Generator) -> tuple[float, float]:
    x0, y0, x1, y1 = poly.bounds
    for _ in range(1000):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if poly.contains(shapely.Point(x, y)):
            return float(y), float(x)
    pt = poly.representative_point()
    return float(pt.y), float(pt.x)


def synthetic_offers(boundaries: Path | None = None, *, seed: int = 2012,
                     id_field: str = "STT_NR", name_field: str = "STT_NAME",
                     unit_prefix: str = "05315000-", scale: float = 1.0) -> Directory:
    """The synthetic Köln offers (see the module text); ``scale`` multiplies the counts."""
    shapes = gpd.read_file(boundaries or default_boundaries(), engine="pyogrio")
    shapes = (shapes if shapes.crs is not None else shapes.set_crs(4326)).to_crs(4326)
    rng = np.random.default_rng(seed)
    d = Directory()
    used: dict[str, int] = {}
    for kind in KINDS:
        for k in range(max(1, round(kind.count * scale))):
            i = int(rng.integers(len(shapes)))
            lat, lon = _point_in(shapes.geometry.iloc[i], rng)
            district = str(shapes[name_field].iloc[i])
            base = f"{PREFIX} {kind.label} {district}"
            used[base] = used.get(base, 0) + 1
            name = base if used[base] == 1 else f"{base} {used[base]}"
            langs = [("de", "Deutsch")]
            if rng.random() < 0.4:
                langs.append(_LANGUAGES[int(rng.integers(len(_LANGUAGES)))])
            cost = 0.0 if kind.cost is None else round(float(rng.uniform(*kind.cost)), 0)
            svc = Service(
                id=new_id("synthetic", seed, kind.key, k), name=name,
                description=f"Synthetisches Beispiel: {kind.label} (kein echtes Angebot).",
                age_min=kind.age_min, age_max=kind.age_max, life_phases=list(kind.phases),
                transitions=[str(t) for t in kind.transitions], sector=kind.sector,
                capacity=None if kind.places is None else float(rng.integers(
                    kind.places[0], kind.places[1] + 1)),
                target_groups=list(kind.target_groups), topics=list(kind.topics),
                published=True, synthetic=True, source=SYNTHETIC_SOURCE,
                source_id=f"{kind.key}-{k + 1}")
            provider = _PROVIDERS[int(rng.integers(len(_PROVIDERS)))]
            add_offer(d, svc, organization=f"{PREFIX} {provider}", lat=lat, lon=lon,
                      city="Köln", unit_id=f"{unit_prefix}{shapes[id_field].iloc[i]}",
                      languages=langs, cost=(cost, "kostenlos" if cost == 0 else
                                             f"{cost:.0f} €"),
                      schedule=kind.schedules[int(rng.integers(len(kind.schedules)))],
                      state_province="Nordrhein-Westfalen")
    return d
