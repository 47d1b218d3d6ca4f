"""The store on SQLite (default) and PostgreSQL, in plain SQL over the DB-API drivers.

``open_store(url)`` returns a :class:`SqlStore` (the :class:`~kekiz.storage.protocol.Store`
protocol).  Reads go through the store; every write happens inside
``with store.transaction() as tx:`` so that an import lands whole or not at all.  The
read path imports neither SQLAlchemy, Alembic nor pandas: pandas only where a method
returns a frame, the migrations only to create or upgrade a store.

``store.scoped(scope)`` is a view over the same connections whose reads apply a
:class:`~kekiz.domain.accounts.ReadScope` in SQL: private indicators, datasets and their
observations only for their owner (or the state office when the owner allows it), and,
when the scope names units, only those units with their values, members and funding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kekiz.domain.accounts import ReadScope
from kekiz.domain.errors import NotFound, SchemaVersionError, StoreError
from kekiz.domain.model import (
    DEFAULT_LEVELS,
    OBSERVATION_COLUMNS,
    Dataset,
    Indicator,
    Level,
    Member,
    Unit,
)
from kekiz.domain.streets import StreetEntry
from kekiz.storage import migrate
from kekiz.storage.auth import SqlAuthStore
from kekiz.storage.db import Conn, Database, Row
from kekiz.storage.dialect import Dialect, dialect_for
from kekiz.storage.url import parse_url, safe_url

if TYPE_CHECKING:
    import pandas as pd

    from kekiz.domain.cooperation import Network
    from kekiz.domain.deletion import DeletionPlan
    from kekiz.domain.directory import Directory, ServiceDataset
    from kekiz.domain.goals import Leitbild
    from kekiz.storage.protocol import Store
    from kekiz.storage.writer import SqlWriter

__all__ = ["DEFAULT_STORE_URL", "SqlStore", "open_store"]

DEFAULT_STORE_URL = "sqlite:///kekiz.db"
T = TypeVar("T")
_UNIT_COLUMNS = ("id", "name", "level", "parent_id", "valid_from", "valid_to", "arisen_from",
                 "dataset_id")
_INDICATOR_COLUMNS = ("id", "name_de", "name_en", "definition_de", "definition_en", "unit",
                      "numerator", "denominator", "polarity", "sector", "life_phase",
                      "aggregation", "scale", "source", "licence", "update_interval",
                      "disclosure_rule", "decimals", "private_to", "private_state")
_DATASET_COLUMNS = ('id, name, kind, revision, file, sha256, licence, source, user_name, '
                    '"rows", imported_at, details, private_to, private_state')
_BUMP = "UPDATE meta SET value = value + 1 WHERE name = 'data_version'"


def open_store(url: str = DEFAULT_STORE_URL, *, create: bool = True,
               check: bool = True) -> Store:
    """Open (and with ``create`` initialise or check) the store at ``url``.

    ``sqlite:///path.db`` (default) or ``postgresql+psycopg://user@host/db``.  An empty
    database is initialised when ``create`` is true; a database at another schema
    version raises :class:`SchemaVersionError` with the command that upgrades it.
    """
    parsed = parse_url(url)
    store = SqlStore(Database(url, dialect_for(parsed)), url)
    if not check:  # only for 'kekiz init --upgrade', which migrates right after
        return store
    try:
        store.check_schema(create=create)
    except BaseException:
        store.dispose()
        raise
    return store


class _Where:
    """The conditions of one query, with their parameters in placeholder order."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def any_of(self, column: str, values: Sequence[Any]) -> None:
        sql, params = self.dialect.any_of(column, list(values))
        self.add(sql, *params)

    def __str__(self) -> str:
        return " WHERE " + " AND ".join(self.parts) if self.parts else ""


