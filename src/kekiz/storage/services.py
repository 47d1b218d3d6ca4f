"""The service directory of the prevention chain in the store (issue #5), in plain SQL.

Reached through ``store.load_directory()`` / ``store.service_datasets()`` and
``tx.replace_directory()`` / ``tx.delete_directory()``.  A directory is stored under its
dataset; storing it removes the rows of the earlier revisions of the same dataset (a
re-import replaces, it never duplicates).  Reading merges the stored datasets into one
directory, later imports winning on equal ids.  The tables are described in
:mod:`kekiz.storage.schema_services` (created by migration ``0005``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kekiz.domain.directory import (
    Directory,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceDataset,
    Taxonomy,
    TaxonomyTerm,
)
from kekiz.storage.db import Conn

__all__ = ["delete_directory", "load_directory", "replace_directory", "service_datasets"]

#: A condition on ``dataset_id`` (SQL with ``?`` and its parameters), e.g. a read scope.
Clause = tuple[str, list[Any]]

#: Every table of the directory, children before parents (the order of deleting).
TABLES = ("hsds_links", "hsds_records", "service_labels", "service_transitions",
          "service_life_phases", "service_at_locations", "services", "locations",
          "taxonomy_terms", "taxonomies", "organizations")
_LABEL_KINDS = ("topic", "target_group")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "description", "alternate_name", "email", "website",
                      "extra"),
    "services": ("id", "organization_id", "name", "description", "status", "url", "email",
                 "age_min", "age_max", "eligibility_description", "sector", "capacity",
                 "published", "synthetic", "source", "source_id", "extra"),
    "service_life_phases": ("service_id", "position", "life_phase"),
    "service_transitions": ("service_id", "position", "transition"),
    "service_labels": ("service_id", "kind", "position", "label"),
    "locations": ("id", "name", "latitude", "longitude", "organization_id", "location_type",
                  "description", "unit_id", "extra"),
    "service_at_locations": ("id", "service_id", "location_id", "description", "extra"),
    "taxonomies": ("id", "name", "description", "uri", "version", "extra"),
    "taxonomy_terms": ("id", "name", "description", "code", "parent_id", "taxonomy",
                       "taxonomy_id", "language", "term_uri", "extra"),
    "hsds_records": ("table_name", "id", "data"),
    "hsds_links": ("parent_table", "parent_id", "position", "key", "child_table", "child_id"),
}


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _insert(conn: Conn, table: str, dataset_id: int, rows: list[tuple[Any, ...]]) -> None:
    cols = ("dataset_id", *_COLUMNS[table])
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    conn.many(f"INSERT INTO {table} ({names}) VALUES ({marks})",
              [(dataset_id, *row) for row in rows])


def delete_directory(conn: Conn, dataset_ids: Sequence[int]) -> int:
    """Remove every directory row of the given datasets; the number of services removed."""
    if not dataset_ids:
        return 0
    cond, params = conn.dialect.any_of("dataset_id", list(dataset_ids))
    removed = int(conn.scalar(f"SELECT COUNT(*) FROM services WHERE {cond}", params))
    for table in TABLES:
        conn.run(f"DELETE FROM {table} WHERE {cond}", params)
    return removed


def replace_directory(conn: Conn, directory: Directory, dataset_id: int,
                      previous: Sequence[int]) -> int:
    """Store ``directory`` under ``dataset_id`` after removing the ``previous`` revisions;
    the number of services those revisions held."""
    replaced = delete_directory(conn, previous)
    d, ds = directory, dataset_id
    _insert(conn, "organizations", ds, [
        (o.id, o.name, o.description, o.alternate_name, o.email, o.website, _dump(o.extra))
        for o in d.organizations.values()])
    _insert(conn, "services", ds, [
        (v.id, v.organization_id, v.name, v.description, v.status, v.url, v.email,
         v.age_min, v.age_max, v.eligibility_description, v.sector, v.capacity,
         bool(v.published), bool(v.synthetic), v.source, v.source_id, _dump(v.extra))
        for v in d.services.values()])
    phases: list[tuple[Any, ...]] = []
    trans: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    for v in d.services.values():
        phases += [(v.id, i, p) for i, p in enumerate(v.life_phases)]
        trans += [(v.id, i, x) for i, x in enumerate(v.transitions)]
        for kind, values in zip(_LABEL_KINDS, (v.topics, v.target_groups), strict=True):
            labels += [(v.id, kind, i, x) for i, x in enumerate(values)]
    _insert(conn, "service_life_phases", ds, phases)
    _insert(conn, "service_transitions", ds, trans)
    _insert(conn, "service_labels", ds, labels)
    _insert(conn, "locations", ds, [
        (x.id, x.name, x.latitude, x.longitude, x.organization_id, x.location_type,
         x.description, x.unit_id, _dump(x.extra)) for x in d.locations.values()])
    _insert(conn, "service_at_locations", ds, [
        (x.id, x.service_id, x.location_id, x.description, _dump(x.extra))
        for x in d.service_at_locations.values()])
    _insert(conn, "taxonomies", ds, [
        (x.id, x.name, x.description, x.uri, x.version, _dump(x.extra))
        for x in d.taxonomies.values()])
    _insert(conn, "taxonomy_terms", ds, [
        (x.id, x.name, x.description, x.code, x.parent_id, x.taxonomy, x.taxonomy_id,
         x.language, x.term_uri, _dump(x.extra)) for x in d.taxonomy_terms.values()])
    _insert(conn, "hsds_records", ds, [
        (table, rid, _dump(row)) for table, rows in d.records.items()
        for rid, row in rows.items()])
    _insert(conn, "hsds_links", ds, [
        (parent[0], parent[1], i, key, ctable, cid)
        for parent, items in d.links.items() for i, (key, ctable, cid) in enumerate(items)])
    return replaced


def _where(conn: Conn, dataset_ids: Sequence[int] | None,
           visible: Clause | None) -> Clause:
    parts: list[str] = []
    params: list[Any] = []
    if dataset_ids is not None:
        cond, p = conn.dialect.any_of("dataset_id", list(dataset_ids))
        parts.append(cond)
        params += p
    if visible is not None:
        parts.append(visible[0])
        params += visible[1]
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def _rows(conn: Conn, table: str, where: Clause, *order: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(f'"{c}"' for c in ("dataset_id", *_COLUMNS[table]))
    keys = ", ".join(f'"{c}"' for c in ("dataset_id", *order))
    return conn.all(f"SELECT {cols} FROM {table}{where[0]} ORDER BY {keys}", where[1])


def load_directory(conn: Conn, dataset_ids: Sequence[int] | None,
                   visible: Clause | None = None) -> Directory:
    """The stored directory (all datasets, or those given), later datasets winning."""
    where = _where(conn, dataset_ids, visible)
    d = Directory()
    for _ds, *r in _rows(conn, "organizations", where, "id"):
        d.organizations[r[0]] = Organization(r[0], r[1], r[2], r[3], r[4], r[5],
                                             json.loads(r[6]))
    for _ds, *r in _rows(conn, "services", where, "id"):
        d.services[r[0]] = Service(
            id=r[0], organization_id=r[1], name=r[2], description=r[3], status=r[4],
            url=r[5], email=r[6], age_min=r[7], age_max=r[8], eligibility_description=r[9],
            sector=r[10], capacity=r[11], published=bool(r[12]), synthetic=bool(r[13]),
            source=r[14], source_id=r[15], extra=json.loads(r[16]))
    _service_lists(conn, d, where)
    for _ds, *r in _rows(conn, "locations", where, "id"):
        d.locations[r[0]] = Location(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                                     json.loads(r[8]))
    for _ds, *r in _rows(conn, "service_at_locations", where, "id"):
        d.service_at_locations[r[0]] = ServiceAtLocation(r[0], r[1], r[2], r[3],
                                                         json.loads(r[4]))
    for _ds, *r in _rows(conn, "taxonomies", where, "id"):
        d.taxonomies[r[0]] = Taxonomy(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]))
    for _ds, *r in _rows(conn, "taxonomy_terms", where, "id"):
        d.taxonomy_terms[r[0]] = TaxonomyTerm(r[0], r[1], r[2], r[3], r[4], r[5], r[6],
                                              r[7], r[8], json.loads(r[9]))
    for _ds, table, rid, data in _rows(conn, "hsds_records", where, "table_name", "id"):
        d.records.setdefault(table, {})[rid] = json.loads(data)
    for _ds, ptable, pid, _pos, key, ctable, cid in _rows(
            conn, "hsds_links", where, "parent_table", "parent_id", "position"):
        d.link((ptable, pid), key, ctable, cid)
    return d


def _service_lists(conn: Conn, d: Directory, where: Clause) -> None:
    """Life phases, transitions, topics and target groups of the services, each taken
    from the newest dataset that holds the service."""
    lists: dict[tuple[int, str], dict[str, list[str]]] = {}
    for ds, sid, _pos, phase in _rows(conn, "service_life_phases", where, "service_id",
                                      "position"):
        lists.setdefault((ds, sid), {}).setdefault("life_phases", []).append(phase)
    for ds, sid, _pos, step in _rows(conn, "service_transitions", where, "service_id",
                                     "position"):
        lists.setdefault((ds, sid), {}).setdefault("transitions", []).append(step)
    for ds, sid, kind, _pos, label in _rows(conn, "service_labels", where, "service_id",
                                            "kind", "position"):
        key = "topics" if kind == "topic" else "target_groups"
        lists.setdefault((ds, sid), {}).setdefault(key, []).append(label)
    latest = {str(i): int(ds) for i, ds in conn.all(
        f"SELECT id, MAX(dataset_id) FROM services{where[0]} GROUP BY id", where[1])}
    for (ds, sid), values in lists.items():
        svc = d.services.get(sid)
        if svc is not None and latest.get(sid) == ds:
            for attr, items in values.items():
                setattr(svc, attr, items)


def service_datasets(conn: Conn, visible: Clause | None = None) -> list[ServiceDataset]:
    """The datasets that hold services now (earlier revisions are empty), oldest first."""
    where, params = (f" WHERE {visible[0]}", visible[1]) if visible else ("", [])
    rows = conn.all(
        "SELECT d.id, d.name, d.revision, d.source, d.licence, d.details, COUNT(s.id), "
        "SUM(CAST(s.published AS INTEGER)), SUM(CAST(s.synthetic AS INTEGER)) "
        "FROM datasets d JOIN services s ON s.dataset_id = d.id" + where +
        " GROUP BY d.id, d.name, d.revision, d.source, d.licence, d.details ORDER BY d.id",
        params)
    return [ServiceDataset(int(r[0]), r[1], int(r[2]), r[3], r[4], int(r[6]), int(r[7] or 0),
                           int(r[8] or 0), json.loads(r[5])) for r in rows]
