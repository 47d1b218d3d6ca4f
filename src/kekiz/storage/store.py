"""The store: one interface in domain terms over SQLite (default) and PostgreSQL.

``open_store(url)`` returns a :class:`Store`.  Reads go through the store; every write
happens inside ``with store.transaction() as tx:`` so that an import lands whole or not
at all.  Dialect differences (upserts, pragmas) live in small hooks at the bottom.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from kekiz.domain.errors import NotFound, SchemaVersionError, StoreError
from kekiz.domain.model import DEFAULT_LEVELS, Dataset, Indicator, Level, Member, Unit
from kekiz.storage import schema as t

__all__ = ["DEFAULT_STORE_URL", "Store", "Writer", "open_store"]

log = logging.getLogger(__name__)

DEFAULT_STORE_URL = "sqlite:///kekiz.db"
_CHUNK = 5000


def open_store(url: str = DEFAULT_STORE_URL, *, create: bool = True,
               check: bool = True) -> Store:
    """Open (and with ``create`` initialise or check) the store at ``url``.

    ``sqlite:///path.db`` (default) or ``postgresql+psycopg://user@host/db``.  An empty
    database is initialised when ``create`` is true; a database at another schema
    version raises :class:`SchemaVersionError` with the command that upgrades it.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"Ungültige Store-Adresse '{url}'. Erwartet z. B. 'sqlite:///kekiz.db' oder "
            "'postgresql+psycopg://benutzer@host/datenbank'.",
            message_en=f"Invalid store URL '{url}'. Expected e.g. 'sqlite:///kekiz.db' or "
            "'postgresql+psycopg://user@host/database'.") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"Nicht unterstützte Datenbank '{parsed.get_backend_name()}' in '{url}'. "
            "Unterstützt: sqlite, postgresql.",
            message_en=f"Unsupported database '{parsed.get_backend_name()}' in '{url}'. "
            "Supported: sqlite, postgresql.")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    store = Store(engine, url)
    if not check:  # only for 'kekiz init --upgrade', which migrates right after
        return store
    try:
        store.check_schema(create=create)
    except BaseException:
        engine.dispose()
        raise
    return store


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("kekiz.storage") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def schema_head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("kekiz.storage") / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


