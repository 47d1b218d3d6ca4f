"""The family service finder (Familienwegweiser): a query layer over published offers.

Only published, active offers are found.  Filters: the child's age in decimal years
(eligible when ``age_min <= age <= age_max``; offers without ages by their life
phases), life phase, topic or taxonomy term, district (unit ids), language, free of
charge, and a distance from a point (straight line).  Ranking: by distance when a
point is given (offers without a place last), then by how closely the age range fits
(narrower first), then by name.  Every hit carries a description in plain German and
English.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kekiz.domain.directory import language_name, parse_language, parse_life_phase, slug
from kekiz.domain.errors import MethodError
from kekiz.domain.model import LifePhase
from kekiz.i18n import fmt_number
from kekiz.prevention.coverage import eligible_offers
from kekiz.prevention.geo import METRIC_CRS, to_metric

__all__ = ["FinderHit", "describe", "find_offers"]


@dataclass
class FinderHit:
    rank: int
    offer_id: str
    service_id: str
    name: str
    organization: str
    distance_m: float | None
    lat: float | None
    lon: float | None
    description_de: str
    description_en: str
    #: the contact and practical details as the data hold them ("" / () / None: not given)
    address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    schedule: str = ""
    languages: tuple[str, ...] = ()
    cost: float | None = None
    topics: tuple[str, ...] = ()
    unit_id: str = ""
    source: str = ""
    synthetic: bool = False
    summary_de: str = ""
    summary_en: str = ""

    def text(self, lang: str = "de") -> str:
        return self.description_en if lang == "en" else self.description_de

    def summary(self, lang: str = "de") -> str:
        """What the offer is and for whom, without the details (those are fields)."""
        return self.summary_en if lang == "en" else self.summary_de

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def find_offers(offers: pd.DataFrame, *, age: float | None = None,
                life_phase: str | None = None, topic: str | None = None,
                district: str | Iterable[str] | None = None,
                near: tuple[float, float] | None = None, radius_m: float | None = None,
                language: str | None = None, free_only: bool = False, limit: int = 20
                ) -> list[FinderHit]:
    """Published offers matching every given filter, ranked (see the module text).

    ``near`` is ``(lat, lon)`` in WGS84; ``radius_m`` needs ``near``.
    """
    sel = offers[offers["published"].astype(bool) &
                 (offers["status"].fillna("active") == "active")]
    if age is not None:
        if not 0 <= age <= 99:
            raise MethodError("Das Alter muss zwischen 0 und 99 Jahren liegen.",
                              message_en="The age must be between 0 and 99 years.")
        sel = eligible_offers(sel, age=age)
    if life_phase is not None:
        phase = parse_life_phase(life_phase)
        if phase is None:
            raise MethodError(f"Unbekannte Lebensphase '{life_phase}'.",
                              message_en=f"Unknown life phase '{life_phase}'.")
        sel = sel[sel["life_phases"].map(lambda ps: phase.value in ps)]
    if topic:
        want = slug(topic)
        labels = [[*a, *b, *c] for a, b, c in
                  zip(sel["topics"], sel["terms"], sel["target_groups"], strict=True)]
        sel = sel[[any(want == slug(str(t)) or want in slug(str(t)) for t in ls)
                   for ls in labels]]
    if district is not None:
        ids = {district} if isinstance(district, str) else {str(x) for x in district}
        sel = sel[sel["unit_id"].isin(ids)]
    if language:
        code = parse_language(language) or language
        sel = sel[sel["languages"].map(lambda ls: code in ls)]
    if free_only:
        sel = sel[sel["cost"] == 0]
    dist = pd.Series(np.nan, index=sel.index)
    if near is not None:
        here = to_metric([near[1]], [near[0]], METRIC_CRS)[0]
        has = sel["lat"].notna() & sel["lon"].notna()
        if has.any():
            xy = to_metric(sel.loc[has, "lon"], sel.loc[has, "lat"], METRIC_CRS)
            dist[has] = np.hypot(xy[:, 0] - here[0], xy[:, 1] - here[1])
        if radius_m is not None:
            keep = dist <= radius_m
            sel, dist = sel[keep], dist[keep]
    elif radius_m is not None:
        raise MethodError("Ein Umkreis braucht einen Ausgangspunkt.",
                          message_en="A radius needs a starting point.")
    width = (sel["age_max"].fillna(np.inf) - sel["age_min"].fillna(-np.inf)) \
        if age is not None else pd.Series(0.0, index=sel.index)
    order = pd.DataFrame({"d": dist.fillna(np.inf), "w": width,
                          "n": sel["name"].str.lower()}, index=sel.index)
    order = order.sort_values(["d", "w", "n"], kind="mergesort")
    hits = []
    for rank, idx in enumerate(order.index[:limit], start=1):
        r = sel.loc[idx]
        dm = None if math.isnan(dist[idx]) else float(dist[idx])
        hits.append(FinderHit(rank, str(r["offer_id"]), str(r["service_id"]), str(r["name"]),
                              str(r["organization"]), dm,
                              None if pd.isna(r["lat"]) else float(r["lat"]),
                              None if pd.isna(r["lon"]) else float(r["lon"]),
                              describe(r, "de", dm), describe(r, "en", dm), **_details(r)))
    return hits


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else str(value).strip()


def _details(r: pd.Series) -> dict[str, Any]:
    """The contact and practical details of one offer row (see :class:`FinderHit`)."""
    website = _text(r["url"])
    return {"address": _text(r["address"]), "postal_code": _text(r["postal_code"]),
            "city": _text(r["city"]), "phone": _text(r["phone"]), "email": _text(r["email"]),
            "website": website if website.lower().startswith(("http://", "https://")) else "",
            "schedule": _text(r["schedule"]), "languages": tuple(r["languages"]),
            "cost": None if pd.isna(r["cost"]) else float(r["cost"]),
            "topics": tuple(dict.fromkeys((*r["topics"], *r["target_groups"]))),
            "unit_id": _text(r["unit_id"]), "source": _text(r["source"]),
            "synthetic": bool(r["synthetic"]), "summary_de": describe(r, "de", short=True),
            "summary_en": describe(r, "en", short=True)}


def _age(value: float, lang: str) -> str:
    return fmt_number(value, 0 if float(value).is_integer() else 1, lang)


def _ages(r: pd.Series, lang: str) -> str:
    lo, hi = r["age_min"], r["age_max"]
    if pd.notna(lo) and pd.notna(hi):
        return (f"Für ein Alter von {_age(lo, 'de')} bis {_age(hi, 'de')} Jahren."
                if lang == "de" else f"For ages {_age(lo, 'en')} to {_age(hi, 'en')} years.")
    if pd.notna(lo):
        return (f"Ab {_age(lo, 'de')} Jahren." if lang == "de"
                else f"From {_age(lo, 'en')} years.")
    if pd.notna(hi):
        return (f"Bis {_age(hi, 'de')} Jahre." if lang == "de"
                else f"Up to {_age(hi, 'en')} years.")
    phases = [LifePhase(p) for p in r["life_phases"]]
    if phases == [LifePhase.PREGNANCY]:
        return "Für Schwangere und werdende Eltern." if lang == "de" \
            else "For pregnant women and expectant parents."
    if not phases:
        return ""
    labels = [p.label_de if lang == "de" else p.label_en for p in phases]
    return ("Lebensphasen: " if lang == "de" else "Life phases: ") + ", ".join(labels) + "."


def describe(r: pd.Series, lang: str = "de", distance_m: float | None = None, *,
             short: bool = False) -> str:
    """A plain-language description of one offer (a row of ``Directory.offers()``);
    ``short``: only what it is and for whom (name, description, ages)."""
    de = lang != "en"
    parts = [str(r["name"]) + (f" – {r['organization']}" if r["organization"] and
                               r["organization"] != r["name"] else "") + "."]
    if r["description"]:
        parts.append(str(r["description"]).rstrip(".") + ".")
    ages = _ages(r, "de" if de else "en")
    if ages:
        parts.append(ages)
    if short:
        return " ".join(parts)
    cost = r["cost"]
    if pd.notna(cost):
        if cost == 0:
            parts.append("Kostenlos." if de else "Free of charge.")
        else:
            amount = fmt_number(float(cost), 2, "de" if de else "en")
            parts.append(f"Kosten: {amount} €." if de else f"Cost: €{amount}.")
    if len(r["languages"]):
        names = ", ".join(language_name(c, "de" if de else "en") for c in r["languages"])
        parts.append(("Sprachen: " if de else "Languages: ") + names + ".")
    if r["schedule"]:
        parts.append(("Zeiten: " if de else "Times: ") + str(r["schedule"]).rstrip(".") + ".")
    place = ", ".join(x for x in (str(r["address"]),
                                  f"{r['postal_code']} {r['city']}".strip()) if x)
    if place:
        parts.append(("Adresse: " if de else "Address: ") + place + ".")
    if distance_m is not None:
        km = fmt_number(distance_m / 1000.0, 1, "de" if de else "en")
        parts.append(f"Entfernung: {km} km (Luftlinie)." if de
                     else f"Distance: {km} km (straight line).")
    if r["phone"]:
        parts.append(("Telefon: " if de else "Phone: ") + str(r["phone"]) + ".")
    return " ".join(parts)