class SqlStore:
    """Reads in domain terms; writes only through :meth:`transaction`."""

    def __init__(self, db: Database, url: str, scope: ReadScope | None = None) -> None:
        self._db = db
        self.url = url
        self._scope = scope
        self._auth = SqlAuthStore(db, db.transaction)

    @property
    def scope(self) -> ReadScope | None:
        return self._scope

    @property
    def auth(self) -> SqlAuthStore:
        return self._auth

    def safe_url(self) -> str:
        """The store's address without its password (for messages and logs)."""
        return safe_url(self.url)

    def _read(self, fn: Callable[[Conn], T]) -> T:
        return self._db.read(fn)

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._db.read(lambda c: c.all(sql, params))

    def _where(self) -> _Where:
        return _Where(self._db.dialect)

    # -- schema, version, views, transactions -----------------------------------------------
    def schema_version(self) -> str | None:
        def read(c: Conn) -> str | None:
            if "alembic_version" not in c.tables():
                return None
            version = c.scalar("SELECT version_num FROM alembic_version")
            return None if version is None else str(version)

        return self._read(read)

    def check_schema(self, *, create: bool) -> None:
        current = self.schema_version()
        head, url = migrate.SCHEMA_HEAD, self.safe_url()
        if current == head:
            return
        if current is None:
            if self._read(lambda c: c.tables()):
                raise SchemaVersionError(
                    f"Die Datenbank {url} enthält Tabellen, aber kein kekiz-Schema. "
                    "Bitte eine leere Datenbank angeben.",
                    message_en=f"The database {url} holds tables but no kekiz schema. "
                    "Please give an empty database.")
            if not create:
                raise StoreError(
                    f"Der Store {url} ist leer. Abhilfe: 'kekiz init' ausführen.",
                    message_en=f"The store {url} is empty. Fix: run 'kekiz init'.")
            self.upgrade()
            return
        raise SchemaVersionError(
            f"Der Store {url} hat Schema-Version {current}, diese kekiz-Version braucht "
            f"{head}. Abhilfe: 'kekiz init --upgrade' (vorher sichern).",
            message_en=f"The store {url} is at schema version {current}; this kekiz "
            f"needs {head}. Fix: run 'kekiz init --upgrade' (back up first).")

    def upgrade(self) -> None:
        """Run all migrations up to the current schema, then seed the levels."""
        migrate.upgrade(parse_url(self.url))
        self._db.invalidate()  # connections opened before may hold the old schema
        with self.transaction() as tx:
            tx.ensure_levels(DEFAULT_LEVELS)

    def data_version(self) -> int:
        """A counter that grows with every write transaction that changed data."""
        value = self._read(lambda c: c.scalar(
            "SELECT value FROM meta WHERE name = 'data_version'"))
        return int(value or 0)

    # -- derived results (not data: never changes the data version) ---------------------------
    def derived_get(self, name: str, key: str, version: int) -> bytes | None:
        """The stored result ``name``/``key`` computed at data version ``version``."""
        row = self._read(lambda c: c.one(
            "SELECT payload FROM derived_cache WHERE name = ? AND key = ? "
            "AND data_version = ?", (name, key, version)))
        return None if row is None else bytes(row[0])

    def derived_put(self, name: str, key: str, version: int, payload: bytes) -> None:
        """Keep a result computed at data version ``version``; drops the results of older
        data versions.  Does not change :meth:`data_version` (no data changes)."""
        with self._db.transaction() as c:
            c.run("DELETE FROM derived_cache WHERE data_version < ? "
                  "OR (name = ? AND key = ?)", (version, name, key))
            c.run("INSERT INTO derived_cache (name, key, data_version, payload) "
                  "VALUES (?, ?, ?, ?)", (name, key, version, payload))

    def scoped(self, scope: ReadScope) -> SqlStore:
        """A view of this store (sharing its connections) that reads within ``scope``."""
        return SqlStore(self._db, self.url, scope)

    @contextmanager
    def transaction(self) -> Iterator[SqlWriter]:
        """All writes of one import: committed together or rolled back together."""
        from kekiz.storage.writer import SqlWriter  # loaded when writing (start-up)

        with self._db.transaction() as conn:
            writer = SqlWriter(conn)
            yield writer
            if writer.changed:
                conn.run(_BUMP)

    def dispose(self) -> None:
        """Close the idle connections (a scoped view leaves them to its store)."""
        if self._scope is None:
            self._db.dispose()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every kekiz table, sorted: to compare a store before and after
        (not the derived results kept for reading: they are not data)."""
        def read(c: Conn) -> dict[str, list[tuple[Any, ...]]]:
            names = sorted(c.tables() - {"alembic_version", "derived_cache"})
            return {n: sorted(c.all(f'SELECT * FROM "{n}"'), key=repr) for n in names}

        return self._read(read)

    # -- scope conditions ------------------------------------------------------------------------
    def _private_ok(self, alias: str) -> tuple[str, list[Any]]:
        """The condition that a row of ``indicators`` / ``datasets`` is readable."""
        assert self._scope is not None
        parts, params = [f"{alias}.private_to IS NULL"], []
        if self._scope.tenants:
            sql, p = self._db.dialect.any_of(f"{alias}.private_to", sorted(self._scope.tenants))
            parts.append(sql)
            params += p
        if self._scope.state:
            parts.append(f"{alias}.private_state = ?")
            params.append(True)
        return "(" + " OR ".join(parts) + ")", params

    def _dataset_scope(self, w: _Where, column: str) -> None:
        if self._scope is not None:
            ok, params = self._private_ok("sd")
            w.add(f"({column} IS NULL OR {column} IN (SELECT sd.id FROM datasets sd "
                  f"WHERE {ok}))", *params)

    def _observation_scope(self, w: _Where) -> None:
        if self._scope is None:
            return
        ok, params = self._private_ok("si")
        w.add(f"o.indicator_id IN (SELECT si.id FROM indicators si WHERE {ok})", *params)
        self._dataset_scope(w, "o.dataset_id")

    # -- deletion -------------------------------------------------------------------------------
    def deletion_plan(self, kind: str, target: str,
                      indicator: str | None = None) -> DeletionPlan:
        """What deleting a dataset, indicator, unit or period removes (nothing is removed)."""
        from kekiz.storage import deletion  # loaded when used (start-up)

        return self._read(lambda c: deletion.plan(c, kind, target, indicator))

    # -- levels -------------------------------------------------------------------------------
    def levels(self) -> list[Level]:
        rows = self._all('SELECT id, name_de, name_en, "rank", parent_id, municipality, '
                         'plural_de, plural_en FROM levels ORDER BY "rank", id')
        return [Level(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6] or "", r[7] or "")
                for r in rows]

    def level(self, level_id: str) -> Level:
        levels = self.levels()
        for level in levels:
            if level.id == level_id:
                return level
        known = ", ".join(lv.id for lv in levels)
        raise NotFound(f"Unbekannte Ebene '{level_id}'. Bekannt: {known}. Abhilfe: eine "
                       "eigene Ebene mit 'kekiz levels define' anlegen.",
                       message_en=f"Unknown level '{level_id}'. Known: {known}. Fix: declare "
                       "a level of your own with 'kekiz levels define'.")

    # -- units --------------------------------------------------------------------------------
    def units(self, level: str | None = None, parent_id: str | None = None,
              with_geometry: bool = False) -> list[Unit]:
        w = self._where()
        if level is not None:
            w.add("u.level = ?", level)
        if parent_id is not None:
            w.add("u.parent_id = ?", parent_id)
        return self._read(lambda c: self._units(c, w, with_geometry))

    def _units(self, c: Conn, w: _Where, with_geometry: bool) -> list[Unit]:
        names = (*_UNIT_COLUMNS, "geometry") if with_geometry else _UNIT_COLUMNS
        cols = ", ".join(f"u.{n}" for n in names)
        rows = c.all(f"SELECT {cols} FROM units u{w} ORDER BY u.id", w.params)
        keys: dict[str, dict[str, str]] = {}
        for unit_id, scheme, key in c.all(
                'SELECT k.unit_id, k.scheme, k."key" FROM unit_keys k '
                f"JOIN units u ON u.id = k.unit_id{w}", w.params):
            keys.setdefault(unit_id, {})[scheme] = key
        d = c.dialect
        return [Unit(id=r[0], name=r[1], level=r[2], parent_id=r[3],
                     valid_from=d.date_out(r[4]), valid_to=d.date_out(r[5]),
                     arisen_from=json.loads(r[6] or "[]"), keys=keys.get(r[0], {}),
                     dataset_id=r[7], geometry=r[8] if with_geometry else None)
                for r in rows]

    def unit(self, unit_id: str) -> Unit:
        w = self._where()
        w.add("u.id = ?", unit_id)
        found = self._read(lambda c: self._units(c, w, True))
        if found:
            return found[0]
        raise NotFound(f"Unbekannte Einheit '{unit_id}'.",
                       message_en=f"Unknown unit '{unit_id}'.")

    def units_frame(self, level: str | None = None) -> pd.DataFrame:
        """Units without geometry as a frame: id, name, level, parent_id, valid_from ..."""
        import pandas as pd

        w = self._where()
        if level is not None:
            w.add("u.level = ?", level)
        d = self._db.dialect
        rows = self._all("SELECT u.id, u.name, u.level, u.parent_id, u.valid_from, u.valid_to "
                         f"FROM units u{w} ORDER BY u.id", w.params)
        return pd.DataFrame([(*r[:4], d.date_out(r[4]), d.date_out(r[5])) for r in rows],
                            columns=["id", "name", "level", "parent_id", "valid_from",
                                     "valid_to"])

    def geometries(self, level: str) -> pd.DataFrame:
        """id, name, parent_id and WKB geometry of a level's units."""
        import pandas as pd

        w = self._where()
        w.add("u.level = ?", level)
        rows = self._all(f"SELECT u.id, u.name, u.parent_id, u.geometry FROM units u{w} "
                         "ORDER BY u.id", w.params)
        return pd.DataFrame(rows, columns=["id", "name", "parent_id", "geometry"])

    def key_index(self, level: str) -> dict[str, dict[str, str]]:
        """For a level: scheme -> {key -> unit id}, including the unit ids themselves."""
        w = self._where()
        w.add("u.level = ?", level)

        def read(c: Conn) -> dict[str, dict[str, str]]:
            out: dict[str, dict[str, str]] = {"id": {}}
            for scheme, key, unit_id in c.all(
                    'SELECT k.scheme, k."key", k.unit_id FROM unit_keys k '
                    f"JOIN units u ON u.id = k.unit_id{w}", w.params):
                out.setdefault(scheme, {})[key] = unit_id
            for (unit_id,) in c.all(f"SELECT u.id FROM units u{w}", w.params):
                out["id"][unit_id] = unit_id
            return out

        return self._read(read)

    def count_units(self) -> dict[str, int]:
        w = self._where()
        rows = self._all(f"SELECT u.level, COUNT(*) FROM units u{w} GROUP BY u.level",
                         w.params)
        return {str(level): int(n) for level, n in rows}

    def unit_tree(self) -> dict[str, str | None]:
        """unit id -> parent id of every unit."""
        w = self._where()
        return {str(i): p for i, p in self._all(f"SELECT u.id, u.parent_id FROM units u{w}",
                                                 w.params)}

    # -- indicators ---------------------------------------------------------------------------
    def _indicators(self, w: _Where) -> list[Indicator]:
        if self._scope is not None:
            ok, params = self._private_ok("i")
            w.add(ok, *params)
        cols = ", ".join(f"i.{c}" for c in _INDICATOR_COLUMNS)
        rows = self._all(f"SELECT {cols} FROM indicators i{w} ORDER BY i.id", w.params)
        out = []
        for r in rows:
            values = dict(zip(_INDICATOR_COLUMNS, r, strict=True))
            values["private_state"] = bool(values["private_state"])
            out.append(Indicator(**values))
        return out

    def indicators(self) -> list[Indicator]:
        return self._indicators(self._where())

    def indicator(self, indicator_id: str) -> Indicator:
        w = self._where()
        w.add("i.id = ?", indicator_id)
        found = self._indicators(w)
        if not found:
            raise NotFound(f"Unbekannter Indikator '{indicator_id}'. 'kekiz indicators' "
                           "listet die vorhandenen.",
                           message_en=f"Unknown indicator '{indicator_id}'. 'kekiz indicators' "
                           "lists the known ones.")
        return found[0]

    def periods(self) -> dict[str, list[str]]:
        """indicator id -> sorted list of periods with observations."""
        w = self._where()
        self._observation_scope(w)
        out: dict[str, list[str]] = {}
        for ind, period in self._all("SELECT DISTINCT o.indicator_id, o.period "
                                     f"FROM observations o{w} ORDER BY 1, 2", w.params):
            out.setdefault(ind, []).append(period)
        return out

    # -- observations ---------------------------------------------------------------------------
    def observations(self, *, indicator_id: str | Sequence[str] | None = None,
                     unit_ids: Sequence[str] | None = None, level: str | None = None,
                     period: str | Sequence[str] | None = None) -> pd.DataFrame:
        import pandas as pd

        w = self._where()
        join = ""
        if level is not None:
            join = " JOIN units u ON u.id = o.unit_id"
            w.add("u.level = ?", level)
        if indicator_id is not None:
            w.any_of("o.indicator_id",
                     [indicator_id] if isinstance(indicator_id, str) else list(indicator_id))
        if period is not None:
            w.any_of("o.period", [period] if isinstance(period, str) else list(period))
        if unit_ids is not None:
            w.any_of("o.unit_id", list(unit_ids))
        self._observation_scope(w)
        cols = ", ".join(f'o."{c}"' for c in OBSERVATION_COLUMNS)
        rows = self._all(f"SELECT {cols} FROM observations o{join}{w} "
                         "ORDER BY o.indicator_id, o.unit_id, o.period", w.params)
        frame = pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
        for col in ("value", "numerator", "denominator", "lower", "upper"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def count_observations(self) -> int:
        w = self._where()
        self._observation_scope(w)
        return int(self._read(lambda c: c.scalar(
            f"SELECT COUNT(*) FROM observations o{w}", w.params)))

    # -- datasets -------------------------------------------------------------------------------
    def datasets(self) -> list[Dataset]:
        w = self._where()
        if self._scope is not None:
            ok, params = self._private_ok("d")
            w.add(ok, *params)
        d = self._db.dialect
        rows = self._all(f"SELECT {_DATASET_COLUMNS} FROM datasets d{w} ORDER BY d.id",
                         w.params)
        return [Dataset(id=r[0], name=r[1], kind=r[2], revision=r[3], file=r[4], sha256=r[5],
                        licence=r[6], source=r[7], user=r[8], rows=r[9],
                        imported_at=d.datetime_out(r[10]), details=json.loads(r[11]),
                        private_to=r[12], private_state=bool(r[13])) for r in rows]

    # -- members of the state network ------------------------------------------------------------
    def members(self, programme: str | None = None) -> list[Member]:
        w = self._where()
        if programme is not None:
            w.add("m.programme = ?", programme)
        d = self._db.dialect
        rows = self._all('SELECT m.unit_id, m.name, m.programme, m.joined, m."left", m.source, '
                         f"m.dataset_id FROM members m{w} ORDER BY m.joined, m.unit_id",
                         w.params)
        return [Member(unit_id=r[0], name=r[1], programme=r[2],
                       joined=cast(date, d.date_out(r[3])), left=d.date_out(r[4]),
                       source=r[5], dataset_id=r[6]) for r in rows]

    def funding(self, programme: str | None = None) -> pd.DataFrame:
        import pandas as pd

        w = self._where()
        if programme is not None:
            w.add("f.programme = ?", programme)
        rows = self._all("SELECT f.unit_id, f.programme, f.year, f.source, f.amount, f.note "
                         f"FROM funding f{w} ORDER BY f.year, f.unit_id, f.source", w.params)
        frame = pd.DataFrame(rows, columns=["unit_id", "programme", "year", "source",
                                            "amount", "note"])
        frame["amount"] = frame["amount"].astype("float64")
        return frame

    # -- service directory ---------------------------------------------------------------------
    def _visible_datasets(self, column: str) -> tuple[str, list[Any]] | None:
        if self._scope is None:
            return None
        w = self._where()
        self._dataset_scope(w, column)
        return w.parts[0], w.params

    def load_directory(self, dataset_ids: Sequence[int] | None = None) -> Directory:
        """The stored directory (all datasets, or those given), later datasets winning."""
        visible = self._visible_datasets("dataset_id")
        from kekiz.storage import services as services_sql  # loaded when used (start-up)

        return self._read(lambda c: services_sql.load_directory(c, dataset_ids, visible))

    def service_datasets(self) -> list[ServiceDataset]:
        """The datasets that hold services now (earlier revisions are empty), oldest first."""
        visible = self._visible_datasets("d.id")
        from kekiz.storage import services as services_sql

        return self._read(lambda c: services_sql.service_datasets(c, visible))

    # -- street directory ---------------------------------------------------------------------
    def streets(self) -> list[StreetEntry]:
        """The sections of the stored street directory in the order of their file."""
        rows = self._all("SELECT street, number_first, number_last, side, postcode, unit_id, "
                         "lat, lon, seq FROM streets ORDER BY dataset_id, seq")
        return [StreetEntry(str(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]),
                            str(r[5]), None if r[6] is None else float(r[6]),
                            None if r[7] is None else float(r[7]), int(r[8])) for r in rows]

    # -- cooperation network and Leitbild -------------------------------------------------------
    def cooperation_waves(self) -> list[dict[str, Any]]:
        """The stored waves with their label, dates, synthetic flag and counts."""
        from kekiz.storage import cooperation as coop_sql  # loaded when used (start-up)

        return self._read(coop_sql.waves)

    def cooperation_wave(self, wave: int) -> Network:
        from kekiz.storage import cooperation as coop_sql

        return self._read(lambda c: coop_sql.wave(c, wave))

    def leitbild_ids(self) -> list[tuple[str, str, str]]:
        """(id, name, unit id) of every stored Leitbild."""
        from kekiz.storage import cooperation as coop_sql

        return self._read(coop_sql.leitbild_ids)

    def leitbild(self, leitbild_id: str) -> Leitbild:
        from kekiz.storage import cooperation as coop_sql

        return self._read(lambda c: coop_sql.leitbild(c, leitbild_id))
