"""Open Referral HSDS 3.0: export of the service directory (JSON).

:func:`export_hsds` writes a page of fully nested services (the answer of
``/services/{id}`` for each), a page of organizations, the tabular form, or the shape
the directory was imported in (:mod:`kekiz.ingest.hsds` reads HSDS).  The kekiz
extensions travel as HSDS *attributes* with terms of the taxonomy ``kekiz`` (codes
``kekiz:life_phase:0-3``, ``kekiz:sector:health``, ``kekiz:capacity`` with the number as
value ...), so the output validates against the HSDS 3.0 schemas and other HSDS tools
keep the fields.  Identifiers that are not UUIDs are exported as deterministic UUIDs (v5)
of themselves.  :func:`write_hsds` writes the export to a file.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kekiz.domain.directory import KEKIZ_FIELDS, TYPED, Directory
from kekiz.domain.hsds_kekiz import (
    KEKIZ_TAXONOMY,
    KEKIZ_TAXONOMY_ID,
    kekiz_attributes,
    kekiz_term,
    kekiz_values,
    uuid_of,
)
from kekiz.domain.hsds_spec import RENAMED, SPEC

__all__ = ["KEKIZ_TAXONOMY_ID", "document", "export_hsds", "write_hsds"]

_BACK = {v: k[1] for k, v in RENAMED.items()}


def _uuid(value: str) -> str:
    return uuid_of(value)


def _fields(d: Directory, table: str, eid: str) -> dict[str, Any] | None:
    spec = SPEC[table]
    if table in TYPED:
        ent = d.table(table).get(eid)
        if ent is None:
            return None
        raw = asdict(ent)
        extra = raw.pop("extra")
        out: dict[str, Any] = {}
        for attr, value in raw.items():
            if attr in KEKIZ_FIELDS and attr not in _BACK:
                continue
            if value is None or (isinstance(value, str | list) and not value):
                continue
            out[_BACK.get(attr, attr)] = value
        for key, value in extra.items():
            out.setdefault(key, value)
    else:
        row = d.records.get(table, {}).get(eid)
        if row is None:
            return None
        out = dict(row)
    for name in spec.required:
        if out.get(name) is None:
            out[name] = "active" if (table, name) == ("service", "status") else ""
    for name, kind in spec.fields.items():
        if kind == "uuid" and isinstance(out.get(name), str) and out[name]:
            out[name] = _uuid(out[name])
    out["id"] = _uuid(eid)
    return out


def _implied(d: Directory, table: str, eid: str, depth: int) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    ent: Any = d.table(table).get(eid) if table in TYPED else None
    if table == "service":
        if depth == 0 and ent.organization_id in d.organizations:
            out.append(("organization", "organization", ent.organization_id))
        out += [("service_at_locations", "service_at_location", s.id)
                for s in d.service_at_locations.values() if s.service_id == eid]
    elif table == "service_at_location":
        if ent.location_id in d.locations:
            out.append(("location", "location", ent.location_id))
        if depth == 0 and ent.service_id in d.services:
            out.append(("service", "service", ent.service_id))
    elif table == "organization" and depth == 0:
        out += [("locations", "location", loc.id) for loc in d.locations.values()
                if loc.organization_id == eid]
        out += [("services", "service", s.id) for s in d.services.values()
                if s.organization_id == eid]
    elif table == "taxonomy_term" and ent.taxonomy_id in d.taxonomies:
        out.append(("taxonomy_detail", "taxonomy", ent.taxonomy_id))
    elif table == "attribute":
        tid = d.records["attribute"][eid].get("taxonomy_term_id")
        if tid in d.taxonomy_terms:
            out.append(("taxonomy_term", "taxonomy_term", tid))
    return out


def document(d: Directory, table: str, eid: str, *, depth: int = 0,
             path: frozenset[tuple[str, str]] = frozenset()) -> dict[str, Any] | None:
    """The fully nested HSDS document of one entity (as the HSDS API answers it)."""
    out = _fields(d, table, eid)
    if out is None:
        return None
    path = path | {(table, eid)}
    spec = SPEC[table]
    children = list(d.children(table, eid))
    for c in _implied(d, table, eid, depth):
        if c not in children:
            children.append(c)
    for key, ctable, cid in children:
        if (ctable, cid) in path:
            continue
        child = document(d, ctable, cid, depth=depth + 1, path=path)
        if child is None:
            continue
        if spec.many(key):
            bucket = out.setdefault(key, [])
            if all(x.get("id") != child["id"] for x in bucket):
                bucket.append(child)
        else:
            out.setdefault(key, child)
    if table in ("service", "location"):
        extra = kekiz_attributes(d, table, eid, nested=True)
        if extra:
            out.setdefault("attributes", []).extend(extra)
    return out


def _page(docs: list[dict[str, Any]], envelope: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    n = len(docs)
    page: dict[str, Any] = {"total_items": n, "total_pages": 1, "page_number": 1, "size": n,
            "first_page": True, "last_page": True, "empty": n == 0}
    page.update(envelope or {})
    page["contents"] = docs
    return page


def _tabular(d: Directory) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    fk: dict[tuple[str, str], dict[str, Any]] = {}
    for (ptable, pid), items in d.links.items():
        for _key, ctable, cid in items:
            keys = fk.setdefault((ctable, cid), {})
            if ctable == "attribute":
                keys.setdefault("link_id", pid)
                keys.setdefault("link_entity", ptable)
            elif ctable == "metadata":
                keys.setdefault("resource_id", pid)
                keys.setdefault("resource_type", ptable)
            elif f"{ptable}_id" in SPEC[ctable].fields:
                keys.setdefault(f"{ptable}_id", pid)
    names = list(TYPED) + [t for t in d.records if t not in TYPED]
    for table in names:
        for eid in d.table(table):
            row = _fields(d, table, eid)
            if row is None:
                continue
            for k, v in fk.get((table, eid), {}).items():
                if row.get(k) in (None, ""):
                    row[k] = _uuid(v)
            tables.setdefault(SPEC[table].path, []).append(row)
    kekiz_rows = [a for t in ("service", "location") for eid in d.table(t)
                  for a in kekiz_attributes(d, t, eid, nested=False)]
    if kekiz_rows:
        tables.setdefault("attributes.csv", []).extend(kekiz_rows)
        terms = {}
        for t in ("service", "location"):
            for eid in d.table(t):
                for code, name, _dim, _v in kekiz_values(d, t, eid):
                    term = kekiz_term(code, name)
                    terms[term["id"]] = term
        tables.setdefault("taxonomy_terms.csv", []).extend(terms.values())
        tables.setdefault("taxonomies.csv", []).append(dict(KEKIZ_TAXONOMY))
    return tables


def export_hsds(d: Directory, shape: str | None = None, *,
                only_published: bool = False) -> Any:
    """HSDS 3.0 JSON of the directory.

    ``shape``: ``services`` (a page of fully nested services; the default for
    directories made by kekiz), ``organizations`` (a page of nested organizations),
    ``tabular`` (``{"services.csv": [...], ...}``), or ``None`` for the shape the
    directory was imported in.  ``only_published`` leaves out services not published
    in the family finder.
    """
    if only_published:
        d = _published(d)
    imported = d.meta.get("shape")
    if shape is None and imported:
        kind = imported["type"]
        if kind == "api":
            return dict(imported["info"])
        if kind == "tabular":
            return _tabular(d)
        docs = [x for x in (document(d, t, i) for t, i in imported["ids"]) if x is not None]
        if kind == "document":
            return docs[0] if len(docs) == 1 else _page(docs)
        if kind == "list":
            return docs
        return _page(docs, imported.get("envelope"))
    shape = shape or "services"
    if shape == "tabular":
        return _tabular(d)
    if shape == "organizations":
        return _page([x for x in (document(d, "organization", i) for i in d.organizations)
                      if x is not None])
    if shape == "services":
        return _page([x for x in (document(d, "service", i) for i in d.services)
                      if x is not None])
    raise ValueError(f"unknown HSDS shape {shape!r}")


def _published(d: Directory) -> Directory:
    out = Directory()
    out.update(d)
    for sid, svc in list(out.services.items()):
        if not svc.published:
            out.remove_service(sid)
    return out


def write_hsds(d: Directory, path: Path, shape: str | None = None, *,
               only_published: bool = False) -> int:
    """Write :func:`export_hsds` as UTF-8 JSON; returns the number of services."""
    data = export_hsds(d, shape, only_published=only_published)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return len(d.services)
