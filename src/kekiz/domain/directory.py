"""The service directory of the prevention chain: HSDS 3.0 entities plus kekiz fields.

The directory follows Open Referral HSDS 3.0 (organization, service, location,
service_at_location, taxonomy, taxonomy_term) and extends a service by life phases,
transitions, sector, capacity (places), eligibility ages in decimal years, target groups,
topics, a published flag and a synthetic flag.  Languages, costs, schedules, addresses,
phones and every other HSDS table are kept as plain *records* (dicts) linked to their
owner, so that an imported HSDS document is exported again without losing a field.

An *offer* is one service at one location (HSDS ``service_at_location``);
:meth:`Directory.offers` returns the flat frame that chain, coverage, gaps, siting and the
family finder compute on.
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from kekiz.domain.model import LifePhase, Sector

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CORE_SECTORS",
    "LIFE_PHASES",
    "OFFER_COLUMNS",
    "PHASE_AGES",
    "Directory",
    "Location",
    "Organization",
    "Service",
    "ServiceAtLocation",
    "ServiceDataset",
    "Taxonomy",
    "TaxonomyTerm",
    "Transition",
    "in_germany",
    "language_name",
    "new_id",
    "parse_coordinate",
    "parse_language",
    "parse_life_phase",
    "parse_sector",
    "parse_transition",
    "phases_for_ages",
    "sector_label",
    "slug",
]

KEKIZ_NAMESPACE = uuid.UUID("3d0f5a52-6b8e-4c1f-9a57-0c1b6f2e7a41")


def new_id(*parts: object) -> str:
    """A deterministic UUID (v5) from the given parts: re-imports keep their ids."""
    return str(uuid.uuid5(KEKIZ_NAMESPACE, "|".join(str(p) for p in parts)))


# -- vocabularies ------------------------------------------------------------------------

class Transition(enum.StrEnum):
    """The transitions of the prevention chain."""

    FAMILY_KITA = "family-kita"
    KITA_PRIMARY = "kita-primary"
    PRIMARY_SECONDARY = "primary-secondary"
    SCHOOL_WORK = "school-work"

    @property
    def label_de(self) -> str:
        return _TRANSITION_DE[self]

    @property
    def label_en(self) -> str:
        return _TRANSITION_EN[self]


_TRANSITION_DE = {
    Transition.FAMILY_KITA: "Familie → Kita",
    Transition.KITA_PRIMARY: "Kita → Grundschule",
    Transition.PRIMARY_SECONDARY: "Grundschule → weiterführende Schule",
    Transition.SCHOOL_WORK: "Schule → Ausbildung/Beruf",
}
_TRANSITION_EN = {
    Transition.FAMILY_KITA: "family → day care",
    Transition.KITA_PRIMARY: "day care → primary school",
    Transition.PRIMARY_SECONDARY: "primary → secondary school",
    Transition.SCHOOL_WORK: "school → training/work",
}

#: The life phases of the chain in order (``LifePhase.ALL`` expands to all of them).
LIFE_PHASES: tuple[LifePhase, ...] = (
    LifePhase.PREGNANCY, LifePhase.AGE_0_3, LifePhase.AGE_3_6, LifePhase.AGE_6_10,
    LifePhase.AGE_10_16, LifePhase.AGE_16_25)
#: Age band ``[from, to)`` in years of each life phase after birth.
PHASE_AGES: dict[LifePhase, tuple[float, float]] = {
    LifePhase.AGE_0_3: (0.0, 3.0), LifePhase.AGE_3_6: (3.0, 6.0),
    LifePhase.AGE_6_10: (6.0, 10.0), LifePhase.AGE_10_16: (10.0, 16.0),
    LifePhase.AGE_16_25: (16.0, 25.0)}
#: The four sectors of the prevention chain named in every chain matrix.
CORE_SECTORS: tuple[str, ...] = (Sector.HEALTH.value, Sector.EDUCATION.value,
                                 Sector.YOUTH_WELFARE.value, Sector.SOCIAL.value)

_SECTOR_DE = {
    "health": "Gesundheit", "education": "Bildung",
    "youth_welfare": "Kinder- und Jugendhilfe", "social": "Soziales",
    "sport_culture": "Sport und Kultur", "employment": "Arbeit und Beruf",
    "safety": "Polizei und Sicherheit", "general": "Allgemein"}
_SECTOR_EN = {
    "health": "health", "education": "education", "youth_welfare": "child and youth welfare",
    "social": "social services", "sport_culture": "sport and culture",
    "employment": "employment", "safety": "police and safety", "general": "general"}


def slug(text: str) -> str:
    """Lower-case ASCII key of a label: ``'Frühe Hilfen'`` -> ``'fruehe-hilfen'``."""
    t = text.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e")):
        t = t.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _key(text: str) -> str:
    return slug(text).replace("-", "")


def _phase_aliases() -> dict[str, LifePhase]:
    table: dict[str, LifePhase] = {}
    for phase in LifePhase:
        for label in (phase.value, phase.label_de, phase.label_en):
            table[_key(label)] = phase
    extra = {
        LifePhase.PREGNANCY: ["Schwangerschaft", "Geburt", "pränatal", "prenatal",
                              "rund um die Geburt", "pregnancy and birth"],
        LifePhase.AGE_0_3: ["0 bis 3", "0-<3", "0 bis unter 3", "u3", "unter 3", "0 to 3",
                            "0-3 Jahre", "Krippe"],
        LifePhase.AGE_3_6: ["3 bis 6", "3-<6", "3 bis unter 6", "ü3", "3 to 6", "3-6 Jahre"],
        LifePhase.AGE_6_10: ["6 bis 10", "6-<10", "6 bis unter 10", "Grundschulalter",
                             "Grundschule", "6-10 Jahre"],
        LifePhase.AGE_10_16: ["10 bis 16", "10-<16", "10 bis unter 16", "Sekundarstufe I",
                              "10-16 Jahre"],
        LifePhase.AGE_16_25: ["16 bis 25", "16-<25", "16 bis unter 25",
                              "Übergang in den Beruf", "Übergang Schule Beruf",
                              "transition to work", "16-25 Jahre"],
        LifePhase.ALL: ["alle", "alle Lebensphasen", "*", "gesamt"],
    }
    for phase, labels in extra.items():
        for label in labels:
            table[_key(label)] = phase
    return table


_PHASES = _phase_aliases()
_SECTORS: dict[str, str] = {}
for _code in _SECTOR_DE:
    for _label in (_code, _SECTOR_DE[_code], _SECTOR_EN[_code]):
        _SECTORS[_key(_label)] = _code
for _alias, _code in {
        "Gesundheitswesen": "health", "Medizin": "health", "Schule": "education",
        "Bildungswesen": "education", "Jugendhilfe": "youth_welfare",
        "Kinder und Jugendhilfe": "youth_welfare", "youth welfare": "youth_welfare",
        "Soziale Dienste": "social", "Sozialwesen": "social", "Sport": "sport_culture",
        "Kultur": "sport_culture", "Sport/Kultur": "sport_culture", "Arbeit": "employment",
        "Beruf": "employment", "Arbeitsmarkt": "employment", "Polizei": "safety",
        "Sicherheit": "safety", "Sonstiges": "general"}.items():
    _SECTORS[_key(_alias)] = _code
_TRANSITIONS: dict[str, Transition] = {}
for _t in Transition:
    for _label in (_t.value, _t.label_de, _t.label_en):
        _TRANSITIONS[_key(_label)] = _t
for _alias, _t in {
        "Familie Kita": Transition.FAMILY_KITA, "Elternhaus Kita": Transition.FAMILY_KITA,
        "Familie zur Kita": Transition.FAMILY_KITA, "Kita Schule": Transition.KITA_PRIMARY,
        "Kita Grundschule": Transition.KITA_PRIMARY,
        "Grundschule weiterführende Schule": Transition.PRIMARY_SECONDARY,
        "Grundschule Sekundarstufe": Transition.PRIMARY_SECONDARY,
        "Schule Beruf": Transition.SCHOOL_WORK, "Schule Ausbildung": Transition.SCHOOL_WORK,
        "Schule Ausbildung Beruf": Transition.SCHOOL_WORK,
        "school training work": Transition.SCHOOL_WORK}.items():
    _TRANSITIONS[_key(_alias)] = _t


def parse_life_phase(text: str) -> LifePhase | None:
    """A life phase from a code or a German/English label; ``None`` when unknown."""
    k = _key(text.replace("–", "-").replace("<", " unter "))
    k = re.sub(r"(jahren|jahre|years|j)$", "", k)
    return _PHASES.get(k) or _PHASES.get(_key(text))


def parse_sector(text: str, extra: Iterable[str] = ()) -> str | None:
    """A sector code from a code or label; ``extra`` adds municipal sectors."""
    k = _key(text)
    if k in _SECTORS:
        return _SECTORS[k]
    for e in extra:
        if _key(e) == k:
            return slug(e).replace("-", "_")
    return None


def parse_transition(text: str) -> Transition | None:
    return _TRANSITIONS.get(_key(text))


def sector_label(code: str | None, lang: str = "de") -> str:
    if not code:
        return "ohne Bereich" if lang == "de" else "no sector"
    table = _SECTOR_EN if lang == "en" else _SECTOR_DE
    return table.get(code, code.replace("_", " "))


_LANGUAGES = {
    "de": ("Deutsch", "German"), "en": ("Englisch", "English"), "tr": ("Türkisch", "Turkish"),
    "ar": ("Arabisch", "Arabic"), "ru": ("Russisch", "Russian"), "pl": ("Polnisch", "Polish"),
    "fr": ("Französisch", "French"), "it": ("Italienisch", "Italian"),
    "es": ("Spanisch", "Spanish"), "uk": ("Ukrainisch", "Ukrainian"),
    "fa": ("Persisch", "Persian"), "ku": ("Kurdisch", "Kurdish"),
    "ro": ("Rumänisch", "Romanian"), "bg": ("Bulgarisch", "Bulgarian"),
    "el": ("Griechisch", "Greek"), "sr": ("Serbisch", "Serbian"),
    "hr": ("Kroatisch", "Croatian"), "bs": ("Bosnisch", "Bosnian"),
    "sq": ("Albanisch", "Albanian"), "ti": ("Tigrinya", "Tigrinya"),
    "so": ("Somali", "Somali"), "pt": ("Portugiesisch", "Portuguese"),
    "vi": ("Vietnamesisch", "Vietnamese"), "gsg": ("Deutsche Gebärdensprache",
                                                   "German Sign Language"),
}
_LANGUAGE_ALIASES = {_key(n): c for c, names in _LANGUAGES.items() for n in (c, *names)}
_LANGUAGE_ALIASES.update({"farsi": "fa", "dgs": "gsg", "gebaerdensprache": "gsg",
                          "leichtesprache": "de"})


def parse_language(text: str) -> str | None:
    """ISO 639 code from a code or a German/English language name."""
    return _LANGUAGE_ALIASES.get(_key(text))


def language_name(code: str, lang: str = "de") -> str:
    names = _LANGUAGES.get(code)
    if names is None:
        return code
    return names[1] if lang == "en" else names[0]


def phases_for_ages(age_min: float | None, age_max: float | None) -> list[str]:
    """Life phases whose age band ``[a, b)`` meets the eligibility ``[age_min, age_max]``."""
    if age_min is None and age_max is None:
        return []
    lo = 0.0 if age_min is None else age_min
    hi = math.inf if age_max is None else age_max
    return [p.value for p, (a, b) in PHASE_AGES.items() if lo < b and hi >= a]


#: Bounding box of Germany (WGS84), a little generous: (lon_min, lat_min, lon_max, lat_max)
GERMANY_BBOX = (5.5, 47.2, 15.5, 55.1)


def in_germany(lat: float, lon: float) -> bool:
    x0, y0, x1, y1 = GERMANY_BBOX
    return y0 <= lat <= y1 and x0 <= lon <= x1


def parse_coordinate(cell: str) -> float | None:
    """A coordinate from a cell: decimal comma or point, never a thousands separator
    (``50,9375``, ``50.9375``, ``356.560,5`` and ``356,560.5`` are all read)."""
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        dec = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if dec == "," else ",", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# -- entities -----------------------------------------------------------------------------

@dataclass
class Organization:
    id: str
    name: str
    description: str = ""
    alternate_name: str = ""
    email: str = ""
    website: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Location:
    """A place; ``unit_id`` is the spatial unit (e.g. Stadtteil) it lies in."""

    id: str
    name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    organization_id: str | None = None
    location_type: str = "physical"
    description: str = ""
    unit_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Service:
    """A service (Angebot) with the kekiz extensions of the prevention chain.

    Eligibility: a child of age ``a`` (decimal years) is eligible when
    ``age_min <= a <= age_max`` (a missing bound is open).  ``life_phases`` holds
    :class:`~kekiz.domain.model.LifePhase` values; when empty they follow from the ages.
    ``capacity`` is the number of places (``None`` when unknown).
    """

    id: str
    name: str
    organization_id: str | None = None
    description: str = ""
    status: str = "active"
    url: str = ""
    email: str = ""
    age_min: float | None = None
    age_max: float | None = None
    eligibility_description: str = ""
    life_phases: list[str] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)
    sector: str | None = None
    capacity: float | None = None
    target_groups: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    published: bool = True
    synthetic: bool = False
    source: str = ""
    source_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def phases(self) -> list[str]:
        """Life phases, ``all`` expanded, derived from the ages when none are given."""
        given = self.life_phases or phases_for_ages(self.age_min, self.age_max)
        if LifePhase.ALL.value in given:
            return [p.value for p in LIFE_PHASES]
        return [p.value for p in LIFE_PHASES if p.value in given]


@dataclass
class ServiceAtLocation:
    id: str
    service_id: str
    location_id: str
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Taxonomy:
    id: str
    name: str
    description: str = ""
    uri: str = ""
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaxonomyTerm:
    id: str
    name: str
    description: str = ""
    code: str = ""
    parent_id: str | None = None
    taxonomy: str = ""
    taxonomy_id: str | None = None
    language: str = ""
    term_uri: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


Entity = Organization | Location | Service | ServiceAtLocation | Taxonomy | TaxonomyTerm
TYPED: dict[str, type[Any]] = {
    "organization": Organization, "location": Location, "service": Service,
    "service_at_location": ServiceAtLocation, "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm}
#: kekiz-only fields of the typed entities (not HSDS fields; exported as attributes)
KEKIZ_FIELDS = {"unit_id", "life_phases", "transitions", "sector", "capacity",
                "target_groups", "topics", "published", "synthetic", "source", "source_id",
                "age_min", "age_max"}


def typed_fields(cls: type[Any]) -> list[str]:
    return [f.name for f in fields(cls) if f.name != "extra"]


#: Columns of :meth:`Directory.offers`.
OFFER_COLUMNS = [
    "offer_id", "service_id", "location_id", "organization_id", "name", "organization",
    "description", "sector", "life_phases", "transitions", "topics", "target_groups",
    "terms", "languages", "age_min", "age_max", "capacity", "cost", "published",
    "synthetic", "status", "lat", "lon", "address", "postal_code", "city", "unit_id",
    "schedule", "url", "email", "phone", "source", "source_id"]

Link = tuple[str, str, str]  # (key, child table, child id)


@dataclass
class Directory:
    """A service directory: typed HSDS core entities, other HSDS records and their links.

    ``records[table][id]`` holds rows of the other HSDS tables (``phone``, ``language``,
    ``schedule``, ``cost_option``, ``address`` ...).  ``links[(table, id)]`` lists the
    nested objects of an entity in document order as ``(key, child_table, child_id)``,
    e.g. ``("languages", "language", "<id>")`` under ``("service", "<id>")``.
    """

    organizations: dict[str, Organization] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    service_at_locations: dict[str, ServiceAtLocation] = field(default_factory=dict)
    taxonomies: dict[str, Taxonomy] = field(default_factory=dict)
    taxonomy_terms: dict[str, TaxonomyTerm] = field(default_factory=dict)
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    links: dict[tuple[str, str], list[Link]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    # -- generic access ---------------------------------------------------------------
    def table(self, name: str) -> dict[str, Any]:
        typed: dict[str, dict[str, Any]] = {
            "organization": self.organizations, "service": self.services,
                 "location": self.locations, "service_at_location": self.service_at_locations,
                 "taxonomy": self.taxonomies, "taxonomy_term": self.taxonomy_terms}
        if name in typed:
            return typed[name]
        return self.records.setdefault(name, {})

    def get(self, table: str, id_: str) -> Any:
        return self.table(table).get(id_)

    def link(self, parent: tuple[str, str], key: str, child_table: str, child_id: str) -> None:
        items = self.links.setdefault(parent, [])
        if (key, child_table, child_id) not in items:
            items.append((key, child_table, child_id))

    def children(self, table: str, id_: str, key: str | None = None) -> list[Link]:
        return [c for c in self.links.get((table, id_), []) if key is None or c[0] == key]

    def add_record(self, table: str, row: dict[str, Any],
                   parent: tuple[str, str, str] | None = None) -> str:
        """Add (or merge) an HSDS record; ``parent`` is ``(table, id, key)``."""
        rid = str(row["id"])
        self.records.setdefault(table, {}).setdefault(rid, {}).update(row)
        if parent is not None:
            self.link((parent[0], parent[1]), parent[2], table, rid)
        return rid

    def linked_records(self, table: str, id_: str, key: str) -> list[dict[str, Any]]:
        out = []
        for _k, ctable, cid in self.children(table, id_, key):
            row = self.records.get(ctable, {}).get(cid)
            if row is not None:
                out.append(row)
        return out

    def update(self, other: Directory) -> None:
        """Add every entity, record and link of ``other`` (``other`` wins on equal ids)."""
        for name in TYPED:
            self.table(name).update(other.table(name))
        for tname, rows in other.records.items():
            for rid, row in rows.items():
                self.records.setdefault(tname, {}).setdefault(rid, {}).update(row)
        for parent, items in other.links.items():
            for key, ctable, cid in items:
                self.link(parent, key, ctable, cid)

    def remove_service(self, service_id: str) -> None:
        """Remove a service with its service_at_locations (locations stay)."""
        self.services.pop(service_id, None)
        for sal_id in [s.id for s in self.service_at_locations.values()
                       if s.service_id == service_id]:
            del self.service_at_locations[sal_id]
        self.links.pop(("service", service_id), None)

    # -- derived views ------------------------------------------------------------------
    def languages(self, service_id: str) -> list[str]:
        return [str(r.get("code") or r.get("name") or "")
                for r in self.linked_records("service", service_id, "languages")]

    def cost(self, service_id: str) -> float | None:
        amounts = [float(r["amount"]) for r in
                   self.linked_records("service", service_id, "cost_options")
                   if isinstance(r.get("amount"), int | float)]
        return min(amounts) if amounts else None

    def schedule_text(self, service_id: str, lang: str = "de") -> str:
        parts = []
        for r in self.linked_records("service", service_id, "schedules"):
            if r.get("description"):
                parts.append(str(r["description"]))
            elif r.get("opens_at") and r.get("closes_at"):
                days = f"{r['byday']} " if r.get("byday") else ""
                parts.append(f"{days}{str(r['opens_at'])[:5]}–{str(r['closes_at'])[:5]}")
        return "; ".join(parts)

    def address(self, location_id: str) -> dict[str, Any]:
        rows = self.linked_records("location", location_id, "addresses")
        return rows[0] if rows else {}

    def phone(self, service_id: str) -> str:
        rows = self.linked_records("service", service_id, "phones")
        return str(rows[0].get("number", "")) if rows else ""

    def term_labels(self, table: str, id_: str) -> list[str]:
        """Names and codes of the (non-kekiz) taxonomy terms attached by attributes."""
        out: list[str] = []
        for attr in self.linked_records(table, id_, "attributes"):
            term = self.taxonomy_terms.get(str(attr.get("taxonomy_term_id", "")))
            if term is None:
                for _k, _t, tid in self.children("attribute", str(attr["id"]),
                                                 "taxonomy_term"):
                    term = self.taxonomy_terms.get(tid)
            if term is not None:
                out.extend(x for x in (term.name, term.code) if x)
        return out

    def offers(self) -> pd.DataFrame:
        """One row per offer (service at location); services without a location get one
        row without coordinates.  A service's capacity is split evenly over its locations.
        """
        import pandas as pd  # only here: the directory itself is plain data

        by_service: dict[str, list[ServiceAtLocation]] = {}
        for sal in self.service_at_locations.values():
            by_service.setdefault(sal.service_id, []).append(sal)
        rows = []
        for s in self.services.values():
            sals = by_service.get(s.id, [])
            org = self.organizations.get(s.organization_id or "")
            base = {
                "service_id": s.id, "organization_id": s.organization_id, "name": s.name,
                "organization": org.name if org else "", "description": s.description,
                "sector": s.sector, "life_phases": tuple(s.phases()),
                "transitions": tuple(s.transitions), "topics": tuple(s.topics),
                "target_groups": tuple(s.target_groups),
                "terms": tuple(self.term_labels("service", s.id)),
                "languages": tuple(x for x in self.languages(s.id) if x),
                "age_min": s.age_min, "age_max": s.age_max, "cost": self.cost(s.id),
                "published": s.published, "synthetic": s.synthetic, "status": s.status,
                "schedule": self.schedule_text(s.id), "url": s.url, "email": s.email,
                "phone": self.phone(s.id), "source": s.source, "source_id": s.source_id}
            share = (s.capacity / len(sals)) if (s.capacity is not None and sals) \
                else s.capacity
            places: list[ServiceAtLocation | None] = list(sals) or [None]
            for place in places:
                loc = self.locations.get(place.location_id) if place else None
                addr = self.address(loc.id) if loc else {}
                lat, lon = (loc.latitude, loc.longitude) if loc else (None, None)
                usable = lat is not None and lon is not None and in_germany(lat, lon)
                rows.append({**base, "offer_id": place.id if place else s.id,
                             "location_id": loc.id if loc else None, "capacity": share,
                             "lat": lat if usable else math.nan,
                             "lon": lon if usable else math.nan,
                             "address": str(addr.get("address_1", "")),
                             "postal_code": str(addr.get("postal_code", "")),
                             "city": str(addr.get("city", "")),
                             "unit_id": loc.unit_id if loc else None})
        frame = pd.DataFrame(rows, columns=OFFER_COLUMNS)
        for col in ("age_min", "age_max", "capacity", "cost", "lat", "lon"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame


@dataclass
class ServiceDataset:
    """One stored import of the directory: its dataset and how many services it holds."""

    dataset_id: int
    name: str
    revision: int
    source: str
    licence: str
    services: int
    published: int
    synthetic: int
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
