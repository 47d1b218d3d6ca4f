"""Derived results at write time (issue #17): :meth:`Kekiz.warm` computes what the pages
show when the data change and keeps it in the store's ``derived_cache`` per data version
and audience; a later reader (another process) reads it instead of computing it; a write
makes it unreachable; a tenant's private values never reach the public through it.

The store is the small sample of the storage tests (tests/storage/sample.py): Köln's
private indicators ``schulweg`` and ``intern`` are read by Köln's accounts only.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from kekiz.app import Kekiz
from kekiz.domain.errors import KekizError
from kekiz.privacy.publish import PUBLIC
from kekiz.services.pages import PageService
from kekiz.services.stored import StoredResults, scope_of
from kekiz.settings import load_settings
from kekiz.storage import open_store
from tests.storage.sample import KOELN, fill

PASSWORD = "Geheim-Passwort-1"


def _app(url: str) -> Kekiz:
    return Kekiz(load_settings({"store": url, "user": "pytest"}, environ={}))


@pytest.fixture
def sample(store_url: str) -> Iterator[str]:
    store = open_store(store_url)
    try:
        fill(store)
    finally:
        store.dispose()
    m = _app(store_url)
    try:
        m.admin.create_user("koeln", PASSWORD, "viewer", KOELN)
    finally:
        m.close()
    yield store_url


def _indicator_ids(catalogue: dict[str, Any]) -> set[str]:
    return {e["indicator"].id for e in catalogue["indicators"]}


def _stored(m: PageService, name: str, *params: Any) -> Any:
    """The result ``name`` as kept in the store for ``m``'s audience (None: not kept)."""
    from datetime import date

    keeper = StoredResults(m.store, scope_of(m.store))
    payload = m.store.derived_get(f"pages:{name}", keeper.key((*params,
                                                               date.today().isoformat())),
                                  m.data_version())
    return None if payload is None else pickle.loads(payload)


def _koeln(m: Kekiz) -> PageService:
    return m.pages(m.audience(m.admin.account("koeln")))


