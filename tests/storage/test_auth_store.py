"""Users, sessions, tokens, grants, login attempts and the audit log in the store, on
SQLite and PostgreSQL (issue #8)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from kekiz.app import Kekiz
from kekiz.domain.accounts import AuthFailed, Conflict, Forbidden, Role, TooManyAttempts
from kekiz.domain.errors import KekizError, NotFound
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.settings import load_settings
from kekiz.storage import schema_auth as a
from tests.sql import connect

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
PASSWORD = "Korrekt-Pferd-Batterie-9"


@pytest.fixture
def m(store_url: str) -> Iterator[Kekiz]:
    monitor = Kekiz(load_settings({"store": store_url, "user": "tester"}, environ={}))
    monitor.imports.boundaries(GOOD / "base_kreise.geojson", BoundaryOptions(
        level="kreis", id_field="AGS", name_field="GEN", key_fields={"ars": "ARS"}))
    monitor.imports.boundaries(GOOD / "base_gemeinden.geojson", BoundaryOptions(
        level="gemeinde", id_field="AGS", name_field="GEN", parent_field="KRS",
        key_fields={"ars": "ARS"}))
    try:
        yield monitor
    finally:
        monitor.close()


def _rows(m: Kekiz, table: object) -> list[dict[str, object]]:
    with connect(m.store.url) as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]  # type: ignore[arg-type]


def test_passwords_are_argon2_hashes_never_plaintext(m: Kekiz) -> None:
    m.admin.create_user("chef", PASSWORD, Role.ADMIN)
    (row,) = _rows(m, a.users)
    assert str(row["password_hash"]).startswith("$argon2id$")
    snapshot = repr(m.store.snapshot())
    assert PASSWORD not in snapshot
    # the hash verifies the password and nothing else
    assert m.admin.login("chef", PASSWORD, "10.0.0.1").account.role is Role.ADMIN
    with pytest.raises(AuthFailed):
        m.admin.login("chef", PASSWORD + "x", "10.0.0.1")


def test_user_rules(m: Kekiz) -> None:
    with pytest.raises(KekizError, match="zu kurz"):
        m.admin.create_user("kurz", "elf-zeichen", Role.ADMIN)
    with pytest.raises(KekizError, match="braucht eine Kommune"):
        m.admin.create_user("ohne", PASSWORD, Role.VIEWER)
    with pytest.raises(NotFound, match="99999999"):
        m.admin.create_user("falsch", PASSWORD, Role.VIEWER, "99999999")
    with pytest.raises(KekizError, match="Unbekannte Rolle 'public'"):
        m.admin.create_user("anonym", PASSWORD, "public")
    m.admin.create_user("koeln", PASSWORD, Role.VIEWER, "05315000")
    with pytest.raises(Conflict):
        m.admin.create_user("koeln", PASSWORD, Role.VIEWER, "05315000")
    assert [(u.name, u.role, u.tenant) for u in m.admin.accounts()] == [
        ("koeln", Role.VIEWER, "05315000")]


def test_sessions_and_tokens_store_only_hashes(m: Kekiz) -> None:
    m.admin.create_user("koeln", PASSWORD, Role.EDITOR, "05315000")
    session = m.admin.login("koeln", PASSWORD, "10.0.0.2")
    token = m.admin.create_token("koeln", "QGIS", 30)
    assert token.startswith("kekiz_") and len(token) > 40
    dump = repr(m.store.snapshot())
    assert session.token not in dump and token not in dump
    (srow,) = _rows(m, a.sessions)
    assert srow["token_hash"] == hashlib.sha256(session.token.encode()).hexdigest()
    found = m.admin.session_account(session.token)
    assert found is not None and found[0].name == "koeln" and found[1] == session.csrf
    assert m.admin.session_account(session.token + "x") is None
    account = m.admin.token_account(token)
    assert account is not None and account.tenant == "05315000"
    (trow,) = _rows(m, a.api_tokens)
    assert trow["last_used"] is not None and trow["label"] == "QGIS"
    # an expired token and an expired session are refused
    with connect(m.store.url, write=True) as conn:
        past = datetime.now(UTC) - timedelta(seconds=1)
        conn.execute(update(a.api_tokens).values(expires=past))
        conn.execute(update(a.sessions).values(expires=past))
    assert m.admin.token_account(token) is None
    assert m.admin.session_account(session.token) is None
    # a disabled account loses its token as well
    token2 = m.admin.create_token("koeln", "neu", None)
    assert m.admin.token_account(token2) is not None
    m.admin.update_user("koeln", active=False)
    assert m.admin.token_account(token2) is None
    m.admin.logout(session.token, "koeln")
    assert _rows(m, a.sessions) == []


def test_login_rate_limit_per_name_and_address(m: Kekiz) -> None:
    m.admin.create_user("koeln", PASSWORD, Role.VIEWER, "05315000")
    for _ in range(5):
        with pytest.raises(AuthFailed):
            m.admin.login("koeln", "falsch-falsch-falsch", "10.0.0.3")
    with pytest.raises(TooManyAttempts, match="Zu viele fehlgeschlagene Anmeldungen"):
        m.admin.login("koeln", PASSWORD, "10.0.0.3")  # even the right password now
    assert m.admin.login("koeln", PASSWORD, "10.0.0.4").account.name == "koeln"  # other address
    # after the window, the name may try again from the first address
    with connect(m.store.url, write=True) as conn:
        conn.execute(update(a.login_attempts).values(
            at=datetime.now(UTC) - timedelta(minutes=16)))
    assert m.admin.login("koeln", PASSWORD, "10.0.0.3").account.name == "koeln"
    attempts = _rows(m, a.login_attempts)
    assert sum(not r["success"] for r in attempts) == 5
    assert sum(bool(r["success"]) for r in attempts) == 2


def test_login_attempts_older_than_a_day_are_deleted(m: Kekiz) -> None:
    m.admin.create_user("koeln", PASSWORD, Role.VIEWER, "05315000")
    with pytest.raises(AuthFailed):
        m.admin.login("koeln", "falsch-falsch-falsch", "10.0.0.5")
    with connect(m.store.url, write=True) as conn:  # that attempt is now 25 hours old
        conn.execute(update(a.login_attempts).values(
            at=datetime.now(UTC) - timedelta(hours=25)))
    m.admin.login("koeln", PASSWORD, "10.0.0.6")
    attempts = _rows(m, a.login_attempts)
    assert [(r["ip"], bool(r["success"])) for r in attempts] == [("10.0.0.6", True)]


def test_grants_scope_and_who_may_grant(m: Kekiz) -> None:
    units = m.store.units_frame()
    kreis = "05334"  # StädteRegion Aachen in the test boundaries
    towns = sorted(units.loc[units["parent_id"] == kreis, "id"])
    assert len(towns) >= 2
    viewer = m.admin.create_user("stadt", PASSWORD, Role.VIEWER, towns[0])
    assert m.admin.visible_units(viewer) == frozenset({towns[0]})
    assert m.admin.visible_units(m.admin.create_user("land", PASSWORD, Role.STATE)) is None
    editor = m.admin.create_user("kreis", PASSWORD, Role.EDITOR, kreis)
    assert m.admin.visible_units(editor) == frozenset({kreis, *towns})
    with pytest.raises(Forbidden):
        m.admin.grant(kreis, towns[0], account=viewer)
    with pytest.raises(Forbidden):  # an editor grants only its own unit
        m.admin.grant(towns[1], towns[0], account=editor)
    assert m.admin.grant(kreis, towns[0], actor="kreis", account=editor) is True
    assert m.admin.grant(kreis, towns[0], actor="kreis", account=editor) is False
    assert m.admin.visible_units(viewer) == frozenset({kreis, *towns})
    # the viewer's own units (for its role) are the grantor's and its own; outside them it
    # reads what the public reads (issue #20: one rule for scope)
    assert m.audience(viewer).own_units == frozenset({kreis, *towns})
    assert m.admin.revoke_grant(kreis, towns[0], account=editor) is True
    assert m.admin.visible_units(viewer) == frozenset({towns[0]})


def test_imports_and_admin_actions_are_audited_with_before_and_after(m: Kekiz) -> None:
    opts = IndicatorOptions(level="gemeinde")
    m.imports.indicators(GOOD / "einwohner_v1.csv", opts, dataset="EW 2015")
    m.imports.indicators(GOOD / "einwohner_v2.csv", IndicatorOptions(level="gemeinde"),
                        dataset="EW 2015")
    m.admin.create_user("koeln", PASSWORD, Role.VIEWER, "05315000", actor="chef")
    m.admin.update_user("koeln", role=Role.EDITOR, actor="chef")
    log = m.admin.audit_log(limit=50)
    imports = log[log["object"] == "dataset:EW 2015"].sort_values("id")
    assert list(imports["action"]) == ["import:indicators", "import:indicators"]
    assert set(imports["actor"]) == {"tester"}
    first, second = (json.loads(x) for x in imports["after"])
    assert (first["revision"], first["rows"]) == (1, 3)  # einwohner_v1.csv has 3 rows
    assert (second["revision"], second["rows"]) == (2, 2)
    assert pd.isna(imports["before"].iloc[0])
    before = json.loads(imports["before"].iloc[1])
    assert (before["revision"], before["rows"]) == (1, 3)
    assert second["sha256"] == hashlib.sha256(
        (GOOD / "einwohner_v2.csv").read_bytes()).hexdigest()
    boundary = log[log["action"] == "import:boundaries"]
    assert len(boundary) == 2
    upd = log[log["action"] == "user.update"].iloc[0]
    assert upd["actor"] == "chef" and upd["object"] == "user:koeln"
    assert json.loads(upd["before"])["role"] == "viewer"
    assert json.loads(upd["after"])["role"] == "editor"
    # newest first, filters by actor and action prefix
    assert list(log["id"]) == sorted(log["id"], reverse=True)
    assert set(m.admin.audit_log(action="user")["action"]) == {"user.create", "user.update"}
    assert set(m.admin.audit_log(actor="chef")["actor"]) == {"chef"}


def test_a_failed_import_leaves_no_audit_entry(m: Kekiz) -> None:
    before = len(m.admin.audit_log(limit=1000))
    with pytest.raises(KekizError):
        m.imports.indicators(GOOD / "einwohner_v1.csv", IndicatorOptions(level="stadtteil"))
    assert len(m.admin.audit_log(limit=1000)) == before
