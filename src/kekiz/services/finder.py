"""The family service finder (Familienwegweiser) (issues #5, #19).

Besides the search itself, the service finds a starting point from a street address in
the stored street directory (offline, no geocoder): the position of the section that
holds the house number where the directory has one, else a point inside the section's
unit.  Whether the directory is synthetic (the demo) travels with every answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kekiz.domain.streets import STREET_KIND, StreetEntry, normalise_street
from kekiz.ingest.streets import Section, StreetDirectory, parse_house_number
from kekiz.prevention.finder import FinderHit, find_offers
from kekiz.services.chain_data import ChainData, parse_point
from kekiz.storage.protocol import Store

__all__ = ["FinderService", "StreetStart", "split_address"]

_POSTCODE = re.compile(r"\b(\d{5})\b")
_NUMBER_AT_END = re.compile(r"^(.*?[^\d\s])\s*(\d+\s*[a-zA-Z]?(?:\s*[-–/]\s*\d+\s*[a-zA-Z]?)?)$")


@dataclass(frozen=True)
class StreetStart:
    """A starting point found in the street directory, or why none was found.

    ``reason`` is empty when found, else one of ``unknown_street``,
    ``house_number_outside``, ``missing_house_number``, ``ambiguous``,
    ``postcode_mismatch`` or ``no_directory``; ``suggestion`` the nearest street name.
    ``exact`` tells whether the point is the section's own position (else the inner
    point of its unit)."""

    query: str
    street: str = ""
    number: str = ""
    lat: float | None = None
    lon: float | None = None
    unit_id: str = ""
    unit_name: str = ""
    exact: bool = False
    synthetic: bool = False
    reason: str = ""
    suggestion: str = ""

    @property
    def found(self) -> bool:
        return not self.reason and self.lat is not None


def split_address(text: str) -> tuple[str, str, str]:
    """(street, house number, postcode) of ``"Hauptstraße 12a, 50667 Köln"``."""
    head, _, rest = text.partition(",")
    postcode = _POSTCODE.search(rest or "")
    head = head.strip()
    if not rest:
        code = _POSTCODE.search(head)
        if code and head[:code.start()].strip():
            postcode, head = code, head[:code.start()].rstrip(" ,")
    hit = _NUMBER_AT_END.match(head)
    street, number = (hit.group(1).strip(), hit.group(2).strip()) if hit else (head, "")
    return street, number, postcode.group(1) if postcode else ""


class FinderService:
    """Finder queries on the stored offers and starting points from the street directory."""

    def __init__(self, store: Store, data: ChainData) -> None:
        self.store = store
        self.data = data

    def find(self, *, age: float | None = None, life_phase: str | None = None,
             topic: str | None = None, district: str | None = None,
             near: str | tuple[float, float] | None = None, radius_m: float | None = None,
             language: str | None = None, free_only: bool = False,
             limit: int = 10) -> list[FinderHit]:
        """Familienwegweiser on the stored offers: only published, active offers.

        ``district`` and ``near`` may name a unit (key or name); ``near`` may also be
        ``(lat, lon)`` or ``"lat,lon"``.
        """
        point = parse_point(near) if near is not None else None
        ids: str | None = None
        if district is not None:
            uid, _name, lv = self.data.unit(district)
            offers, _ = self.data.offers(lv)
            ids = uid
        else:
            offers = self.store.load_directory().offers()
        if near is not None and point is None:
            uid, _name, lv = self.data.unit(str(near))
            point = self._inner_point(uid, lv)
        return find_offers(offers, age=age, life_phase=life_phase, topic=topic, district=ids,
                           near=point, radius_m=radius_m, language=language,
                           free_only=free_only, limit=limit)

    def _inner_point(self, unit_id: str, level: str) -> tuple[float, float]:
        shapes = self.data.shapes(level)
        geom = shapes.loc[shapes["id"] == unit_id, "geometry"].iloc[0]
        inner = geom.representative_point()
        return float(inner.y), float(inner.x)

    # -- the street directory -----------------------------------------------------------
    def streets_synthetic(self) -> bool | None:
        """Whether the stored street directory is synthetic (``None``: there is none)."""
        sets = [d for d in self.store.datasets() if d.kind == STREET_KIND]
        if not sets or not self.store.streets():
            return None
        return bool(sets[-1].details.get("synthetic", False))

    def street_pairs(self) -> list[tuple[str, str]]:
        """(street as written, unit id) of every section of the stored directory."""
        return [(e.street, e.unit_id) for e in self.store.streets()]

    def locate(self, text: str) -> StreetStart:
        """The starting point of a street address (see :class:`StreetStart`)."""
        entries = self.store.streets()
        synthetic = bool(self.streets_synthetic())
        street, number, postcode = split_address(text)
        if not entries:
            return StreetStart(text, street, number, reason="no_directory")
        directory, units = _directory(entries)
        norm = normalise_street(street)
        fits, reason = directory.fitting(norm, parse_house_number(number), postcode)
        if not fits:
            suggestion = directory.suggest(norm) if reason == "unknown_street" else None
            return StreetStart(text, street, number, synthetic=synthetic, reason=reason,
                               suggestion=suggestion or "")
        unit_id = units[fits[0].unit]
        unit = self.store.unit(unit_id)
        placed = [s for s in fits if s.lat is not None and s.lon is not None]
        if placed:
            lat = sum(float(s.lat or 0) for s in placed) / len(placed)
            lon = sum(float(s.lon or 0) for s in placed) / len(placed)
        else:
            lat, lon = self._inner_point(unit_id, unit.level)
        return StreetStart(text, directory.spelling.get(norm, street), number,
                           round(lat, 6), round(lon, 6), unit_id, unit.name, bool(placed),
                           synthetic)


def _directory(entries: list[StreetEntry]) -> tuple[StreetDirectory, list[str]]:
    units = sorted({e.unit_id for e in entries})
    position = {u: k for k, u in enumerate(units)}
    sections: dict[str, list[Section]] = {}
    spelling: dict[str, str] = {}
    for e in entries:
        norm = normalise_street(e.street)
        spelling.setdefault(norm, e.street)
        sections.setdefault(norm, []).append(Section(e.street, e.first, e.last, e.side,
                                                     e.postcode, position[e.unit_id], e.row,
                                                     e.lat, e.lon))
    return StreetDirectory(sections, spelling, "store"), units
