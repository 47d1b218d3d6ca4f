"""Write operations on one open transaction (see :meth:`SqlStore.transaction`).

Every method writes inside the caller's transaction: an import lands whole or not at
all.  A method that changed data marks the writer as ``changed``; the store then counts
the transaction in ``data_version`` when it commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from kekiz.domain.cooperation import Network
from kekiz.domain.deletion import DeletionPlan
from kekiz.domain.directory import Directory
from kekiz.domain.errors import NotFound, StoreError
from kekiz.domain.goals import Leitbild
from kekiz.domain.model import OBSERVATION_COLUMNS, Dataset, Indicator, Level, Member, Unit
from kekiz.domain.streets import StreetEntry, normalise_street
from kekiz.storage import cooperation as coop_sql
from kekiz.storage import deletion
from kekiz.storage import services as services_sql
from kekiz.storage.auth import SqlAuthWriter, audit_dataset, audit_dataset_rows
from kekiz.storage.db import Conn

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OBSERVATION_COLUMNS", "SqlWriter"]

_CHUNK = 5000
_INDICATOR_COLUMNS = ("id", "name_de", "name_en", "definition_de", "definition_en", "unit",
                      "numerator", "denominator", "polarity", "sector", "life_phase",
                      "aggregation", "scale", "source", "licence", "update_interval",
                      "disclosure_rule", "decimals", "private_to", "private_state")


class SqlWriter:
    """One open write transaction (see :class:`kekiz.storage.protocol.Writer`)."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self.changed = False
        self._auth = SqlAuthWriter(conn, self._touch)

    @property
    def auth(self) -> SqlAuthWriter:
        return self._auth

    def _touch(self) -> None:
        self.changed = True

    def _date(self, value: date | None) -> Any:
        return self._conn.dialect.date_in(value)

    # -- levels and datasets ------------------------------------------------------------
    def ensure_levels(self, levels: Iterable[Level]) -> None:
        self._upsert("levels", [dict(id=lv.id, name_de=lv.name_de, name_en=lv.name_en,
                                     rank=lv.rank) for lv in levels], ["id"])

    def define_levels(self, levels: Iterable[Level]) -> None:
        """Store a municipality's own levels with their hierarchy and plural names."""
        self._upsert("levels", [dict(id=lv.id, name_de=lv.name_de, name_en=lv.name_en,
                                     rank=lv.rank, parent_id=lv.parent_id,
                                     municipality=lv.municipality, plural_de=lv.plural_de,
                                     plural_en=lv.plural_en) for lv in levels], ["id"])

    def add_dataset(self, ds: Dataset) -> Dataset:
        """Record a dataset; a dataset of the same name becomes its next revision."""
        last = self._conn.scalar("SELECT MAX(revision) FROM datasets WHERE name = ?",
                                 (ds.name,))
        ds.revision = int(last or 0) + 1
        if ds.private_to is None and last is not None:  # a new revision keeps the mark
            mark = self._conn.all("SELECT private_to, private_state FROM datasets "
                                  "WHERE name = ? AND revision = ?", (ds.name, int(last)))
            if mark and mark[0][0] is not None:
                ds.private_to, ds.private_state = str(mark[0][0]), bool(mark[0][1])
        ds.imported_at = ds.imported_at or datetime.now(UTC)
        ds.id = self._conn.insert(
            'INSERT INTO datasets (name, kind, revision, file, sha256, licence, source, '
            'user_name, "rows", imported_at, details, private_to, private_state) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ds.name, ds.kind, ds.revision, ds.file, ds.sha256, ds.licence, ds.source,
             ds.user, ds.rows, self._conn.dialect.datetime_in(ds.imported_at),
             json.dumps(ds.details, ensure_ascii=False, sort_keys=True, default=str),
             ds.private_to, bool(ds.private_state)))
        self._touch()
        audit_dataset(self._conn, ds)  # every import lands in the audit log
        return ds

    def set_dataset_rows(self, dataset_id: int, rows: int) -> None:
        if self._conn.run('UPDATE datasets SET "rows" = ? WHERE id = ?', (rows, dataset_id)):
            self._touch()
        audit_dataset_rows(self._conn, dataset_id, rows)

    def previous_revisions(self, name: str, current_id: int) -> list[int]:
        return [int(r[0]) for r in self._conn.all(
            "SELECT id FROM datasets WHERE name = ? AND id <> ?", (name, current_id))]

    # -- units and indicators -------------------------------------------------------------
    def upsert_units(self, units: Sequence[Unit]) -> None:
        rows: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for u in units:
            bounds = _bounds(u.geometry)
            rows.append(dict(id=u.id, name=u.name, level=u.level, parent_id=u.parent_id,
                             geometry=u.geometry, minx=bounds[0], miny=bounds[1],
                             maxx=bounds[2], maxy=bounds[3],
                             valid_from=self._date(u.valid_from),
                             valid_to=self._date(u.valid_to),
                             arisen_from=json.dumps(u.arisen_from), dataset_id=u.dataset_id))
            keys.extend(dict(unit_id=u.id, scheme=s, key=k) for s, k in u.keys.items())
        # parents before children: a unit may name a parent in the same batch
        rows.sort(key=lambda r: 0 if r["parent_id"] is None else 1)
        for i in range(0, len(rows), _CHUNK):
            self._upsert("units", rows[i:i + _CHUNK], ["id"])
        for i in range(0, len(keys), _CHUNK):
            self._upsert("unit_keys", keys[i:i + _CHUNK], ["unit_id", "scheme"])

    def upsert_indicators(self, indicators: Sequence[Indicator]) -> None:
        """Insert or replace indicators.  A private mark stays when the new row carries
        none: only :meth:`set_private` makes a private indicator public (issue #20)."""
        indicators = self._keep_marks(indicators)
        rows = [dict(zip(_INDICATOR_COLUMNS, (
            i.id, i.name_de, i.name_en, i.definition_de, i.definition_en, i.unit, i.numerator,
            i.denominator, int(i.polarity), i.sector, i.life_phase, i.aggregation.value,
            float(i.scale), i.source, i.licence, i.update_interval, i.disclosure_rule,
            int(i.decimals), i.private_to, bool(i.private_state)), strict=True))
            for i in indicators]
        self._upsert("indicators", rows, ["id"])

    def _keep_marks(self, indicators: Sequence[Indicator]) -> list[Indicator]:
        public = [i.id for i in indicators if i.private_to is None]
        if not public:
            return list(indicators)
        cond, params = self._conn.dialect.any_of("id", public)
        marks = {str(r[0]): (str(r[1]), bool(r[2])) for r in self._conn.all(
            f"SELECT id, private_to, private_state FROM indicators WHERE {cond} "
            "AND private_to IS NOT NULL", params)}
        return [replace(i, private_to=marks[i.id][0], private_state=marks[i.id][1])
                if i.id in marks else i for i in indicators]

    def set_private(self, kind: str, key: str, private_to: str | None,
                    private_state: bool) -> tuple[str | None, bool]:
        """Mark an indicator (``kind`` ``indicator``, ``key`` its id) or a dataset (its
        name: every revision) private to ``private_to`` (None: public); the mark before."""
        table, column = {"indicator": ("indicators", "id"),
                         "dataset": ("datasets", "name")}[kind]
        before = self._conn.all(f"SELECT private_to, private_state FROM {table} "
                                f"WHERE {column} = ?", (key,))
        if not before:
            what = ("Indikator", "indicator") if kind == "indicator" else \
                ("Datensatz", "dataset")
            raise NotFound(f"Unbekannter {what[0]} '{key}'.",
                           message_en=f"Unknown {what[1]} '{key}'.")
        self._conn.run(f"UPDATE {table} SET private_to = ?, private_state = ? "
                       f"WHERE {column} = ?",
                       (private_to, bool(private_state and private_to), key))
        self._touch()
        first = before[0]
        return (None if first[0] is None else str(first[0])), bool(first[1])

    # -- observations -----------------------------------------------------------------------
    def delete_observations_of(self, dataset_ids: Sequence[int]) -> int:
        if not dataset_ids:
            return 0
        cond, params = self._conn.dialect.any_of("dataset_id", [int(i) for i in dataset_ids])
        return self._delete(f"DELETE FROM observations WHERE {cond}", params)

    def delete_observations(self, indicator_ids: Sequence[str],
                            periods: Sequence[str]) -> int:
        """Remove every observation of these indicators in these periods, on all levels
        (a table is replaced as a whole, never mixed with an older one)."""
        if not indicator_ids or not periods:
            return 0
        d = self._conn.dialect
        by_ind, p1 = d.any_of("indicator_id", [str(i) for i in indicator_ids])
        by_period, p2 = d.any_of("period", [str(p) for p in periods])
        return self._delete(f"DELETE FROM observations WHERE {by_ind} AND {by_period}",
                            [*p1, *p2])

    def _delete(self, sql: str, params: Sequence[Any]) -> int:
        removed = self._conn.run(sql, params)
        if removed:
            self._touch()
        return removed

    def upsert_observations(self, frame: pd.DataFrame, *,
                            progress: Callable[[int], Any] | None = None) -> int:
        """Insert or replace observations (key: indicator, unit, period)."""
        records = _records(frame, OBSERVATION_COLUMNS)
        for i in range(0, len(records), _CHUNK):
            self._upsert("observations", records[i:i + _CHUNK],
                         ["indicator_id", "unit_id", "period"])
            if progress is not None:
                progress(min(i + _CHUNK, len(records)))
        return len(records)

    def level_observations(self, indicator_id: str, level: str) -> pd.DataFrame:
        """Observations of one indicator on one level, read inside this transaction."""
        import pandas as pd

        cols = ["unit_id", "period", "value", "numerator", "denominator", "status",
                "dataset_id"]
        rows = self._conn.all(
            'SELECT o.unit_id, o.period, o."value", o.numerator, o.denominator, o.status, '
            "o.dataset_id "
            "FROM observations o JOIN units u ON u.id = o.unit_id "
            "WHERE o.indicator_id = ? AND u.level = ?", (indicator_id, level))
        frame = pd.DataFrame(rows, columns=cols)
        for col in ("value", "numerator", "denominator"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def imported_keys(self, indicator_id: str, unit_ids: Sequence[str]) -> pd.MultiIndex:
        """(unit, period) pairs of an indicator that came from an import, not aggregation."""
        import pandas as pd

        cond, params = self._conn.dialect.any_of("unit_id", [str(u) for u in unit_ids])
        rows = self._conn.all(
            f"SELECT unit_id, period FROM observations WHERE indicator_id = ? AND {cond} "
            "AND (method IS NULL OR method <> 'aggregate_up')", [indicator_id, *params])
        return pd.MultiIndex.from_tuples([(str(u), str(p)) for u, p in rows],
                                         names=["unit_id", "period"])

    def apply_deletion(self, plan: DeletionPlan) -> int:
        """Remove the rows of a deletion plan; the number of rows removed."""
        removed = deletion.apply(self._conn, plan)
        if removed:
            self._touch()
        return removed

    def replaced_values(self, frame: pd.DataFrame, dataset_name: str) -> dict[str, int]:
        """Of the values in ``frame`` (indicator_id, unit_id, period), how many are held
        now by datasets of another name: dataset name -> number."""
        if frame.empty:
            return {}
        keys = {(str(i), str(u), str(p)) for i, u, p in frame[
            ["indicator_id", "unit_id", "period"]].itertuples(index=False)}
        cond, params = self._conn.dialect.any_of(
            "o.indicator_id", sorted({k[0] for k in keys}))
        out: dict[str, int] = {}
        for ind, unit, period, name in self._conn.all(
                "SELECT o.indicator_id, o.unit_id, o.period, d.name FROM observations o "
                f"JOIN datasets d ON d.id = o.dataset_id WHERE {cond} AND d.name <> ?",
                [*params, dataset_name]):
            if (ind, unit, period) in keys:
                out[str(name)] = out.get(str(name), 0) + 1
        return out

    # -- state network ------------------------------------------------------------------------
    def replace_members(self, programme: str, members: Sequence[Member]) -> None:
        """The member list of a programme, replaced as a whole."""
        self._delete("DELETE FROM members WHERE programme = ?", (programme,))
        self._insert("members", ["unit_id", "name", "programme", "joined", "left", "source",
                                 "dataset_id"],
                     [(m.unit_id, m.name, m.programme, self._date(m.joined),
                       self._date(m.left), m.source, m.dataset_id) for m in members])

    def replace_funding(self, programme: str, rows: pd.DataFrame, dataset_id: int) -> None:
        """The funding ledger of a programme, replaced as a whole."""
        self._delete("DELETE FROM funding WHERE programme = ?", (programme,))
        self._insert("funding", ["unit_id", "programme", "year", "source", "amount", "note",
                                 "dataset_id"],
                     [(r["unit_id"], programme, int(r["year"]), r["source"],
                       float(r["amount"]), r.get("note", "") or "", dataset_id)
                      for r in rows.to_dict("records")])

    # -- service directory, cooperation, Leitbild --------------------------------------------
    def replace_directory(self, directory: Directory, dataset_id: int) -> int:
        name = self._conn.scalar("SELECT name FROM datasets WHERE id = ?", (dataset_id,))
        previous = self.previous_revisions(str(name), dataset_id)
        self._touch()
        return services_sql.replace_directory(self._conn, directory, dataset_id, previous)

    def delete_directory(self, dataset_ids: Sequence[int]) -> int:
        removed = services_sql.delete_directory(self._conn, dataset_ids)
        if removed:
            self._touch()
        return removed

    def replace_wave(self, net: Network, *, label: str = "", first_date: date | None = None,
                     last_date: date | None = None, synthetic: bool = False,
                     dataset_id: int | None = None) -> None:
        """Store a survey wave, replacing an earlier import of the same wave."""
        coop_sql.replace_wave(self._conn, net, label=label, first_date=first_date,
                              last_date=last_date, synthetic=synthetic, dataset_id=dataset_id)
        self._touch()

    def replace_leitbild(self, lb: Leitbild, dataset_id: int | None = None) -> None:
        """Store a Leitbild, replacing an earlier import with the same id."""
        coop_sql.replace_leitbild(self._conn, lb, dataset_id)
        self._touch()

    def delete_leitbild(self, leitbild_id: str) -> None:
        coop_sql.delete_leitbild(self._conn, leitbild_id)
        self._touch()

    # -- street directory ---------------------------------------------------------------------
    def replace_streets(self, entries: Sequence[StreetEntry], dataset_id: int) -> int:
        """The street directory, replaced as a whole by the sections of one import."""
        self._delete("DELETE FROM streets", ())
        rows = [e.row for e in entries]  # the file's rows, where they tell them apart
        seqs = rows if len(set(rows)) == len(rows) else list(range(len(entries)))
        self._insert("streets", ["dataset_id", "seq", "street", "street_key", "number_first",
                                 "number_last", "side", "postcode", "unit_id", "lat", "lon"],
                     [(dataset_id, k, e.street, normalise_street(e.street), e.first, e.last, e.side,
                       e.postcode, e.unit_id, e.lat, e.lon) for k, e in zip(seqs, entries,
                                                                          strict=True)])
        return len(entries)

    # -- plain inserts and upserts -------------------------------------------------------------
    def _insert(self, table: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in cols)
        self._conn.many(f"INSERT INTO {table} ({names}) VALUES "
                        f"({', '.join('?' for _ in cols)})", rows)
        self._touch()

    def _upsert(self, table: str, rows: list[dict[str, Any]], keys: list[str]) -> None:
        """Insert ``rows``, replacing the rows with equal ``keys`` (all rows have the same
        columns)."""
        if not rows:
            return
        cols = list(rows[0])
        names = ", ".join(f'"{c}"' for c in cols)
        updates = [f'"{c}" = excluded."{c}"' for c in cols if c not in keys]
        action = f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
        sql = (f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in cols)}) "
               f"ON CONFLICT ({', '.join(keys)}) {action}")
        try:
            self._conn.many(sql, [tuple(r[c] for c in cols) for r in rows])
        except self._conn.dialect.error as exc:
            raise StoreError(
                f"Schreiben in Tabelle '{table}' fehlgeschlagen: {exc}. Es wurde nichts "
                "gespeichert.",
                message_en=f"Writing table '{table}' failed: {exc}. Nothing was stored.",
            ) from exc
        self._touch()


def _records(frame: pd.DataFrame, cols: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of plain Python values (missing -> None)."""
    data = frame.reindex(columns=list(cols))
    columns = []
    for col in cols:
        series = data[col].astype(object)
        values = series.where(series.notna(), None).tolist()
        if col == "dataset_id":
            values = [None if v is None else int(v) for v in values]
        columns.append(values)
    return [dict(zip(cols, row, strict=True)) for row in zip(*columns, strict=True)]


def _bounds(wkb: bytes | None) -> tuple[float | None, ...]:
    if wkb is None:
        return (None, None, None, None)
    import shapely

    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return (None, None, None, None)
    return tuple(float(v) for v in geom.bounds)
