"""Stores made by earlier kekiz versions stay readable (SQLite and PostgreSQL).

Earlier versions wrote through SQLAlchemy; these tests write rows with SQLAlchemy and
read them with the store, write with the store and read with SQLAlchemy, compare the
stored SQLite text of dates and times byte for byte, and upgrade a store of schema
``0006`` to ``0007`` with its data kept.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from kekiz.domain.accounts import Role
from kekiz.domain.errors import SchemaVersionError
from kekiz.domain.model import Dataset, Member, Unit
from kekiz.storage import open_store
from kekiz.storage import schema as t
from kekiz.storage import schema_auth as a
from kekiz.storage import schema_cooperation as c
from kekiz.storage.migrate import upgrade
from kekiz.storage.url import parse_url
from tests.sql import connect

WHEN = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def test_rows_written_by_sqlalchemy_read_back(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with connect(store_url, write=True) as conn:
            ds_id = conn.execute(insert(t.datasets).values(
                name="alt", kind="boundaries", revision=1, imported_at=WHEN,
                details='{"a": 1}')).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(insert(t.units).values(id="x", name="X", level="gemeinde",
                                                valid_from=date(2020, 2, 29),
                                                dataset_id=ds_id))
            conn.execute(insert(t.members).values(unit_id="x", name="X", programme="p",
                                                  joined=date(2017, 1, 1),
                                                  left=date(2019, 12, 31)))
            conn.execute(insert(a.users).values(name="u", password_hash="h", role="admin",
                                                active=True, created=WHEN))
            conn.execute(insert(c.coop_waves).values(wave=1, synthetic=True,
                                                     first_date=date(2024, 3, 1)))
        [ds] = store.datasets()
        assert (ds.imported_at, ds.details, ds.private_to, ds.private_state) == (
            WHEN, {"a": 1}, None, False)
        assert store.unit("x").valid_from == date(2020, 2, 29)
        [m] = store.members()
        assert (m.joined, m.left) == (date(2017, 1, 1), date(2019, 12, 31))
        [user] = store.auth.users()
        assert (user.active, user.created) == (True, WHEN)
        [wave] = store.cooperation_waves()
        assert (wave["synthetic"], wave["first_date"]) == (True, date(2024, 3, 1))
    finally:
        store.dispose()


def test_rows_written_by_the_store_read_by_sqlalchemy(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with store.transaction() as tx:
            tx.add_dataset(Dataset(name="neu", kind="members", imported_at=WHEN))
            tx.upsert_units([Unit("x", "X", "gemeinde", valid_to=date(2020, 12, 31))])
            tx.replace_members("p", [Member("x", "X", "p", date(2017, 1, 1))])
            tx.auth.add_user("u", "h", Role.VIEWER, "x")
        with connect(store_url) as conn:
            imported = conn.execute(select(t.datasets.c.imported_at)).scalar_one()
            valid_to = conn.execute(select(t.units.c.valid_to)).scalar_one()
            joined = conn.execute(select(t.members.c.joined)).scalar_one()
            active = conn.execute(select(a.users.c.active)).scalar_one()
        # SQLAlchemy hands SQLite times back naive (they are stored in UTC)
        assert imported.replace(tzinfo=imported.tzinfo or UTC) == WHEN
        assert (valid_to, joined, active) == (date(2020, 12, 31), date(2017, 1, 1), True)
    finally:
        store.dispose()


def test_sqlite_text_is_what_sqlalchemy_wrote(tmp_path: Path) -> None:
    """The same values through SQLAlchemy and through the store: the same bytes."""
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    try:
        with connect(url, write=True) as conn:
            conn.execute(insert(t.datasets).values(name="sa", kind="k", revision=1,
                                                   imported_at=WHEN, details="{}"))
            conn.execute(insert(t.units).values(id="sa", name="S", level="gemeinde",
                                                valid_from=date(2021, 1, 1)))
            conn.execute(insert(a.users).values(name="sa", password_hash="h", role="admin",
                                                active=True, created=WHEN))
        with store.transaction() as tx:
            tx.add_dataset(Dataset(name="kz", kind="k", imported_at=WHEN))
            tx.upsert_units([Unit("kz", "K", "gemeinde", valid_from=date(2021, 1, 1))])
            tx.auth.add_user("kz", "h", Role.ADMIN, None)
    finally:
        store.dispose()
    with sqlite3.connect(tmp_path / "k.db") as raw:
        times = raw.execute("SELECT name, imported_at, typeof(imported_at) FROM datasets "
                            "ORDER BY name").fetchall()
        dates = raw.execute("SELECT id, valid_from, typeof(valid_from) FROM units "
                            "ORDER BY id").fetchall()
        flags = raw.execute("SELECT name, active, typeof(active) FROM users "
                            "ORDER BY name").fetchall()
    raw.close()
    assert times == [("kz", "2024-05-06 07:08:09.123456", "text"),
                     ("sa", "2024-05-06 07:08:09.123456", "text")]
    assert dates == [("kz", "2021-01-01", "text"), ("sa", "2021-01-01", "text")]
    assert flags == [("kz", 1, "integer"), ("sa", 1, "integer")]


def test_a_store_of_schema_0006_is_upgraded_with_its_data(store_url: str) -> None:
    upgrade(parse_url(store_url), "0006")
    with connect(store_url, write=True) as conn:
        conn.exec_driver_sql(
            "INSERT INTO indicators (id, name_de, name_en, definition_de, definition_en, "
            "unit, numerator, denominator, polarity, sector, life_phase, aggregation, "
            "scale, source, licence, update_interval, disclosure_rule, decimals) VALUES "
            "('alt', 'Alt', 'Old', '', '', '', '', '', 0, 'general', 'all', 'none', 1.0, "
            "'', '', '', '', 1)")
    with pytest.raises(SchemaVersionError, match="Schema-Version 0006, diese kekiz-Version "
                                                 "braucht 0010"):
        open_store(store_url)
    store = open_store(store_url, check=False)
    try:
        store.upgrade()
        assert store.schema_version() == "0010"
        [ind] = store.indicators()
        assert (ind.id, ind.private_to, ind.private_state) == ("alt", None, False)
        assert store.data_version() == 1  # the levels seeded after the upgrade
    finally:
        store.dispose()
    open_store(store_url).dispose()  # the check passes now
