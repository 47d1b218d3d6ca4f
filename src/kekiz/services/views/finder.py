"""The public family service finder (Familienwegweiser): a GET form, no JavaScript needed.

Searches the stored offers through the finder service (only published, active offers) by the
child's age, life phase, topic, Stadtteil and a starting point with a distance.  The
starting point is a unit name (its inner point), the street address of a published offer
or coordinates ``lat, lon``; there is no geocoder (no internet).
"""


from __future__ import annotations

import re
from typing import Any

from kekiz.domain.directory import slug
from kekiz.domain.errors import KekizError
from kekiz.domain.model import LifePhase
from kekiz.i18n import Translator, fmt_number
from kekiz.services.pages import PageService
from kekiz.services.views.common import (
    cached,
    credits,
)

RADII = ("0.5", "1", "2", "5", "10")


LIMIT = 30


_COORDS = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def _published_offers(m: PageService) -> Any:
    offers = m.finder_directory().offers()
    return offers[offers["published"].astype(bool)
                  & (offers["status"].fillna("active") == "active")]


def _choices(m: PageService) -> dict[str, Any]:
    offers = _published_offers(m)
    topics = sorted({str(x) for ts in offers["topics"] for x in ts}, key=str.casefold)
    level = m.chain_matrix().level
    units = sorted(((u.id, u.name) for u in m.units_of(level)), key=lambda x: x[1])
    addresses = [(str(a), float(la), float(lo)) for a, la, lo in
                 zip(offers["address"], offers["lat"], offers["lon"], strict=True)
                 if str(a or "").strip() and la == la and lo == lo]
    return {"topics": topics, "units": units, "addresses": addresses}


def _age(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    return float(text.strip().replace(",", "."))


def _start(text: str, choices: dict[str, Any]
           ) -> tuple[str | tuple[float, float] | None, str]:
    """(what to hand the finder service, how the starting point was understood)."""
    hit = _COORDS.match(text.replace(", ", ","))
    if hit and "." in text:
        return (float(hit.group(1)), float(hit.group(2))), "coords"
    key = slug(text)
    for uid, name in choices["units"]:
        if slug(name) == key or uid == text.strip():
            return uid, name
    for address, lat, lon in choices["addresses"]:
        if key and key in slug(address):
            return (lat, lon), address
    return None, ""


def finder(m: PageService, lang: str, *, age: str | None = None, phase: str | None = None,
           topic: str | None = None, district: str | None = None, near: str | None = None,
           radius: str | None = None) -> dict[str, Any]:
    t = Translator(lang)
    choices = cached(m, ("finder-choices",), lambda: _choices(m))
    form = {"age": age or "", "phase": phase or "", "topic": topic or "",
            "district": district or "", "near": near or "", "radius": radius or ""}
    errors: list[str] = []
    searched = any(v.strip() for v in form.values())
    hits: list[dict[str, Any]] = []
    start_note = ""
    if searched:
        filters: dict[str, Any] = {}
        try:
            filters["age"] = _age(age)
        except ValueError:
            errors.append(t("finder_bad_age", value=age))
        if phase:
            if phase in {p.value for p in LifePhase}:
                filters["life_phase"] = phase
            else:
                errors.append(t("finder_bad_phase"))
        if topic:
            filters["topic"] = topic
        if district:
            if district in {u for u, _ in choices["units"]}:
                filters["district"] = district
            else:
                errors.append(t("finder_bad_district"))
        if near and near.strip():
            point, how = _start(near, choices)
            if point is None:
                errors.append(t("finder_bad_start", value=near))
            else:
                filters["near"] = point
                start_note = t("finder_start_coords") if how == "coords" else \
                    t("finder_start", name=how)
                if radius in RADII:
                    filters["radius_m"] = float(radius) * 1000.0
        elif radius:
            errors.append(t("finder_radius_needs_start"))
        if not errors:
            try:
                found = m.find(limit=LIMIT, **filters)
            except KekizError as exc:
                errors.append(exc.text(lang))
                found = []
            for h in found:
                hits.append({
                    "rank": h.rank, "name": h.name, "organization": h.organization,
                    "text": h.text(lang), "synthetic": "[synthetisch]" in h.name,
                    "distance": None if h.distance_m is None
                    else fmt_number(h.distance_m / 1000.0, 1, lang)})
    phases = [(p.value, p.label_en if lang == "en" else p.label_de)
              for p in LifePhase if p is not LifePhase.ALL]
    return ({
        "form": form, "searched": searched, "errors": errors, "hits": hits,
        "limit": LIMIT, "start_note": start_note, "phases": phases,
        "topics": choices["topics"], "units": choices["units"], "radii": RADII,
        "credits": [c for c in credits(m, ("services",)) if c["name"] in m.finder_sources()],
    })