class Store:
    """Reads in domain terms; writes only through :meth:`transaction`."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    # -- schema -------------------------------------------------------------------
    def schema_version(self) -> str | None:
        with self._connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def check_schema(self, *, create: bool) -> None:
        current = self.schema_version()
        head = schema_head()
        if current == head:
            return
        if current is None:
            with self._connect() as conn:
                has_tables = bool(inspect(conn).get_table_names())
            if has_tables:
                raise SchemaVersionError(
                    f"Die Datenbank {self._safe_url()} enthält Tabellen, aber kein kekiz-Schema. "
                    "Bitte eine leere Datenbank angeben.",
                    message_en=f"The database {self._safe_url()} holds tables but no kekiz "
                    "schema. Please give an empty database.")
            if not create:
                raise StoreError(
                    f"Der Store {self._safe_url()} ist leer. Abhilfe: 'kekiz init' ausführen.",
                    message_en=f"The store {self._safe_url()} is empty. Fix: run 'kekiz init'.")
            self.upgrade()
            return
        raise SchemaVersionError(
            f"Der Store {self._safe_url()} hat Schema-Version {current}, diese kekiz-Version "
            f"braucht {head}. Abhilfe: 'kekiz init --upgrade' (vorher sichern).",
            message_en=f"The store {self._safe_url()} is at schema version {current}; this "
            f"kekiz needs {head}. Fix: run 'kekiz init --upgrade' (back up first).")

    def upgrade(self) -> None:
        """Run all migrations up to the current schema, then seed the levels."""
        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
        with self.transaction() as tx:
            tx.ensure_levels(DEFAULT_LEVELS)

    def _safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def safe_url(self) -> str:
        return self._safe_url()

    def data_version(self) -> int:
        """Interim: number and newest id of the datasets (the SQL store replaces it)."""
        ds = self.datasets()
        return len(ds) * 1_000_000 + max((d.id or 0 for d in ds), default=0)

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(
                f"Keine Verbindung zum Store {self._safe_url()}: {exc.orig}",
                message_en=f"Cannot connect to the store {self._safe_url()}: {exc.orig}",
            ) from exc

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """All writes of one import: committed together or rolled back together."""
        try:
            with self.engine.begin() as conn:
                yield Writer(conn)
        except OperationalError as exc:
            raise StoreError(
                f"Schreibfehler im Store {self._safe_url()}: {exc.orig}. Es wurde nichts "
                "gespeichert.",
                message_en=f"Write error in the store {self._safe_url()}: {exc.orig}. Nothing "
                "was stored.") from exc

    def dispose(self) -> None:
        self.engine.dispose()

    # -- levels ---------------------------------------------------------------------
    def levels(self) -> list[Level]:
        with self._connect() as conn:
            rows = conn.execute(select(t.levels).order_by(t.levels.c.rank)).all()
        return [Level(r.id, r.name_de, r.name_en, r.rank) for r in rows]

    def level(self, level_id: str) -> Level:
        for level in self.levels():
            if level.id == level_id:
                return level
        known = ", ".join(lv.id for lv in self.levels())
        raise NotFound(f"Unbekannte Ebene '{level_id}'. Bekannt: {known}.",
                       message_en=f"Unknown level '{level_id}'. Known: {known}.")

    # -- units ------------------------------------------------------------------------
    def units(self, level: str | None = None, parent_id: str | None = None,
              with_geometry: bool = False) -> list[Unit]:
        cols = [c for c in t.units.c if with_geometry or c.name != "geometry"]
        query = select(*cols).order_by(t.units.c.id)
        if level is not None:
            query = query.where(t.units.c.level == level)
        if parent_id is not None:
            query = query.where(t.units.c.parent_id == parent_id)
        with self._connect() as conn:
            rows = conn.execute(query).all()
            keys = self._keys(conn, [r.id for r in rows])
        return [_unit_from_row(r, keys.get(r.id, {})) for r in rows]

    def unit(self, unit_id: str) -> Unit:
        with self._connect() as conn:
            row = conn.execute(select(t.units).where(t.units.c.id == unit_id)).first()
            if row is None:
                raise NotFound(f"Unbekannte Einheit '{unit_id}'.",
                               message_en=f"Unknown unit '{unit_id}'.")
            keys = self._keys(conn, [unit_id])
        return _unit_from_row(row, keys.get(unit_id, {}))

    def units_frame(self, level: str | None = None) -> pd.DataFrame:
        """Units without geometry as a frame: id, name, level, parent_id, valid_from ..."""
        query = select(t.units.c.id, t.units.c.name, t.units.c.level, t.units.c.parent_id,
                       t.units.c.valid_from, t.units.c.valid_to).order_by(t.units.c.id)
        if level is not None:
            query = query.where(t.units.c.level == level)
        with self._connect() as conn:
            return pd.DataFrame(conn.execute(query).all(),
                                columns=["id", "name", "level", "parent_id", "valid_from",
                                         "valid_to"])

    def geometries(self, level: str) -> pd.DataFrame:
        """id, name, parent_id and WKB geometry of a level's units."""
        query = (select(t.units.c.id, t.units.c.name, t.units.c.parent_id, t.units.c.geometry)
                 .where(t.units.c.level == level).order_by(t.units.c.id))
        with self._connect() as conn:
            return pd.DataFrame(conn.execute(query).all(),
                                columns=["id", "name", "parent_id", "geometry"])

    def key_index(self, level: str) -> dict[str, dict[str, str]]:
        """For a level: scheme -> {key -> unit id}, including the unit ids themselves."""
        query = (select(t.unit_keys.c.scheme, t.unit_keys.c.key, t.unit_keys.c.unit_id)
                 .join(t.units, t.units.c.id == t.unit_keys.c.unit_id)
                 .where(t.units.c.level == level))
        out: dict[str, dict[str, str]] = {"id": {}}
        with self._connect() as conn:
            for scheme, key, unit_id in conn.execute(query):
                out.setdefault(scheme, {})[key] = unit_id
            for (unit_id,) in conn.execute(select(t.units.c.id).where(t.units.c.level == level)):
                out["id"][unit_id] = unit_id
        return out

    def count_units(self) -> dict[str, int]:
        query = select(t.units.c.level, func.count()).group_by(t.units.c.level)
        with self._connect() as conn:
            return {level: int(n) for level, n in conn.execute(query)}

    @staticmethod
    def _keys(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for i in range(0, len(ids), 900):
            chunk = list(ids[i:i + 900])
            q = select(t.unit_keys).where(t.unit_keys.c.unit_id.in_(chunk))
            for row in conn.execute(q):
                out.setdefault(row.unit_id, {})[row.scheme] = row.key
        return out

    # -- indicators -------------------------------------------------------------------
    def indicators(self) -> list[Indicator]:
        with self._connect() as conn:
            rows = conn.execute(select(t.indicators).order_by(t.indicators.c.id)).all()
        return [Indicator(**dict(r._mapping)) for r in rows]

    def indicator(self, indicator_id: str) -> Indicator:
        with self._connect() as conn:
            row = conn.execute(
                select(t.indicators).where(t.indicators.c.id == indicator_id)).first()
        if row is None:
            raise NotFound(f"Unbekannter Indikator '{indicator_id}'. 'kekiz indicators' "
                           "listet die vorhandenen.",
                           message_en=f"Unknown indicator '{indicator_id}'. 'kekiz indicators' "
                           "lists the known ones.")
        return Indicator(**dict(row._mapping))

    def periods(self) -> dict[str, list[str]]:
        """indicator id -> sorted list of periods with observations."""
        query = (select(t.observations.c.indicator_id, t.observations.c.period)
                 .distinct().order_by(t.observations.c.indicator_id, t.observations.c.period))
        out: dict[str, list[str]] = {}
        with self._connect() as conn:
            for ind, period in conn.execute(query):
                out.setdefault(ind, []).append(period)
        return out

    # -- observations -----------------------------------------------------------------
    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame:
        o = t.observations
        query = select(o.c.indicator_id, o.c.unit_id, o.c.period, o.c.value, o.c.numerator,
                       o.c.denominator, o.c.status, o.c.lower, o.c.upper, o.c.dataset_id,
                       o.c.method, o.c.params)
        if level is not None:
            query = query.join(t.units, t.units.c.id == o.c.unit_id).where(
                t.units.c.level == level)
        if indicator_id is not None:
            ids = [indicator_id] if isinstance(indicator_id, str) else list(indicator_id)
            query = query.where(o.c.indicator_id.in_(ids))
        if period is not None:
            periods = [period] if isinstance(period, str) else list(period)
            query = query.where(o.c.period.in_(periods))
        if unit_ids is not None:
            query = query.where(o.c.unit_id.in_(list(unit_ids)))
        query = query.order_by(o.c.indicator_id, o.c.unit_id, o.c.period)
        cols = ["indicator_id", "unit_id", "period", "value", "numerator", "denominator",
                "status", "lower", "upper", "dataset_id", "method", "params"]
        with self._connect() as conn:
            frame = pd.DataFrame(conn.execute(query).all(), columns=cols)
        for col in ("value", "numerator", "denominator", "lower", "upper"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def count_observations(self) -> int:
        with self._connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.observations)).scalar_one())

    # -- datasets ---------------------------------------------------------------------
    def datasets(self) -> list[Dataset]:
        with self._connect() as conn:
            rows = conn.execute(select(t.datasets).order_by(t.datasets.c.id)).all()
        return [_dataset_from_row(r) for r in rows]

    # -- members of the state network ------------------------------------------------
    def members(self, programme: str | None = None) -> list[Member]:
        q = select(t.members).order_by(t.members.c.joined, t.members.c.unit_id)
        if programme is not None:
            q = q.where(t.members.c.programme == programme)
        with self._connect() as conn:
            rows = conn.execute(q).all()
        return [Member(unit_id=r.unit_id, name=r.name, programme=r.programme, joined=r.joined,
                       left=r.left, source=r.source, dataset_id=r.dataset_id) for r in rows]

    def funding(self, programme: str | None = None) -> pd.DataFrame:
        f = t.funding
        q = select(f.c.unit_id, f.c.programme, f.c.year, f.c.source, f.c.amount,
                   f.c.note).order_by(f.c.year, f.c.unit_id, f.c.source)
        if programme is not None:
            q = q.where(f.c.programme == programme)
        with self._connect() as conn:
            frame = pd.DataFrame(conn.execute(q).all(),
                                 columns=["unit_id", "programme", "year", "source", "amount",
                                          "note"])
        frame["amount"] = frame["amount"].astype("float64")
        return frame

    # -- whole-store snapshot (tests, backups) ----------------------------------------
    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every kekiz table, sorted: to compare a store before and after."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self._connect() as conn:
            for table in t.metadata.sorted_tables:
                rows = conn.execute(select(table)).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out


