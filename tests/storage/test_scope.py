"""Scoped reads (private data and one rule for scope, issue #20) and the data version, on
SQLite and PostgreSQL.

The sample (``tests/storage/sample.py``) has nine values; by hand, with
P = the indicator is public and D = the dataset is public (or there is none):

====  ===========================  ======  ===========================  ==========
 #    indicator / unit / period     P       dataset                      D
====  ===========================  ======  ===========================  ==========
 1-5  einwohner, 5 values           yes     öffentlich                   yes
 6    kinder Köln 2021              yes     Köln intern (Köln only)      no
 7    schulweg Köln 2021            Köln+S  öffentlich                   yes
 8    intern Köln 2021              Köln    Köln intern                  no
 9    kinder Bonn 2021              yes     none                         yes
====  ===========================  ======  ===========================  ==========

(Köln+S: private to Köln, shared with the state office.)  The public reads 1-5 and 9
(6 values), the state office also 7 (7 values), Köln all 9, Bonn what the public reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kekiz.domain.accounts import ReadScope, Role, hash_token
from kekiz.domain.errors import NotFound
from kekiz.domain.model import Dataset
from kekiz.storage import Store, open_store
from tests.storage.sample import ALTSTADT, BONN, KOELN, NEUSTADT, fill
from tests.storage.test_contract import _directory


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        fill(s)
        yield s
    finally:
        s.dispose()


@pytest.mark.parametrize(("scope", "indicators", "datasets", "values"), [
    (ReadScope(), ["einwohner", "kinder"], ["öffentlich"], 6),
    (ReadScope(state=True), ["einwohner", "kinder", "schulweg"], ["öffentlich"], 7),
    (ReadScope(tenants=frozenset({KOELN})), ["einwohner", "intern", "kinder", "schulweg"],
     ["öffentlich", "Köln intern"], 9),
    (ReadScope(tenants=frozenset({BONN})), ["einwohner", "kinder"], ["öffentlich"], 6),
])
def test_private_rows_by_scope(store: Store, scope: ReadScope, indicators: list[str],
                               datasets: list[str], values: int) -> None:
    view = store.scoped(scope)
    assert view.scope == scope and store.scope is None
    assert [i.id for i in view.indicators()] == indicators
    assert [d.name for d in view.datasets()] == datasets
    obs = view.observations()
    assert len(obs) == values == view.count_observations()
    assert sorted(view.periods()) == sorted(set(obs["indicator_id"]))
    assert set(obs["indicator_id"]) <= set(indicators)
    kinder = view.observations(indicator_id="kinder")
    assert set(kinder["unit_id"]) == ({KOELN, BONN} if values == 9 else {BONN})
    # the whole store reads everything
    assert store.count_observations() == 9 and len(store.indicators()) == 4


def test_a_hidden_indicator_is_unknown(store: Store) -> None:
    public = store.scoped(ReadScope())
    with pytest.raises(NotFound, match="Unbekannter Indikator 'intern'"):
        public.indicator("intern")
    assert store.scoped(ReadScope(state=True)).indicator("schulweg").private_state is True
    with pytest.raises(NotFound):
        store.scoped(ReadScope(state=True)).indicator("intern")


def test_a_tenant_reads_every_unit_and_its_own_private_values(store: Store) -> None:
    """One rule for scope (issue #20): outside its own units a tenant's account reads what
    the public reads - every unit, member and funding row - and inside them its private
    values too; nothing about units is hidden."""
    bonn = store.scoped(ReadScope(tenants=frozenset({BONN})))
    koeln = store.scoped(ReadScope(tenants=frozenset({KOELN})))
    for view in (bonn, koeln):
        assert [u.id for u in view.units()] == [u.id for u in store.units()]
        assert view.count_units() == store.count_units()
        assert view.unit_tree() == store.unit_tree()
        assert [m.unit_id for m in view.members()] == [m.unit_id for m in store.members()]
        assert view.funding().equals(store.funding())
        assert view.unit(KOELN).name == "Köln" and view.unit(BONN).id == BONN
    # Bonn reads Köln's values as the public does (1-5, 9); Köln its own private ones too
    public = store.scoped(ReadScope()).observations(unit_ids=[KOELN, ALTSTADT, NEUSTADT])
    assert bonn.observations(unit_ids=[KOELN, ALTSTADT, NEUSTADT]).equals(public)
    assert len(koeln.observations(unit_ids=[KOELN, ALTSTADT, NEUSTADT])) == len(public) + 3
    with pytest.raises(NotFound, match="Unbekannte Einheit '00000000'"):
        bonn.unit("00000000")


def test_private_directory_and_view_lifetime(store: Store) -> None:
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Angebote Köln", kind="services", private_to=KOELN))
        assert ds.id is not None
        tx.replace_directory(_directory(), ds.id)
    public = store.scoped(ReadScope())
    assert public.load_directory().services == {} and public.service_datasets() == []
    koeln = store.scoped(ReadScope(tenants=frozenset({KOELN})))
    assert list(koeln.load_directory().services) == ["s1"]
    assert [d.name for d in koeln.service_datasets()] == ["Angebote Köln"]
    public.dispose()  # a view leaves the connections to its store
    assert store.count_observations() == 9


def test_data_version_counts_changing_transactions(store: Store, store_url: str) -> None:
    start = store.data_version()
    with store.transaction() as tx:  # several writes, one transaction: one step
        tx.add_dataset(Dataset(name="a", kind="indicators"))
        tx.add_dataset(Dataset(name="b", kind="indicators"))
    assert store.data_version() == start + 1
    with store.transaction():  # nothing written
        pass
    with store.transaction() as tx:  # nothing changed
        tx.delete_observations_of([999])
    assert store.data_version() == start + 1
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_dataset(Dataset(name="c", kind="indicators"))
        raise RuntimeError("rolled back")
    assert store.data_version() == start + 1
    other = open_store(store_url)  # another pool, as in another worker process
    try:
        assert other.data_version() == start + 1
        with other.transaction() as tx:
            tx.upsert_units([])
            tx.delete_observations(["einwohner"], ["2020"])
        assert store.data_version() == start + 2
        assert store.scoped(ReadScope()).data_version() == start + 2
    finally:
        other.dispose()


def test_bookkeeping_is_no_data_change(store: Store) -> None:
    with store.transaction() as tx:
        user = tx.auth.add_user("koeln", "h", Role.VIEWER, KOELN)  # accounts count
    version = store.data_version()
    with store.transaction() as tx:
        tx.auth.add_session(hash_token("s"), user.id, "c", datetime.now(UTC) + timedelta(hours=1))
        tx.auth.add_token(hash_token("t"), user.id, "", None)
        tx.auth.record_attempt("koeln", "10.0.0.1", True)
        tx.auth.add_audit("koeln", "login", "user:koeln")
        tx.auth.set_password_hash(user.id, "h2")
    assert store.auth.token_of(hash_token("t")) is not None  # marks the token as used
    assert store.data_version() == version
    with store.transaction() as tx:
        tx.auth.add_grant(KOELN, BONN, "chef")  # grants change what a scope reads
    assert store.data_version() == version + 1