def test_warm_keeps_what_a_fresh_computation_gives(sample: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    m = _app(sample)
    try:
        done = m.warm()
        assert done.audiences == ["public", _koeln(m).audience.key]
        assert done.audiences[1].startswith(f"tenant:{KOELN}")
        assert done.pages > 0 and not [s for s in done.skipped if s.endswith(" /")]
        public, koeln = m.pages(), _koeln(m)
        kept_public, kept_koeln = _stored(public, "catalogue"), _stored(koeln, "catalogue")
        # what was kept equals what a computation now gives, per audience
        assert kept_public == public._make_catalogue()
        assert kept_koeln == koeln._make_catalogue()
        medians = _stored(public, "medians", "gemeinde")
        pd.testing.assert_frame_equal(medians, public._level_medians("gemeinde"))
    finally:
        m.close()
    # another process: the first view reads what warm kept instead of computing it
    monkeypatch.setattr(PageService, "_make_catalogue", _must_not_compute)
    other = _app(sample)
    try:
        assert _indicator_ids(other.pages().web_catalogue()) == \
            _indicator_ids(kept_public)
    finally:
        other.close()


def _must_not_compute(self: PageService) -> Any:
    raise AssertionError("computed on the first read although warm kept it")


def test_private_values_never_reach_the_public_through_the_cache(sample: str) -> None:
    m = _app(sample)
    try:
        m.warm()
        public, koeln = m.pages(), _koeln(m)
        assert {"schulweg", "intern"} <= _indicator_ids(_stored(koeln, "catalogue"))
        assert not {"schulweg", "intern"} & _indicator_ids(_stored(public, "catalogue"))
    finally:
        m.close()
    other = _app(sample)  # a fresh process reads what warm kept
    try:
        assert not {"schulweg", "intern"} & _indicator_ids(other.pages().web_catalogue())
        assert {"schulweg", "intern"} <= _indicator_ids(_koeln(other).web_catalogue())
        profile = other.pages(PUBLIC).unit_profile(KOELN)
        assert "intern" not in set(profile.observations["indicator_id"])
        assert "intern" in set(_koeln(other).unit_profile(KOELN)
                               .observations["indicator_id"])
    finally:
        other.close()


def test_a_write_makes_the_kept_results_unreachable(sample: str) -> None:
    m = _app(sample)
    try:
        m.warm()
        before = m.pages().web_catalogue()
        assert "neu" not in _indicator_ids(before)
        version = m.store.data_version()
        with m.store.transaction() as tx:
            tx.upsert_observations(pd.DataFrame([{
                "indicator_id": "einwohner", "unit_id": KOELN, "period": "2030",
                "value": 1.0, "status": "ok", "dataset_id": None}]))
        assert m.store.data_version() == version + 1
        assert _stored(m.pages(), "catalogue") is None  # nothing kept for the new data
        other = _app(sample)
        try:
            periods = next(e["periods"] for e in other.pages().web_catalogue()["indicators"]
                           if e["indicator"].id == "einwohner")
            assert "2030" in periods["gemeinde"]
        finally:
            other.close()
        assert _stored(m.pages(), "catalogue") is not None  # kept by the read
        m.warm()
        assert m.store.data_version() == version + 1  # keeping results is not a write
    finally:
        m.close()


def test_the_cli_warms_after_a_write_and_not_after_a_read(sample: str) -> None:
    from kekiz.cli.context import CliState

    state = CliState(store=sample)
    m = state.kekiz()
    assert m.pages().store.derived_get("pages:catalogue", "x", 0) is None
    m.store.units()  # a read: nothing to warm
    assert m.warm_if_changed() is None
    with m.store.transaction() as tx:
        tx.upsert_observations(pd.DataFrame([{
            "indicator_id": "einwohner", "unit_id": KOELN, "period": "2031",
            "value": 2.0, "status": "ok", "dataset_id": None}]))
    state.close()  # the end of the command
    other = _app(sample)
    try:
        kept = _stored(other.pages(), "catalogue")
        assert kept is not None
        assert "2031" in next(e["periods"]["gemeinde"] for e in kept["indicators"]
                              if e["indicator"].id == "einwohner")
    finally:
        other.close()


def test_a_web_write_warms_in_the_background(sample: str) -> None:
    """A write through the web (here: a data write by a route, and an account of Köln
    made through the admin API) computes the pages in a background thread."""
    from fastapi.testclient import TestClient

    from kekiz.web.app import create_app

    m = _app(sample)
    try:
        m.admin.create_user("chef", PASSWORD, "admin")
        token = m.admin.create_token("chef")
        app = create_app(kekiz=m)

        @app.post("/test-write")
        def write() -> dict[str, str]:
            with m.store.transaction() as tx:
                tx.upsert_observations(pd.DataFrame([{
                    "indicator_id": "einwohner", "unit_id": KOELN, "period": "2032",
                    "value": 3.0, "status": "ok", "dataset_id": None}]))
            return {}

        with TestClient(app) as client:
            assert client.post("/test-write", headers={
                "Authorization": f"Bearer {token}"}).status_code == 200
            app.state.warmer.join(120)
            kept = _stored(m.pages(), "catalogue")
            assert kept is not None and "2032" in next(
                e["periods"]["gemeinde"] for e in kept["indicators"]
                if e["indicator"].id == "einwohner")
            assert not {"schulweg", "intern"} & _indicator_ids(kept)
            runs = app.state.warmer.runs
            assert client.get("/api/v1/levels").status_code == 200  # a read: no warm
            app.state.warmer.join(120)
            assert app.state.warmer.runs == runs
            r = client.post("/api/v1/admin/users", headers={
                "Authorization": f"Bearer {token}"}, json={
                "name": "koeln2", "password": PASSWORD, "role": "viewer", "tenant": KOELN})
            assert r.status_code == 201
            app.state.warmer.join(120)
            assert app.state.warmer.runs == runs + 1
            assert {"schulweg", "intern"} <= _indicator_ids(_stored(_koeln(m), "catalogue"))
    finally:
        m.close()


def test_a_damaged_or_foreign_result_is_computed_again(sample: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from kekiz.services import stored

    m = _app(sample)
    try:
        keeper = StoredResults(m.store, "test")
        version = m.store.data_version()
        assert keeper.get("test:x", (1,), lambda: {"a": 1}) == {"a": 1}
        assert keeper.get("test:x", (1,), lambda: {"a": 2}) == {"a": 1}  # kept
        m.store.derived_put("test:x", keeper.key((1,)), version, b"not a pickle")
        assert keeper.get("test:x", (1,), lambda: {"a": 3}) == {"a": 3}
        assert m.store.data_version() == version
        # results kept by other code (another version, changed modules) are not read
        monkeypatch.setattr(stored, "code_fingerprint", lambda: "other code")
        assert keeper.get("test:x", (1,), lambda: {"a": 4}) == {"a": 4}
    finally:
        m.close()


def test_kekiz_aggregate_on_the_command_line_warms_the_pages(sample: str) -> None:
    """A real write command (``kekiz aggregate``, in-process as ``kekiz`` runs it): the
    pages of the new data version are kept when it returns; a read command keeps none."""
    from typer.testing import CliRunner

    from kekiz.cli import main

    def kekiz(*args: str) -> None:
        result = CliRunner().invoke(main.app, ["--store", sample, *args],
                                    env={"KEKIZ_USER": "pytest"})
        assert result.exit_code == 0, result.output

    kekiz("units")
    m = _app(sample)
    try:
        assert _stored(m.pages(), "catalogue") is None  # a read warms nothing
        version = m.store.data_version()
    finally:
        m.close()
    kekiz("aggregate")
    m = _app(sample)
    try:
        assert m.store.data_version() > version
        kept = _stored(m.pages(), "catalogue")
        assert kept == m.pages()._make_catalogue()
        assert not {"schulweg", "intern"} & _indicator_ids(kept)
        assert {"schulweg", "intern"} <= _indicator_ids(_stored(_koeln(m), "catalogue"))
    finally:
        m.close()


def test_the_setting_warm_off_leaves_the_pages_to_their_first_view(sample: str) -> None:
    m = Kekiz(load_settings({"store": sample, "user": "pytest", "warm": "off"}, environ={}))
    try:
        m.store.units()
        with m.store.transaction() as tx:
            tx.upsert_observations(pd.DataFrame([{
                "indicator_id": "einwohner", "unit_id": KOELN, "period": "2033",
                "value": 4.0, "status": "ok", "dataset_id": None}]))
        assert m.warm_if_changed() is None
        assert _stored(m.pages(), "goal-status", None) is None
    finally:
        m.close()
    with pytest.raises(KekizError, match="on oder off"):
        load_settings({"warm": "manchmal"}, environ={})