class Writer:
    """Write operations on one open transaction (see :meth:`Store.transaction`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ensure_levels(self, levels: Iterable[Level]) -> None:
        for level in levels:
            self._upsert(t.levels, [dict(id=level.id, name_de=level.name_de,
                                         name_en=level.name_en, rank=level.rank)], ["id"])

    def add_dataset(self, ds: Dataset) -> Dataset:
        """Record a dataset; a dataset of the same name becomes its next revision."""
        last = self.conn.execute(
            select(func.max(t.datasets.c.revision)).where(t.datasets.c.name == ds.name)
        ).scalar_one()
        ds.revision = int(last or 0) + 1
        ds.imported_at = ds.imported_at or datetime.now(UTC)
        result = self.conn.execute(t.datasets.insert().values(
            name=ds.name, kind=ds.kind, revision=ds.revision, file=ds.file, sha256=ds.sha256,
            licence=ds.licence, source=ds.source, user_name=ds.user, rows=ds.rows,
            imported_at=ds.imported_at, details=json.dumps(ds.details, ensure_ascii=False,
                                                           sort_keys=True, default=str)))
        key = result.inserted_primary_key
        assert key is not None
        ds.id = int(key[0])
        from kekiz.storage.auth import audit_dataset  # every import lands in the audit log

        audit_dataset(self.conn, ds)
        return ds

    def set_dataset_rows(self, dataset_id: int, rows: int) -> None:
        self.conn.execute(update(t.datasets).where(t.datasets.c.id == dataset_id)
                          .values(rows=rows))
        from kekiz.storage.auth import audit_dataset_rows

        audit_dataset_rows(self.conn, dataset_id, rows)

    def previous_revisions(self, name: str, current_id: int) -> list[int]:
        q = select(t.datasets.c.id).where(and_(t.datasets.c.name == name,
                                               t.datasets.c.id != current_id))
        return [int(i) for (i,) in self.conn.execute(q)]

    def upsert_units(self, units: Sequence[Unit]) -> None:
        rows: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for u in units:
            bounds = _bounds(u.geometry)
            rows.append(dict(id=u.id, name=u.name, level=u.level, parent_id=u.parent_id,
                             geometry=u.geometry, minx=bounds[0], miny=bounds[1],
                             maxx=bounds[2], maxy=bounds[3], valid_from=u.valid_from,
                             valid_to=u.valid_to, arisen_from=json.dumps(u.arisen_from),
                             dataset_id=u.dataset_id))
            keys.extend(dict(unit_id=u.id, scheme=s, key=k) for s, k in u.keys.items())
        # parents before children: a unit may name a parent in the same batch
        rows.sort(key=lambda r: 0 if r["parent_id"] is None else 1)
        for i in range(0, len(rows), _CHUNK):
            self._upsert(t.units, rows[i:i + _CHUNK], ["id"])
        for i in range(0, len(keys), _CHUNK):
            self._upsert(t.unit_keys, keys[i:i + _CHUNK], ["unit_id", "scheme"])

    def upsert_indicators(self, indicators: Sequence[Indicator]) -> None:
        rows = [dict(id=i.id, name_de=i.name_de, name_en=i.name_en,
                     definition_de=i.definition_de, definition_en=i.definition_en,
                     unit=i.unit, numerator=i.numerator, denominator=i.denominator,
                     polarity=int(i.polarity), sector=i.sector, life_phase=i.life_phase,
                     aggregation=i.aggregation.value, scale=float(i.scale), source=i.source,
                     licence=i.licence, update_interval=i.update_interval,
                     disclosure_rule=i.disclosure_rule, decimals=int(i.decimals))
                for i in indicators]
        if rows:
            self._upsert(t.indicators, rows, ["id"])

    def delete_observations_of(self, dataset_ids: Sequence[int]) -> int:
        if not dataset_ids:
            return 0
        result = self.conn.execute(delete(t.observations).where(
            t.observations.c.dataset_id.in_(list(dataset_ids))))
        return int(result.rowcount or 0)

    def delete_observations(self, indicator_ids: Sequence[str], periods: Sequence[str]) -> int:
        """Remove every observation of these indicators in these periods (all levels)."""
        if not indicator_ids or not periods:
            return 0
        result = self.conn.execute(delete(t.observations).where(and_(
            t.observations.c.indicator_id.in_(list(indicator_ids)),
            t.observations.c.period.in_(list(periods)))))
        return int(result.rowcount or 0)

    def upsert_observations(self, frame: pd.DataFrame, *, progress: Any = None) -> int:
        """Insert or replace observations (key: indicator, unit, period)."""
        cols = ["indicator_id", "unit_id", "period", "value", "numerator", "denominator",
                "status", "lower", "upper", "dataset_id", "method", "params"]
        data = frame.reindex(columns=cols)
        data = data.astype(object).where(pd.notna(data), None)
        records: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()} for r in data.to_dict("records")]
        for i in range(0, len(records), _CHUNK):
            self._upsert(t.observations, records[i:i + _CHUNK],
                         ["indicator_id", "unit_id", "period"])
            if progress is not None:
                progress(min(i + _CHUNK, len(records)))
        return len(records)

    def replace_members(self, programme: str, members: Sequence[Member]) -> None:
        """The member list of a programme, replaced as a whole."""
        self.conn.execute(delete(t.members).where(t.members.c.programme == programme))
        rows = [dict(unit_id=m.unit_id, name=m.name, programme=m.programme, joined=m.joined,
                     left=m.left, source=m.source, dataset_id=m.dataset_id) for m in members]
        if rows:
            self.conn.execute(t.members.insert(), rows)

    def replace_funding(self, programme: str, rows: pd.DataFrame, dataset_id: int) -> None:
        """The funding ledger of a programme, replaced as a whole."""
        self.conn.execute(delete(t.funding).where(t.funding.c.programme == programme))
        records = [dict(unit_id=r["unit_id"], programme=programme, year=int(r["year"]),
                        source=r["source"], amount=float(r["amount"]),
                        note=r.get("note", "") or "", dataset_id=dataset_id)
                   for r in rows.to_dict("records")]
        if records:
            self.conn.execute(t.funding.insert(), records)

    def level_observations(self, indicator_id: str, level: str) -> pd.DataFrame:
        """Observations of one indicator on one level, read inside this transaction."""
        o = t.observations
        q = (select(o.c.unit_id, o.c.period, o.c.value, o.c.numerator, o.c.denominator,
                    o.c.status)
             .join(t.units, t.units.c.id == o.c.unit_id)
             .where(o.c.indicator_id == indicator_id, t.units.c.level == level))
        frame = pd.DataFrame(self.conn.execute(q).all(),
                             columns=["unit_id", "period", "value", "numerator",
                                      "denominator", "status"])
        for col in ("value", "numerator", "denominator"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def imported_keys(self, indicator_id: str, unit_ids: Sequence[str]) -> pd.MultiIndex:
        """(unit, period) pairs of an indicator that came from an import, not aggregation."""
        o = t.observations
        rows: list[tuple[str, str]] = []
        for i in range(0, len(unit_ids), 900):
            q = select(o.c.unit_id, o.c.period).where(
                o.c.indicator_id == indicator_id, o.c.unit_id.in_(list(unit_ids[i:i + 900])),
                o.c.method.is_(None) | (o.c.method != "aggregate_up"))
            rows.extend((str(u), str(p)) for u, p in self.conn.execute(q))
        return pd.MultiIndex.from_tuples(rows, names=["unit_id", "period"])

    # -- dialect hook -----------------------------------------------------------------
    def _upsert(self, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
        if not rows:
            return
        if self.conn.dialect.name == "postgresql":
            stmt: Any = postgresql.insert(table)
        else:
            stmt = sqlite.insert(table)
        updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        if updates:
            stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        try:
            self.conn.execute(stmt, rows)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Schreiben in Tabelle '{table.name}' fehlgeschlagen: "
                f"{getattr(exc, 'orig', exc)}. Es wurde nichts gespeichert.",
                message_en=f"Writing table '{table.name}' failed: "
                f"{getattr(exc, 'orig', exc)}. Nothing was stored.") from exc


def _bounds(wkb: bytes | None) -> tuple[float | None, ...]:
    if wkb is None:
        return (None, None, None, None)
    import shapely

    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return (None, None, None, None)
    return tuple(float(v) for v in geom.bounds)


def _unit_from_row(row: Any, keys: dict[str, str]) -> Unit:
    m = row._mapping
    return Unit(id=m["id"], name=m["name"], level=m["level"], parent_id=m["parent_id"],
                geometry=m.get("geometry"), valid_from=m["valid_from"], valid_to=m["valid_to"],
                arisen_from=json.loads(m["arisen_from"] or "[]"), keys=keys,
                dataset_id=m["dataset_id"])


def _dataset_from_row(r: Any) -> Dataset:
    return Dataset(id=r.id, name=r.name, kind=r.kind, revision=r.revision, file=r.file,
                   sha256=r.sha256, licence=r.licence, source=r.source, user=r.user_name,
                   rows=r.rows, imported_at=r.imported_at, details=json.loads(r.details))
