"""The public family service finder (Familienwegweiser): a GET form, no JavaScript needed.

Searches the stored offers through the finder service (only published, active offers) by the
child's age, life phase, topic, Stadtteil and a starting point with a distance.  The
starting point is, in this order: coordinates ``lat, lon`` (typed, or the device's
position after the user asked for it), a unit name (its inner point), a street address
of the stored street directory (offline, no geocoder) or the street address of a
published offer.  Every result shows the offer's address, phone, e-mail, website,
opening hours, languages, costs and position where the data hold them, and names what
they do not hold.
"""


from __future__ import annotations

import math
import re
from typing import Any

from kekiz.domain.directory import language_name, slug
from kekiz.domain.errors import KekizError
from kekiz.domain.model import LifePhase
from kekiz.i18n import Translator, fmt_number
from kekiz.i18n.topics import schedule_text, topic_name
from kekiz.prevention.finder import FinderHit
from kekiz.services.pages import PageService
from kekiz.services.views.common import cached, credits

RADII = ("0.5", "1", "2", "5", "10")
LIMIT = 30
#: Walking speed of the walking time (km/h); the time is for the straight line.
WALK_KMH = 4.5
#: The level whose names say which area the finder covers.
AREA_LEVELS = ("gemeinde", "kreis")

_COORDS = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def _published_offers(m: PageService) -> Any:
    offers = m.finder_directory().offers()
    return offers[offers["published"].astype(bool)
                  & (offers["status"].fillna("active") == "active")]


def _area(m: PageService, unit_ids: set[str]) -> list[str]:
    """The names of the Gemeinden (else Kreise) the offers' units lie in."""
    units = {u.id: u for u in m.units_of()}
    names: dict[str, None] = {}
    for uid in sorted(unit_ids):
        unit = units.get(uid)
        while unit is not None and unit.level not in AREA_LEVELS:
            unit = units.get(unit.parent_id or "")
        if unit is not None:
            names[unit.name] = None
    return list(names)


def _choices(m: PageService) -> dict[str, Any]:
    offers = _published_offers(m)
    topics = sorted({str(x) for ts in offers["topics"] for x in ts}, key=str.casefold)
    level = m.chain_matrix().level
    units = sorted(((u.id, u.name) for u in m.units_of(level)), key=lambda x: x[1])
    addresses = [(str(a), float(la), float(lo)) for a, la, lo in
                 zip(offers["address"], offers["lat"], offers["lon"], strict=True)
                 if str(a or "").strip() and la == la and lo == lo]
    area = _area(m, {str(u) for u in offers["unit_id"].dropna()})
    return {"topics": topics, "units": units, "addresses": addresses, "area": area,
            "streets": m.streets_synthetic()}


