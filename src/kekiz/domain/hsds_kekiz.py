"""The kekiz extensions of HSDS 3.0: attributes with terms of the taxonomy ``kekiz``.

A service's life phases, transitions, sector, target groups, topics, capacity, published
and synthetic flags, source and source key (and a location's unit) travel as HSDS
*attributes* whose taxonomy term has a code beginning with ``kekiz:``, e.g.
``kekiz:life_phase:0-3`` or ``kekiz:capacity`` with the number as the attribute value.
Other HSDS tools keep them; kekiz turns them back into the typed fields on import.
"""

from __future__ import annotations

import uuid
from typing import Any

from kekiz.domain.directory import Directory, Transition, new_id, sector_label, slug
from kekiz.domain.model import LifePhase

__all__ = ["KEKIZ_TAXONOMY", "KEKIZ_TAXONOMY_ID", "decode_kekiz", "kekiz_attributes",
           "kekiz_term", "kekiz_values", "uuid_of"]

KEKIZ_TAXONOMY_ID = new_id("taxonomy", "kekiz")
KEKIZ_TAXONOMY = {"id": KEKIZ_TAXONOMY_ID, "name": "kekiz Präventionskette",
                  "description": "Merkmale der Präventionskette von kekiz (Lebensphase, "
                  "Übergang, Bereich, Plätze, Zielgruppen, Themen, Veröffentlichung)",
                  "uri": "urn:kekiz:hsds:taxonomy", "version": "1"}


def decode_kekiz(d: Directory) -> None:
    """Turn attributes with ``kekiz:`` terms back into the typed kekiz fields."""
    kekiz_terms = {tid for tid, t in d.taxonomy_terms.items() if t.code.startswith("kekiz:")}
    drop: set[str] = set()
    for (ptable, pid), items in list(d.links.items()):
        for _key, ctable, cid in items:
            if ctable != "attribute" or ptable not in ("service", "location"):
                continue
            row = d.records.get("attribute", {}).get(cid, {})
            tid = str(row.get("taxonomy_term_id") or "")
            for _k, _t, linked in d.children("attribute", cid, "taxonomy_term"):
                tid = tid or linked
            term = d.taxonomy_terms.get(tid)
            if term is None or term.id not in kekiz_terms:
                continue
            _apply(d.table(ptable).get(pid), term.code, row.get("value"))
            drop.add(cid)
    for cid in drop:
        d.records["attribute"].pop(cid, None)
        d.links.pop(("attribute", cid), None)
    for parent, items in list(d.links.items()):
        d.links[parent] = [c for c in items if not (c[1] == "attribute" and c[2] in drop)
                           and not (c[1] == "taxonomy_term" and c[2] in kekiz_terms)]
    for tid in kekiz_terms:
        d.taxonomy_terms.pop(tid, None)
        d.links.pop(("taxonomy_term", tid), None)
    d.taxonomies.pop(KEKIZ_TAXONOMY_ID, None)


def _apply(ent: Any, code: str, value: Any) -> None:
    if ent is None:
        return
    _, dim, *rest = code.split(":", 2)
    part = rest[0] if rest else ""
    text = "" if value is None else str(value)
    if dim == "life_phase":
        ent.life_phases.append(part)
    elif dim == "transition":
        ent.transitions.append(part)
    elif dim == "sector":
        ent.sector = part
    elif dim == "target_group":
        ent.target_groups.append(text or part)
    elif dim == "topic":
        ent.topics.append(text or part)
    elif dim == "capacity":
        ent.capacity = float(text)
    elif dim in ("published", "synthetic"):
        setattr(ent, dim, text.lower() == "true")
    elif dim in ("source", "source_id"):
        setattr(ent, dim, text)
    elif dim == "unit":
        ent.unit_id = text or None


_PHASE_VALUES = {p.value for p in LifePhase}
_TRANSITION_VALUES = {t.value for t in Transition}


def kekiz_values(d: Directory, table: str, eid: str) -> list[tuple[str, str, str, str]]:
    """(code, name, dimension, value) of every kekiz field of a service or location."""
    ent = d.table(table)[eid]
    out: list[tuple[str, str, str, str]] = []
    if table == "location":
        if ent.unit_id:
            out.append(("kekiz:unit", "Gebiet (kekiz-Gebietsschlüssel)", "unit", ent.unit_id))
        return out
    for p in ent.life_phases:
        label = LifePhase(p).label_de if p in _PHASE_VALUES else p
        out.append((f"kekiz:life_phase:{p}", label, "life_phase", p))
    for t in ent.transitions:
        label = Transition(t).label_de if t in _TRANSITION_VALUES else t
        out.append((f"kekiz:transition:{t}", label, "transition", t))
    if ent.sector:
        out.append((f"kekiz:sector:{ent.sector}", sector_label(ent.sector), "sector",
                    ent.sector))
    for g in ent.target_groups:
        out.append((f"kekiz:target_group:{slug(g)}", g, "target_group", g))
    for t in ent.topics:
        out.append((f"kekiz:topic:{slug(t)}", t, "topic", t))
    if ent.capacity is not None:
        cap = f"{ent.capacity:g}"
        out.append(("kekiz:capacity", "Plätze (Kapazität)", "capacity", cap))
    out.append(("kekiz:published", "Im Familienwegweiser veröffentlicht", "published",
                "true" if ent.published else "false"))
    if ent.synthetic:
        out.append(("kekiz:synthetic", "Synthetischer Datensatz (kein echtes Angebot)",
                    "synthetic", "true"))
    if ent.source:
        out.append(("kekiz:source", "Quelle", "source", ent.source))
    if ent.source_id:
        out.append(("kekiz:source_id", "Schlüssel in der Quelle", "source_id", ent.source_id))
    return out


def kekiz_term(code: str, name: str) -> dict[str, Any]:
    return {"id": new_id("term", code), "code": code, "name": name,
            "description": f"kekiz: {name}", "taxonomy": "kekiz",
            "taxonomy_id": KEKIZ_TAXONOMY_ID, "language": "de"}


def kekiz_attributes(d: Directory, table: str, eid: str, *,
                      nested: bool) -> list[dict[str, Any]]:
    out = []
    for code, name, dim, value in kekiz_values(d, table, eid):
        term = kekiz_term(code, name)
        attr: dict[str, Any] = {"id": new_id("attribute", eid, code), "link_id": uuid_of(eid),
                                "link_type": dim, "link_entity": table,
                                "taxonomy_term_id": term["id"], "value": value}
        if nested:
            attr["taxonomy_term"] = {**term, "taxonomy_detail": dict(KEKIZ_TAXONOMY)}
        out.append(attr)
    return out


def uuid_of(value: str) -> str:
    """``value`` if it is a UUID, else a fixed UUID (v5) made from it."""
    try:
        uuid.UUID(value)
        return value
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, value))
