"""Storage contract: the same tests on SQLite and PostgreSQL (``store_url`` fixture)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import shapely
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kekiz.domain.errors import SchemaVersionError, StoreError
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity, Unit
from kekiz.storage import open_store
from kekiz.storage.migrate import SCHEMA_HEAD, alembic_head
from kekiz.storage.schema import metadata
from tests.sql import connect

SQUARE = shapely.to_wkb(shapely.box(6.9, 50.9, 7.0, 51.0))


def _units() -> list[Unit]:
    return [
        Unit("05315", "Köln", "kreis", geometry=SQUARE, keys={"ags": "05315"}),
        Unit("05315000", "Köln", "gemeinde", parent_id="05315", geometry=SQUARE,
             valid_from=date(2021, 1, 1), keys={"ars": "053150000000", "gvb": "053150000"}),
        Unit("05315000-101", "Altstadt/Süd", "stadtteil", parent_id="05315000",
             arisen_from=["05315000-100"], keys={"local": "101"}),
    ]


def test_schema_matches_tables_and_version(store_url: str) -> None:
    store = open_store(store_url)
    assert store.schema_version() == SCHEMA_HEAD
    with connect(store_url) as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    store.dispose()


def test_schema_head_is_the_newest_migration() -> None:
    """Opening a store compares with SCHEMA_HEAD without importing Alembic: the constant
    must name the newest migration script."""
    assert alembic_head() == SCHEMA_HEAD == "0010"


def test_units_round_trip(store_url: str) -> None:
    store = open_store(store_url)
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="grenzen", kind="boundaries", file="k.geojson",
                                    sha256="ab" * 32, licence="dl-de/by-2-0"))
        units = _units()
        for u in units:
            u.dataset_id = ds.id
        tx.upsert_units(units)
    back = store.units(with_geometry=True)
    assert [u.id for u in back] == ["05315", "05315000", "05315000-101"]
    by_id = {u.id: u for u in back}
    assert by_id["05315000"].parent_id == "05315"
    assert by_id["05315000"].valid_from == date(2021, 1, 1)
    assert by_id["05315000"].keys == {"ars": "053150000000", "gvb": "053150000"}
    assert by_id["05315000-101"].arisen_from == ["05315000-100"]
    assert by_id["05315000-101"].geometry is None
    assert shapely.from_wkb(by_id["05315"].geometry).equals(shapely.from_wkb(SQUARE))
    index = store.key_index("gemeinde")
    assert index["gvb"]["053150000"] == "05315000"
    assert store.count_units() == {"kreis": 1, "gemeinde": 1, "stadtteil": 1}
    store.dispose()


def test_indicator_observation_dataset_round_trip(store_url: str) -> None:
    store = open_store(store_url)
    ind = Indicator("kinderarmut", "Kinderarmut", "Child poverty", "def", "def en", unit="%",
                    numerator="sgb2_u15", denominator="ew_u15",
                    polarity=Polarity.HIGHER_IS_WORSE, sector="social", life_phase="all",
                    aggregation=Aggregation.RATIO, scale=100.0, source="BBSR",
                    licence="dl-de/by-2-0", update_interval="jährlich",
                    disclosure_rule="count", decimals=1)
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="sgb2", kind="indicators", details={"a": 1}))
        tx.upsert_units(_units())
        tx.upsert_indicators([ind])
        tx.upsert_observations(pd.DataFrame([
            {"indicator_id": "kinderarmut", "unit_id": "05315000", "period": "2021",
             "value": 20.5, "numerator": 41.0, "denominator": 200.0, "status": "ok",
             "lower": 15.5, "upper": 26.6, "dataset_id": ds.id, "method": "wilson",
             "params": '{"level": 0.95}'},
            {"indicator_id": "kinderarmut", "unit_id": "05315000-101", "period": "2021",
             "value": None, "status": "suppressed", "dataset_id": ds.id},
        ]))
    assert store.indicator("kinderarmut") == ind
    obs = store.observations(indicator_id="kinderarmut")
    assert len(obs) == 2
    first = obs.iloc[0]
    assert (first.unit_id, first.period, first.value, first.numerator, first.denominator,
            first.status, first.lower, first.upper, first.method) == (
        "05315000", "2021", 20.5, 41.0, 200.0, "ok", 15.5, 26.6, "wilson")
    assert pd.isna(obs.iloc[1].value) and obs.iloc[1].status == "suppressed"
    [back] = store.datasets()
    assert (back.name, back.revision, back.details) == ("sgb2", 1, {"a": 1})
    assert back.imported_at is not None
    assert store.periods() == {"kinderarmut": ["2021"]}
    store.dispose()


def test_upsert_replaces_and_revision_counts(store_url: str) -> None:
    store = open_store(store_url)
    with store.transaction() as tx:
        tx.upsert_units(_units()[:1])
        tx.upsert_indicators([Indicator("einwohner", "Einwohner", "Inhabitants")])
        a = tx.add_dataset(Dataset(name="ew", kind="indicators"))
        row = {"indicator_id": "einwohner", "unit_id": "05315", "period": "2021",
               "value": 1.0, "status": "ok", "dataset_id": a.id}
        tx.upsert_observations(pd.DataFrame([row]))
    with store.transaction() as tx:
        b = tx.add_dataset(Dataset(name="ew", kind="indicators"))
        tx.upsert_observations(pd.DataFrame([{**row, "value": 2.0, "dataset_id": b.id}]))
    assert b.revision == 2
    obs = store.observations()
    assert len(obs) == 1 and obs.iloc[0].value == 2.0
    store.dispose()


def test_failed_transaction_leaves_nothing(store_url: str) -> None:
    store = open_store(store_url)
    before = store.snapshot()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_dataset(Dataset(name="x", kind="boundaries"))
        tx.upsert_units(_units())
        raise RuntimeError("injected")
    assert store.snapshot() == before
    store.dispose()


def test_foreign_key_violation_is_a_store_error(store_url: str) -> None:
    store = open_store(store_url)
    before = store.snapshot()
    with pytest.raises(StoreError), store.transaction() as tx:
        tx.upsert_units([Unit("x", "X", "nosuchlevel")])
    assert store.snapshot() == before
    store.dispose()


def test_empty_store_without_create_and_wrong_version(store_url: str) -> None:
    if store_url.startswith("sqlite"):
        with pytest.raises(StoreError, match="kekiz init"):
            open_store(store_url, create=False)
    store = open_store(store_url)
    with connect(store_url, write=True) as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    with pytest.raises(SchemaVersionError, match="init --upgrade"):
        open_store(store_url)
    store.dispose()


def test_bad_urls() -> None:
    with pytest.raises(StoreError, match="Ungültige Store-Adresse"):
        open_store("not a url")
    with pytest.raises(StoreError, match="Nicht unterstützte Datenbank"):
        open_store("mysql://x@y/z")


def test_members_and_funding_round_trip(store_url: str) -> None:
    from kekiz.domain.model import Member

    store = open_store(store_url)
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="m", kind="members"))
        tx.upsert_units(_units())
        members = [Member("05315", "Köln", "Kein Kind zurücklassen!", date(2017, 1, 1),
                          left=date(2019, 12, 31), source="https://example.org",
                          dataset_id=ds.id),
                   Member("05315000", "Köln (Gemeinde)", "kinderstark", date(2020, 1, 1),
                          dataset_id=ds.id)]
        tx.replace_members("Kein Kind zurücklassen!", members[:1])
        tx.replace_members("kinderstark", members[1:])
        assert ds.id is not None
        tx.replace_funding("Kein Kind zurücklassen!", pd.DataFrame([
            {"unit_id": "05315", "year": 2017, "source": "Land", "amount": 30000.0,
             "note": "Regel"},
            {"unit_id": "05315", "year": 2018, "source": "ESF", "amount": 12345.67,
             "note": ""}]), ds.id)
    assert store.members() == sorted(members, key=lambda m: (m.joined, m.unit_id))
    assert store.members("kinderstark") == members[1:]
    funding = store.funding()
    assert funding[["unit_id", "year", "source", "amount", "note"]].values.tolist() == [
        ["05315", 2017, "Land", 30000.0, "Regel"], ["05315", 2018, "ESF", 12345.67, ""]]
    with store.transaction() as tx:  # replacing a programme's list keeps the other
        tx.replace_members("Kein Kind zurücklassen!", [])
    assert [m.programme for m in store.members()] == ["kinderstark"]
    store.dispose()
