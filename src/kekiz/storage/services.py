"""Reading and writing the service directory of the prevention chain (issue #5).

Writes take the :class:`~kekiz.storage.store.Writer` of an open transaction, reads take
the :class:`~kekiz.storage.store.Store`.  :func:`replace_directory` stores a
:class:`~kekiz.domain.directory.Directory` under its dataset and removes the rows of the
earlier revisions of the same dataset (a re-import replaces, it never duplicates);
:func:`load_directory` merges the stored datasets into one directory, later imports
winning on equal ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, Table, cast, delete, func, select

from kekiz.domain.directory import (
    Directory,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from kekiz.storage import schema as t
from kekiz.storage import schema_services as s
from kekiz.storage.store import Store, Writer

__all__ = ["ServiceDataset", "delete_directory", "load_directory", "replace_directory",
           "service_datasets"]

_CHUNK = 2000
_LABEL_KINDS = ("topic", "target_group")


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), _CHUNK):
        conn.execute(table.insert(), rows[i:i + _CHUNK])


def delete_directory(tx: Writer, dataset_ids: Sequence[int]) -> int:
    """Remove every directory row of the given datasets; returns the services removed."""
    if not dataset_ids:
        return 0
    ids = list(dataset_ids)
    removed = tx.conn.execute(select(func.count()).select_from(s.services).where(
        s.services.c.dataset_id.in_(ids))).scalar_one()
    for table in s.SERVICE_TABLES:
        tx.conn.execute(delete(table).where(table.c.dataset_id.in_(ids)))
    return int(removed)


def replace_directory(tx: Writer, directory: Directory, dataset_id: int) -> int:
    """Store ``directory`` under ``dataset_id``, replacing earlier revisions of the same
    dataset (same name); returns the number of services those revisions held."""
    name = tx.conn.execute(select(t.datasets.c.name).where(
        t.datasets.c.id == dataset_id)).scalar_one()
    replaced = delete_directory(tx, tx.previous_revisions(name, dataset_id))
    conn, ds = tx.conn, dataset_id
    _insert(conn, s.organizations, [
        dict(dataset_id=ds, id=o.id, name=o.name, description=o.description,
             alternate_name=o.alternate_name, email=o.email, website=o.website,
             extra=_dump(o.extra)) for o in directory.organizations.values()])
    _insert(conn, s.services, [
        dict(dataset_id=ds, id=v.id, organization_id=v.organization_id, name=v.name,
             description=v.description, status=v.status, url=v.url, email=v.email,
             age_min=v.age_min, age_max=v.age_max,
             eligibility_description=v.eligibility_description, sector=v.sector,
             capacity=v.capacity, published=bool(v.published), synthetic=bool(v.synthetic),
             source=v.source, source_id=v.source_id, extra=_dump(v.extra))
        for v in directory.services.values()])
    phases, trans, labels = [], [], []
    for v in directory.services.values():
        phases += [dict(dataset_id=ds, service_id=v.id, position=i, life_phase=p)
                   for i, p in enumerate(v.life_phases)]
        trans += [dict(dataset_id=ds, service_id=v.id, position=i, transition=x)
                  for i, x in enumerate(v.transitions)]
        for kind, values in zip(_LABEL_KINDS, (v.topics, v.target_groups), strict=True):
            labels += [dict(dataset_id=ds, service_id=v.id, kind=kind, position=i, label=x)
                       for i, x in enumerate(values)]
    _insert(conn, s.service_life_phases, phases)
    _insert(conn, s.service_transitions, trans)
    _insert(conn, s.service_labels, labels)
    _insert(conn, s.locations, [
        dict(dataset_id=ds, id=loc.id, name=loc.name, latitude=loc.latitude,
             longitude=loc.longitude, organization_id=loc.organization_id,
             location_type=loc.location_type, description=loc.description,
             unit_id=loc.unit_id, extra=_dump(loc.extra))
        for loc in directory.locations.values()])
    _insert(conn, s.service_at_locations, [
        dict(dataset_id=ds, id=x.id, service_id=x.service_id, location_id=x.location_id,
             description=x.description, extra=_dump(x.extra))
        for x in directory.service_at_locations.values()])
    _insert(conn, s.taxonomies, [
        dict(dataset_id=ds, id=x.id, name=x.name, description=x.description, uri=x.uri,
             version=x.version, extra=_dump(x.extra)) for x in directory.taxonomies.values()])
    _insert(conn, s.taxonomy_terms, [
        dict(dataset_id=ds, id=x.id, name=x.name, description=x.description, code=x.code,
             parent_id=x.parent_id, taxonomy=x.taxonomy, taxonomy_id=x.taxonomy_id,
             language=x.language, term_uri=x.term_uri, extra=_dump(x.extra))
        for x in directory.taxonomy_terms.values()])
    _insert(conn, s.hsds_records, [
        dict(dataset_id=ds, table_name=table, id=rid, data=_dump(row))
        for table, rows in directory.records.items() for rid, row in rows.items()])
    _insert(conn, s.hsds_links, [
        dict(dataset_id=ds, parent_table=parent[0], parent_id=parent[1], position=i,
             key=key, child_table=ctable, child_id=cid)
        for parent, items in directory.links.items()
        for i, (key, ctable, cid) in enumerate(items)])
    return replaced


def _rows(conn: Connection, table: Table, dataset_ids: Sequence[int] | None,
          *order: str) -> Iterable[Any]:
    q = select(table).order_by(table.c.dataset_id, *(table.c[o] for o in order))
    if dataset_ids is not None:
        q = q.where(table.c.dataset_id.in_(list(dataset_ids)))
    return conn.execute(q).all()


def load_directory(store: Store, dataset_ids: Sequence[int] | None = None) -> Directory:
    """The stored directory (all datasets, or those given), later datasets winning."""
    d = Directory()
    with store._connect() as conn:
        for r in _rows(conn, s.organizations, dataset_ids, "id"):
            d.organizations[r.id] = Organization(r.id, r.name, r.description, r.alternate_name,
                                                 r.email, r.website, json.loads(r.extra))
        for r in _rows(conn, s.services, dataset_ids, "id"):
            d.services[r.id] = Service(
                id=r.id, name=r.name, organization_id=r.organization_id,
                description=r.description, status=r.status, url=r.url, email=r.email,
                age_min=r.age_min, age_max=r.age_max,
                eligibility_description=r.eligibility_description, sector=r.sector,
                capacity=r.capacity, published=bool(r.published), synthetic=bool(r.synthetic),
                source=r.source, source_id=r.source_id, extra=json.loads(r.extra))
        lists: dict[tuple[int, str], dict[str, list[str]]] = {}
        for r in _rows(conn, s.service_life_phases, dataset_ids, "service_id", "position"):
            lists.setdefault((r.dataset_id, r.service_id), {}).setdefault(
                "life_phases", []).append(r.life_phase)
        for r in _rows(conn, s.service_transitions, dataset_ids, "service_id", "position"):
            lists.setdefault((r.dataset_id, r.service_id), {}).setdefault(
                "transitions", []).append(r.transition)
        for r in _rows(conn, s.service_labels, dataset_ids, "service_id", "kind", "position"):
            key = "topics" if r.kind == "topic" else "target_groups"
            lists.setdefault((r.dataset_id, r.service_id), {}).setdefault(key, []).append(
                r.label)
        latest = _latest_dataset(conn, s.services, dataset_ids)
        for (ds, sid), values in lists.items():
            svc = d.services.get(sid)
            if svc is not None and latest.get(sid) == ds:
                for attr, items in values.items():
                    setattr(svc, attr, items)
        for r in _rows(conn, s.locations, dataset_ids, "id"):
            d.locations[r.id] = Location(r.id, r.name, r.latitude, r.longitude,
                                         r.organization_id, r.location_type, r.description,
                                         r.unit_id, json.loads(r.extra))
        for r in _rows(conn, s.service_at_locations, dataset_ids, "id"):
            d.service_at_locations[r.id] = ServiceAtLocation(r.id, r.service_id, r.location_id,
                                                             r.description, json.loads(r.extra))
        for r in _rows(conn, s.taxonomies, dataset_ids, "id"):
            d.taxonomies[r.id] = Taxonomy(r.id, r.name, r.description, r.uri, r.version,
                                          json.loads(r.extra))
        for r in _rows(conn, s.taxonomy_terms, dataset_ids, "id"):
            d.taxonomy_terms[r.id] = TaxonomyTerm(r.id, r.name, r.description, r.code,
                                                  r.parent_id, r.taxonomy, r.taxonomy_id,
                                                  r.language, r.term_uri, json.loads(r.extra))
        for r in _rows(conn, s.hsds_records, dataset_ids, "table_name", "id"):
            d.records.setdefault(r.table_name, {})[r.id] = json.loads(r.data)
        for r in _rows(conn, s.hsds_links, dataset_ids, "parent_table", "parent_id",
                       "position"):
            d.link((r.parent_table, r.parent_id), r.key, r.child_table, r.child_id)
    return d


def _latest_dataset(conn: Connection, table: Table,
                    dataset_ids: Sequence[int] | None) -> dict[str, int]:
    q = select(table.c.id, func.max(table.c.dataset_id)).group_by(table.c.id)
    if dataset_ids is not None:
        q = q.where(table.c.dataset_id.in_(list(dataset_ids)))
    return {str(i): int(ds) for i, ds in conn.execute(q)}


@dataclass
class ServiceDataset:
    """One stored import of the directory."""

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


def service_datasets(store: Store) -> list[ServiceDataset]:
    """The datasets that hold services now (earlier revisions are empty), oldest first."""
    sv, ds = s.services, t.datasets
    q = (select(ds.c.id, ds.c.name, ds.c.revision, ds.c.source, ds.c.licence, ds.c.details,
                func.count(sv.c.id),
                func.sum(cast(sv.c.published, Integer)),
                func.sum(cast(sv.c.synthetic, Integer)))
         .join(sv, sv.c.dataset_id == ds.c.id)
         .group_by(ds.c.id, ds.c.name, ds.c.revision, ds.c.source, ds.c.licence,
                   ds.c.details)
         .order_by(ds.c.id))
    with store._connect() as conn:
        rows = conn.execute(q).all()
    return [ServiceDataset(int(r[0]), r[1], int(r[2]), r[3], r[4], int(r[6]), int(r[7] or 0),
                           int(r[8] or 0), json.loads(r[5])) for r in rows]
