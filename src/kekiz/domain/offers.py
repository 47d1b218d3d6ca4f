"""Adding an offer to a directory: a service at one place, with its provider (Träger)
and the HSDS records of its languages, costs, schedule, phone and address.

Directory files (:mod:`kekiz.ingest.directory`), the demo offers and the tests build
their directories with :func:`add_offer`; ids are deterministic, so a re-import keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kekiz.domain.directory import (
    Directory,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    new_id,
)

__all__ = ["add_offer", "name_key"]


def name_key(name: str) -> str:
    """Lower-case ASCII key of a name or column: umlauts folded, everything else ``_``
    (``'Städt. Träger'`` -> ``'staedt_traeger'``)."""
    t = name.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def add_offer(d: Directory, service: Service, *, organization: str,
              lat: float | None = None, lon: float | None = None, street: str = "",
              postal_code: str = "", city: str = "", unit_id: str | None = None,
              languages: Sequence[tuple[str, str]] = (),
              cost: tuple[float | None, str] = (None, ""), schedule: str = "",
              phone: str = "", state_province: str = "") -> str:
    """Add a service at one place with its provider and HSDS records; returns the offer id.
    """
    org_id = new_id("organization", name_key(organization))
    if org_id not in d.organizations:
        d.organizations[org_id] = Organization(id=org_id, name=organization)
    service.organization_id = org_id
    d.services[service.id] = service
    sid = service.id
    for code, label in languages:
        d.add_record("language", {"id": new_id("language", sid, code or label),
                                  "service_id": sid, "name": label, "code": code},
                     ("service", sid, "languages"))
    amount, text = cost
    if amount is not None or text:
        row: dict[str, Any] = {"id": new_id("cost", sid), "service_id": sid,
                               "option": "kostenlos" if amount == 0 else "Kosten",
                               "currency": "EUR"}
        if amount is not None:
            row["amount"] = amount
        if text:
            row["amount_description"] = text
        d.add_record("cost_option", row, ("service", sid, "cost_options"))
    if schedule:
        d.add_record("schedule", {"id": new_id("schedule", sid), "service_id": sid,
                                  "description": schedule}, ("service", sid, "schedules"))
    if phone:
        d.add_record("phone", {"id": new_id("phone", sid), "service_id": sid,
                               "number": phone}, ("service", sid, "phones"))
    if lat is None and lon is None and not street and not city:
        return sid
    loc_id = new_id("location", sid, lat, lon, street)
    d.locations[loc_id] = Location(id=loc_id, name=service.name,
                                   latitude=None if lat is None else float(lat),
                                   longitude=None if lon is None else float(lon),
                                   organization_id=org_id, unit_id=unit_id)
    if street or city:
        d.add_record("address", {"id": new_id("address", loc_id), "location_id": loc_id,
                                 "address_1": street, "city": city,
                                 "postal_code": postal_code,
                                 "state_province": state_province, "country": "DE",
                                 "address_type": "physical"},
                     ("location", loc_id, "addresses"))
    sal_id = new_id("service_at_location", sid, loc_id)
    d.service_at_locations[sal_id] = ServiceAtLocation(id=sal_id, service_id=sid,
                                                       location_id=loc_id)
    return sal_id
