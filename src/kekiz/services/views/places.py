"""Place search of the maps: units of every level by name, and streets of a directory.

Pure functions over plain inputs; :mod:`kekiz.web.api_map` hands them the published
shapes of the levels the reader may see.  Names match ignoring case, accents and
umlauts (``Köln`` = ``Koeln`` = ``koln``: every name and query has a key without accents
and a transliterated one), ``ß``/``ss``, ``Straße``/``Strasse``/
``Str.``, spaces, hyphens and slashes; a query matches a name exactly, at its start, at
the start of one of its words or anywhere inside it (ranked in that order).

Streets come from a :class:`StreetSource`: anything that lists (street name, unit id)
pairs, e.g. :func:`directory_streets` over a :class:`~kekiz.ingest.streets.StreetDirectory`
(read through the :class:`Directory` protocol: the web room does not import ingest).
A street is found with the units it runs through; its box is the box of those units.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import shapely

__all__ = ["STREET", "Directory", "Place", "StoredStreets", "StreetSource", "directory_streets",
           "keys",
           "normalise", "search", "street_places", "unit_places"]

#: ``kind`` of a street (units carry the id of their level).
STREET = "street"
_STREET_WORD = re.compile(r"(strasse|str\.?)(?=$|[^a-z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def normalise(text: str, *, transliterate: bool = False) -> str:
    """The search key of a name: ``"Neustadt/Süd"`` -> ``"neustadtsud"`` (or, with
    ``transliterate``, ``"neustadtsued"``); ``"Aachener Straße"`` and ``"aachener str."``
    -> ``"aachenerstr"``."""
    text = str(text).casefold()
    if transliterate:
        text = text.translate(_TRANSLIT)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _STREET_WORD.sub("str", plain)
    return _NOT_ALNUM.sub("", plain)


def keys(text: str) -> tuple[str, ...]:
    """The search keys of a name: without accents (``koln``) and transliterated
    (``koeln``), so that ``Köln``, ``Koeln`` and ``koln`` find each other."""
    return tuple(dict.fromkeys((normalise(text), normalise(text, transliterate=True))))


def _words(text: str) -> list[str]:
    return [k for part in re.split(r"[\s\-/,.()]+", str(text)) for k in keys(part) if k]


@dataclass(frozen=True)
class Place:
    """A place to centre a map on: a unit of a level, or a street."""

    id: str
    name: str
    kind: str  # the level id of a unit, or STREET
    kind_name_de: str
    kind_name_en: str
    context: str  # the parent unit of a unit; the units of a street
    bbox: tuple[float, float, float, float]  # lon/lat (EPSG:4326)
    centre: tuple[float, float]  # lon, lat: a point inside the area
    rank: int = 0  # rank of the level (coarser first); streets last
    units: tuple[str, ...] = ()  # the unit ids of a street


class StreetSource(Protocol):
    """Where street names come from: (street name as written, unit id) pairs."""

    def __call__(self) -> Iterable[tuple[str, str]]: ...


@dataclass(frozen=True)
class StoredStreets:
    """The stored street directory as a :class:`StreetSource` (read through the read
    model, so per data version); ``synthetic`` when the directory is invented (demo)."""

    pairs: Callable[[], Iterable[tuple[str, str]]]
    synthetic: bool = False
    cache_key: str = "stored"

    def __call__(self) -> Iterable[tuple[str, str]]:
        return self.pairs()


class _Section(Protocol):
    street: str
    unit: int


class Directory(Protocol):
    """What :func:`directory_streets` reads of a
    :class:`~kekiz.ingest.streets.StreetDirectory` (the web room does not import ingest)."""

    sections: Mapping[str, Sequence[_Section]]
    spelling: Mapping[str, str]


def unit_places(shapes: Mapping[str, pd.DataFrame], names: Mapping[str, tuple[str, str]],
                ranks: Mapping[str, int]) -> list[Place]:
    """One place per unit with a geometry.

    ``shapes``: level id -> frame with ``id``, ``name``, ``parent_id``, ``geometry``
    (EPSG:4326); ``names``: level id -> (German, English) name; ``ranks``: level -> rank.
    """
    parent_name = {str(i): str(n) for frame in shapes.values()
                   for i, n in zip(frame["id"], frame["name"], strict=True)}
    out: list[Place] = []
    for level, frame in shapes.items():
        geoms = frame["geometry"].to_numpy()
        valid = np.array([g is not None and not shapely.is_empty(g) for g in geoms],
                         dtype=bool)
        if not valid.any():
            continue
        bounds = shapely.bounds(geoms[valid])
        inner = shapely.get_coordinates(shapely.point_on_surface(geoms[valid]))
        rows = frame[valid]
        de, en = names.get(level, (level, level))
        for (uid, name, parent), box, point in zip(
                rows[["id", "name", "parent_id"]].itertuples(index=False, name=None),
                bounds, inner, strict=True):
            out.append(Place(str(uid), str(name), level, de, en,
                             parent_name.get(str(parent), "") if parent else "",
                             _box(box), (round(float(point[0]), 6),
                                         round(float(point[1]), 6)),
                             int(ranks.get(level, 0))))
    return out


def _box(values: Sequence[float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (round(float(v), 6) for v in values)
    return x0, y0, x1, y1


def street_places(streets: Iterable[tuple[str, str]], units: Sequence[Place], *,
                  synthetic: bool = False) -> list[Place]:
    """One place per street (by its search key) over the units it runs through.

    A street whose units are all unknown here (another level, or outside the reader's
    scope) is left out.  Streets of a ``synthetic`` directory say so in their kind."""
    kind_de, kind_en = ("Straße (synthetisch)", "Street (synthetic)") if synthetic \
        else ("Straße", "Street")
    by_id = {p.id: p for p in units}
    spelling: dict[str, str] = {}
    found: dict[str, dict[str, Place]] = {}
    for name, unit_id in streets:
        unit = by_id.get(str(unit_id))
        key = normalise(name)
        if unit is None or not key:
            continue
        spelling.setdefault(key, str(name).strip())
        found.setdefault(key, {})[unit.id] = unit
    out = []
    for key, hits in found.items():
        parts = sorted(hits.values(), key=lambda p: p.name)
        box = (min(p.bbox[0] for p in parts), min(p.bbox[1] for p in parts),
               max(p.bbox[2] for p in parts), max(p.bbox[3] for p in parts))
        centre = parts[0].centre if len(parts) == 1 else \
            (round((box[0] + box[2]) / 2, 6), round((box[1] + box[3]) / 2, 6))
        out.append(Place(f"{STREET}:{key}", spelling[key], STREET, kind_de, kind_en,
                         ", ".join(p.name for p in parts), box, centre, 99,
                         tuple(p.id for p in parts)))
    return out


def directory_streets(directory: Directory, unit_ids: Sequence[str]
                      ) -> list[tuple[str, str]]:
    """The (street, unit id) pairs of a street directory whose sections hold unit
    positions into ``unit_ids`` (as :func:`~kekiz.ingest.streets.read_street_directory`
    was given them)."""
    return [(directory.spelling.get(key, section.street), unit_ids[section.unit])
            for key, sections in directory.sections.items() for section in sections
            if 0 <= section.unit < len(unit_ids)]


def _score(place: Place, queries: tuple[str, ...]) -> int | None:
    names = keys(place.name)
    if any(q == n for q in queries for n in names):
        return 0
    if any(n.startswith(q) for q in queries for n in names):
        return 1
    if any(w.startswith(q) for q in queries for w in _words(place.name)):
        return 2
    if any(q in n for q in queries for n in names):
        return 3
    return None


def search(places: Iterable[Place], query: str, *, limit: int = 10,
           prefer: str | None = None) -> list[Place]:
    """The places whose name matches ``query``, best first.

    Order: exact name, start of the name, start of a word, anywhere; then places of the
    level ``prefer`` (the level the map shows), coarser levels before finer ones, streets
    last; then by name and id.
    """
    queries = tuple(k for k in keys(query) if k)
    if not queries:
        return []
    scored = []
    for place in places:
        score = _score(place, queries)
        if score is not None:
            scored.append(((score, place.kind != prefer, place.rank,
                            place.name.casefold(), place.id), place))
    scored.sort(key=lambda item: item[0])
    return [place for _, place in scored[:limit]]
