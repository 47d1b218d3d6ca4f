"""The storage contract, every read and write of :class:`kekiz.storage.Store` and
:class:`kekiz.storage.Writer`, on SQLite and PostgreSQL (``store_url`` fixture).

Units, values, members and funding come from :mod:`tests.storage.sample`; the expected
answers are counted from its rows by hand in the comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from kekiz.domain.accounts import Role, hash_token
from kekiz.domain.cooperation import Network, Partner, Tie, TieType
from kekiz.domain.directory import Directory, Organization, Service
from kekiz.domain.errors import NotFound, StoreError
from kekiz.domain.goals import Direction, Goal, Leitbild, Target
from kekiz.domain.model import Dataset, Indicator
from kekiz.storage import Store, open_store
from tests.storage.sample import ALTSTADT, BONN, KOELN, NEUSTADT, fill


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def filled(store: Store) -> tuple[Store, dict[str, int]]:
    return store, fill(store)


def test_levels_and_unknown_level(store: Store) -> None:
    assert [lv.id for lv in store.levels()][:3] == ["land", "regierungsbezirk", "kreis"]
    assert store.level("gemeinde").rank == 3
    with pytest.raises(NotFound, match=r"Unbekannte Ebene 'bezirk'\. Bekannt: land, "):
        store.level("bezirk")


def test_unit_reads(filled: tuple[Store, dict[str, int]]) -> None:
    store, _ = filled
    assert [u.id for u in store.units(level="gemeinde")] == [BONN, KOELN]  # sorted by id
    assert [u.id for u in store.units(parent_id=KOELN)] == [ALTSTADT, NEUSTADT]
    koeln = store.unit(KOELN)
    assert (koeln.parent_id, koeln.valid_from, koeln.keys) == (
        "05315", date(2021, 1, 1), {"ars": "053150000000"})
    with pytest.raises(NotFound, match="Unbekannte Einheit '0'"):
        store.unit("0")
    frame = store.units_frame("stadtteil")
    assert frame.columns.tolist() == ["id", "name", "level", "parent_id", "valid_from",
                                      "valid_to"]
    assert frame["id"].tolist() == [ALTSTADT, NEUSTADT]
    assert store.units_frame("gemeinde").set_index("id").loc[KOELN, "valid_from"] == \
        date(2021, 1, 1)
    geoms = store.geometries("kreis")
    assert geoms["id"].tolist() == ["05314", "05315"] and geoms["geometry"].isna().all()
    assert store.key_index("stadtteil") == {
        "id": {ALTSTADT: ALTSTADT, NEUSTADT: NEUSTADT},
        "local": {"101": ALTSTADT, "102": NEUSTADT}}
    assert store.count_units() == {"kreis": 2, "gemeinde": 2, "stadtteil": 2}
    assert store.unit_tree() == {"05315": None, "05314": None, KOELN: "05315",
                                 BONN: "05314", ALTSTADT: KOELN, NEUSTADT: KOELN}


def test_indicator_and_observation_reads(filled: tuple[Store, dict[str, int]]) -> None:
    store, ids = filled
    assert [i.id for i in store.indicators()] == ["einwohner", "intern", "kinder", "schulweg"]
    own = store.indicator("schulweg")
    assert (own.private_to, own.private_state) == (KOELN, True)
    with pytest.raises(NotFound, match="Unbekannter Indikator 'x'"):
        store.indicator("x")
    # einwohner: 2020 and 2021; the others only 2021
    assert store.periods() == {"einwohner": ["2020", "2021"], "intern": ["2021"],
                               "kinder": ["2021"], "schulweg": ["2021"]}
    assert store.count_observations() == 9  # 5 einwohner + 2 kinder + schulweg + intern
    ew = store.observations(indicator_id="einwohner")
    assert ew[["unit_id", "period", "value"]].values.tolist() == [
        [BONN, "2021", 300.0], [KOELN, "2020", 1000.0], [KOELN, "2021", 1010.0],
        [ALTSTADT, "2021", 60.0], [NEUSTADT, "2021", 40.0]]
    assert ew["value"].dtype == "float64" and ew["numerator"].isna().all()
    by_level = store.observations(level="gemeinde", period=["2021"],
                                  indicator_id=["einwohner", "kinder"])
    assert by_level[["indicator_id", "unit_id", "value"]].values.tolist() == [
        ["einwohner", BONN, 300.0], ["einwohner", KOELN, 1010.0], ["kinder", BONN, 45.0],
        ["kinder", KOELN, 150.0]]
    units = store.observations(unit_ids=[ALTSTADT, NEUSTADT], period="2021")
    assert units["value"].sum() == 100.0  # 60 + 40
    assert store.observations(unit_ids=[]).empty
    assert set(store.observations(indicator_id="kinder")["dataset_id"].dropna()) == {
        ids["own"]}


def test_dataset_reads_and_writes(filled: tuple[Store, dict[str, int]]) -> None:
    store, ids = filled
    names = [(d.name, d.revision, d.private_to) for d in store.datasets()]
    assert names == [("öffentlich", 1, None), ("Köln intern", 1, KOELN)]
    first = store.datasets()[0]
    assert first.imported_at is not None and first.imported_at.tzinfo is not None
    assert abs(first.imported_at - datetime.now(UTC)) < timedelta(minutes=5)
    with store.transaction() as tx:
        again = tx.add_dataset(Dataset(name="öffentlich", kind="indicators"))
        assert again.revision == 2
        assert again.id is not None
        assert tx.previous_revisions("öffentlich", again.id) == [ids["public"]]
        tx.set_dataset_rows(again.id, 42)
    assert store.datasets()[-1].rows == 42
    entry = store.auth.audit_entries(action="import:")
    assert entry["object"].tolist()[0] == "dataset:öffentlich"
    assert '"rows": 42' in entry["after"].tolist()[0]  # the row count corrected


def test_observation_writes(filled: tuple[Store, dict[str, int]]) -> None:
    store, ids = filled
    with store.transaction() as tx:
        lvl = tx.level_observations("einwohner", "stadtteil")
        assert sorted(lvl["value"]) == [40.0, 60.0]
        keys = tx.imported_keys("einwohner", [KOELN, ALTSTADT])
        assert sorted(keys) == [(KOELN, "2020"), (KOELN, "2021"), (ALTSTADT, "2021")]
        # the 2021 tables of einwohner and kinder on every level: 4 + 2 values
        assert tx.delete_observations(["einwohner", "kinder"], ["2021"]) == 6
        assert tx.delete_observations([], ["2021"]) == 0
        assert tx.delete_observations_of([ids["own"]]) == 1  # intern
        assert tx.delete_observations_of([]) == 0
    assert store.periods() == {"einwohner": ["2020"], "schulweg": ["2021"]}


def test_aggregated_values_are_not_imported_keys(store: Store) -> None:
    fill(store)
    with store.transaction() as tx:
        tx.upsert_observations(pd.DataFrame([{
            "indicator_id": "einwohner", "unit_id": BONN, "period": "2020", "value": 1.0,
            "status": "ok", "method": "aggregate_up", "params": '{"from_level": "x"}'}]))
        keys = tx.imported_keys("einwohner", [BONN])
    assert list(keys) == [(BONN, "2021")]


def test_members_funding_of_the_sample(filled: tuple[Store, dict[str, int]]) -> None:
    store, _ = filled
    assert [(m.unit_id, m.joined) for m in store.members("KeKiz")] == [
        ("05315", date(2017, 1, 1)), ("05314", date(2018, 1, 1))]
    assert store.funding("KeKiz")["amount"].tolist() == [100.0, 50.0]
    assert store.members("andere") == [] and store.funding("andere").empty


def _directory() -> Directory:
    d = Directory()
    d.organizations["o1"] = Organization("o1", "Träger", extra={"x": 1})
    d.services["s1"] = Service(id="s1", name="Kita", organization_id="o1", age_min=3.0,
                               age_max=6.0, life_phases=["3-6"], topics=["Sprache"],
                               published=False)
    return d


def test_directory_writes_and_reads(store: Store) -> None:
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Angebote", kind="services"))
        assert ds.id is not None
        assert tx.replace_directory(_directory(), ds.id) == 0
    loaded = store.load_directory()
    assert loaded.services["s1"].life_phases == ["3-6"]
    assert loaded.services["s1"].published is False
    assert loaded.organizations["o1"].extra == {"x": 1}
    [info] = store.service_datasets()
    assert (info.name, info.services, info.published, info.synthetic) == (
        "Angebote", 1, 0, 0)
    with store.transaction() as tx:  # a new revision replaces the earlier one
        ds2 = tx.add_dataset(Dataset(name="Angebote", kind="services"))
        assert ds2.id is not None
        assert tx.replace_directory(_directory(), ds2.id) == 1
    assert [i.dataset_id for i in store.service_datasets()] == [ds2.id]
    assert store.load_directory([ds.id]).services == {}
    with store.transaction() as tx:
        assert tx.delete_directory([ds2.id]) == 1
        assert tx.delete_directory([]) == 0
    assert store.load_directory().services == {}


def test_cooperation_and_leitbild(store: Store) -> None:
    fill(store)
    net = Network(2, {"a": Partner("a", "A", "health", ("0-3",), ALTSTADT, True),
                      "b": Partner("b", "B", "education")},
                  [Tie("a", "b", (TieType.REFERRAL,), trust=3.0,
                       surveyed_on=date(2024, 3, 1))], label="Welle 2")
    with store.transaction() as tx:
        tx.replace_wave(net, first_date=date(2024, 3, 1), last_date=date(2024, 3, 9))
        tx.replace_wave(net, first_date=date(2024, 3, 1), last_date=date(2024, 3, 9))
    [wave] = store.cooperation_waves()
    assert (wave["wave"], wave["label"], wave["first_date"], wave["actors"],
            wave["reports"]) == (2, "Welle 2", date(2024, 3, 1), 2, 1)
    back = store.cooperation_wave(2)
    assert back.partners == net.partners and back.ties == net.ties
    with pytest.raises(NotFound, match=r"Welle 5 .* Vorhanden: 2\."):
        store.cooperation_wave(5)
    lb = Leitbild("lb", "Leitbild", KOELN, goals=[Goal("Z1", "Ergebnis", "Result", targets=[
        Target("einwohner", 1.0, 2030, Direction.INCREASE)])])
    with store.transaction() as tx:
        tx.replace_leitbild(lb)
    assert store.leitbild_ids() == [("lb", "Leitbild", KOELN)]
    assert store.leitbild("lb") == lb
    with store.transaction() as tx:
        tx.delete_leitbild("lb")
    assert store.leitbild_ids() == []
    with pytest.raises(NotFound, match="Leitbild 'lb' ist nicht im Store"):
        store.leitbild("lb")


def test_accounts_sessions_tokens(filled: tuple[Store, dict[str, int]]) -> None:
    store, _ = filled
    auth = store.auth
    soon = datetime.now(UTC) + timedelta(hours=1)
    with store.transaction() as tx:
        chef = tx.auth.add_user("chef", "$argon2id$x", Role.ADMIN, None)
        koeln = tx.auth.add_user("koeln", "$argon2id$y", Role.VIEWER, KOELN)
        tx.auth.add_session(hash_token("s1"), koeln.id, "csrf1", soon)
        token_id = tx.auth.add_token(hash_token("t1"), koeln.id, "QGIS", soon)
    assert [u.name for u in auth.users()] == ["chef", "koeln"]
    found = auth.password_hash_of("koeln")
    assert found is not None and found[1] == "$argon2id$y" and found[0].tenant == KOELN
    assert auth.password_hash_of("niemand") is None
    session = auth.session_of(hash_token("s1"))
    assert session is not None and (session[0].name, session[1]) == ("koeln", "csrf1")
    assert auth.session_of(hash_token("s2")) is None
    account = auth.token_of(hash_token("t1"))
    assert account is not None and account.id == koeln.id
    tokens = auth.tokens(koeln.id)
    assert tokens[["id", "user", "label"]].values.tolist() == [[token_id, "koeln", "QGIS"]]
    assert tokens["last_used"].notna().all()  # token_of marked it as used
    assert auth.tokens(chef.id).empty
    with store.transaction() as tx:
        tx.auth.update_user(koeln.id, role=Role.EDITOR, tenant=KOELN, active=False)
        assert tx.auth.delete_sessions_of(koeln.id) == 1
        tx.auth.set_password_hash(chef.id, "$argon2id$z")
    assert auth.session_of(hash_token("s1")) is None
    assert auth.token_of(hash_token("t1")) is None  # the account is disabled
    assert auth.password_hash_of("chef")[1] == "$argon2id$z"  # type: ignore[index]
    assert [(u.role, u.active) for u in auth.users()] == [(Role.ADMIN, True),
                                                          (Role.EDITOR, False)]
    with store.transaction() as tx:
        tx.auth.add_session(hash_token("s3"), chef.id, "c", soon)
        tx.auth.delete_session(hash_token("s3"))
        assert tx.auth.delete_token(token_id) == 1
        assert tx.auth.delete_token(token_id) == 0
    assert auth.session_of(hash_token("s3")) is None and auth.tokens().empty


def test_attempts_grants_audit(filled: tuple[Store, dict[str, int]]) -> None:
    store, _ = filled
    auth = store.auth
    start = datetime.now(UTC) - timedelta(minutes=1)
    with store.transaction() as tx:
        for ok in (False, False, True, False):
            tx.auth.record_attempt("koeln", "10.0.0.1", ok)
        tx.auth.record_attempt("koeln", "10.0.0.2", False)
    assert auth.failures("koeln", "10.0.0.1", start) == 1  # only the one after the success
    assert auth.failures("koeln", "10.0.0.2", start) == 1
    assert auth.failures("bonn", "10.0.0.1", start) == 0
    with store.transaction() as tx:
        assert tx.auth.add_grant("05315", BONN, "chef") is True
        assert tx.auth.add_grant("05315", BONN, "chef") is False
        assert tx.auth.add_grant(KOELN, BONN, "chef") is True
        assert tx.auth.remove_grant(KOELN, BONN) is True
        assert tx.auth.remove_grant(KOELN, BONN) is False
        tx.auth.add_audit("chef", "user_x.create", "user:a", None, {"b": 1})
        tx.auth.add_audit("chef", "userX.create", "user:c")
    assert auth.grants()[["grantor_id", "grantee_id", "created_by"]].values.tolist() == [
        ["05315", BONN, "chef"]]
    log = auth.audit_entries(actor="chef")
    assert log["action"].tolist() == ["userX.create", "user_x.create"]  # newest first
    assert log["after"].tolist() == [None, '{"b": 1}']
    # a prefix is literal: '_' is no wildcard
    assert auth.audit_entries(action="user_")["action"].tolist() == ["user_x.create"]
    assert len(auth.audit_entries(limit=1, offset=1)) == 1


def test_failed_transaction_stores_no_account(store: Store) -> None:
    before = store.snapshot()
    with pytest.raises(StoreError, match="nichts gespeichert"), store.transaction() as tx:
        tx.auth.add_user("a", "h", Role.ADMIN, None)
        tx.auth.add_user("a", "h", Role.ADMIN, None)  # the name is unique
    assert store.snapshot() == before
    with pytest.raises(StoreError, match="Tabelle 'observations'"), \
            store.transaction() as tx:
        tx.add_dataset(Dataset(name="x", kind="indicators"))
        tx.upsert_indicators([Indicator("x", "X", "X")])
        tx.upsert_observations(pd.DataFrame([{  # no such unit
            "indicator_id": "x", "unit_id": "nirgends", "period": "2021", "value": 1.0,
            "status": "ok"}]))
    assert store.snapshot() == before