def _age(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    return float(text.strip().replace(",", "."))


def _start(m: PageService, text: str, choices: dict[str, Any], t: Translator,
           here: bool) -> tuple[str | tuple[float, float] | None, str]:
    """(what to hand the finder service, how the starting point was understood, or the error)."""
    hit = _COORDS.match(text.replace(", ", ","))
    if hit and "." in text:
        return ((float(hit.group(1)), float(hit.group(2))),
                t("finder_start_device") if here else t("finder_start_coords"))
    key = slug(text)
    for uid, name in choices["units"]:
        if slug(name) == key or uid == text.strip():
            return uid, t("finder_start", name=name)
    street = m.locate_street(text) if choices["streets"] is not None else None
    if street is not None and street.found and street.lat is not None \
            and street.lon is not None:
        name = f"{street.street} {street.number}".strip()
        note = t("finder_start_street" if street.exact else "finder_start_street_unit",
                 name=name, unit=street.unit_name)
        if street.synthetic:
            note += " " + t("finder_streets_synthetic")
        return (street.lat, street.lon), note
    for address, lat, lon in choices["addresses"]:
        if key and key in slug(address):
            return (lat, lon), t("finder_start", name=address)
    if street is not None and street.reason not in ("", "unknown_street"):
        return None, t(f"finder_street_{street.reason}", value=text)
    if street is not None and street.suggestion:
        return None, t("finder_street_suggest", value=text, street=street.suggestion)
    return None, t("finder_bad_start", value=text)


def _filters(m: PageService, t: Translator, form: dict[str, str], choices: dict[str, Any],
             here: bool) -> tuple[dict[str, Any], list[str], str]:
    """(filters for the facade, errors, how the starting point was understood)."""
    filters: dict[str, Any] = {}
    errors: list[str] = []
    start_note = ""
    try:
        filters["age"] = _age(form["age"])
    except ValueError:
        errors.append(t("finder_bad_age", value=form["age"]))
    if form["phase"]:
        if form["phase"] in {p.value for p in LifePhase}:
            filters["life_phase"] = form["phase"]
        else:
            errors.append(t("finder_bad_phase"))
    if form["topic"]:
        filters["topic"] = form["topic"]
    if form["district"]:
        if form["district"] in {u for u, _ in choices["units"]}:
            filters["district"] = form["district"]
        else:
            errors.append(t("finder_bad_district"))
    if form["near"].strip():
        point, note = _start(m, form["near"], choices, t, here)
        if point is None:
            errors.append(note)
        else:
            filters["near"], start_note = point, note
            if form["radius"] in RADII:
                filters["radius_m"] = float(form["radius"]) * 1000.0
    elif form["radius"]:
        errors.append(t("finder_radius_needs_start"))
    return filters, errors, start_note


def _hit(h: FinderHit, lang: str, t: Translator, unit_names: dict[str, str]
         ) -> dict[str, Any]:
    """The view of one result: the details the data hold, and the names of the others."""
    place = ", ".join(x for x in (h.address, f"{h.postal_code} {h.city}".strip()) if x) \
        if h.address else ""  # a city alone is no address
    amount = "" if h.cost is None else fmt_number(h.cost, 2, lang)
    cost = None if h.cost is None else (t("free_of_charge") if h.cost == 0 else
                                        f"€{amount}" if lang == "en" else f"{amount} €")
    details = {
        "address": place, "phone": h.phone, "email": h.email, "website": h.website,
        "schedule": schedule_text(h.schedule, lang),
        "languages": ", ".join(language_name(c, lang) for c in h.languages),
        "cost": cost or ""}
    missing = [t(f"finder_field_{k}") for k, v in details.items() if not v]
    if h.lat is None:
        missing.append(t("finder_field_position"))
    walk = None if h.distance_m is None else \
        max(1, math.ceil(h.distance_m / (WALK_KMH * 1000.0 / 60.0)))
    return {
        "rank": h.rank, "name": h.name, "organization": h.organization,
        "text": h.summary(lang), "synthetic": h.synthetic or "[synthetisch]" in h.name,
        "distance": None if h.distance_m is None
        else fmt_number(h.distance_m / 1000.0, 1, lang),
        "walk": None if walk is None else fmt_number(walk, 0, lang),
        "details": details, "missing": missing, "source": h.source,
        "tel": re.sub(r"[^\d+]", "", h.phone),
        "topics": [topic_name(x, lang) for x in h.topics],
        "unit": unit_names.get(h.unit_id, ""),
        "position": None if h.lat is None or h.lon is None else
        t("finder_position", lat=fmt_number(h.lat, 3, lang), lon=fmt_number(h.lon, 3, lang))}


def finder(m: PageService, lang: str, *, age: str | None = None, phase: str | None = None,
           topic: str | None = None, district: str | None = None, near: str | None = None,
           radius: str | None = None, here: bool = False) -> dict[str, Any]:
    t = Translator(lang)
    choices = cached(m, ("finder-choices",), lambda: _choices(m))
    form = {"age": age or "", "phase": phase or "", "topic": topic or "",
            "district": district or "", "near": near or "", "radius": radius or ""}
    searched = any(v.strip() for v in form.values())
    hits: list[dict[str, Any]] = []
    errors: list[str] = []
    start_note = ""
    if searched:
        filters, errors, start_note = _filters(m, t, form, choices, here)
        if not errors:
            try:
                found = m.find(limit=LIMIT, **filters)
            except KekizError as exc:
                errors.append(exc.text(lang))
                found = []
            names = dict(choices["units"])
            hits = [_hit(h, lang, t, names) for h in found]
    phases = [(p.value, p.label_en if lang == "en" else p.label_de)
              for p in LifePhase if p is not LifePhase.ALL]
    return ({
        "form": form, "searched": searched, "errors": errors, "hits": hits,
        "limit": LIMIT, "start_note": start_note, "phases": phases,
        "topics": [(x, topic_name(x, lang)) for x in choices["topics"]],
        "units": choices["units"], "radii": RADII, "area": ", ".join(choices["area"]),
        "streets": choices["streets"], "walk_kmh": fmt_number(WALK_KMH, 1, lang),
        "credits": [c for c in credits(m, ("services", "streets"))
                    if c["name"] in m.finder_sources()],
    })
