"""Deleting a dataset, a unit and a period with every value derived from them, on SQLite
and PostgreSQL; the audit entry; everything else unchanged (issue #18)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kekiz.app import Kekiz
from kekiz.cli import main
from kekiz.domain.errors import KekizError
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.settings import load_settings

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
#: positions in a row of the observations table (see storage/schema.py)
ID, IND, UNIT, PERIOD, DATASET, METHOD = 0, 1, 2, 3, 10, 11


@pytest.fixture
def m(store_url: str) -> Iterator[Kekiz]:
    app = Kekiz(load_settings({"store": store_url, "user": "tester"}, environ={}))
    app.imports.boundaries(GOOD / "base_kreise.geojson", BoundaryOptions(
        level="kreis", id_field="AGS", name_field="GEN", key_fields={"ars": "ARS"}))
    app.imports.boundaries(GOOD / "base_gemeinden.geojson", BoundaryOptions(
        level="gemeinde", id_field="AGS", name_field="GEN", parent_field="KRS",
        key_fields={"ars": "ARS"}))
    app.imports.indicators(GOOD / "base_einwohner.csv", IndicatorOptions(level="gemeinde"),
                           dataset="ew2021")
    app.imports.indicators(GOOD / "einwohner_v1.csv", IndicatorOptions(level="gemeinde"),
                           dataset="ew2015")
    app.data.aggregate(["einwohner"])
    app.monitoring.classify("einwohner", "gemeinde", "2021", method="quantiles", k=3)
    try:
        yield app
    finally:
        app.close()


def _dataset_id(m: Kekiz, name: str) -> int:
    [ds] = [d for d in m.store.datasets() if d.name == name]
    assert ds.id is not None
    return ds.id


def _only_removed(before: dict[str, list[Any]], after: dict[str, list[Any]],
                  removed: dict[str, set[Any]], action: str) -> None:
    """``after`` is ``before`` without the rows whose first column is in ``removed``,
    plus one audit entry; the data version grew by one."""
    for table, rows in before.items():
        if table == "audit_log":
            new = [r for r in after[table] if r not in rows]
            assert len(new) == 1 and new[0][3] == action and new[0][2] == "tester"
            continue
        if table == "meta":
            assert dict(after[table])["data_version"] == dict(rows)["data_version"] + 1
            continue
        gone = removed.get(table, set())
        expected = [r for r in rows if r[0] not in gone]
        assert after[table] == expected, table
        assert gone <= {r[0] for r in rows}, table  # the removed rows were there


def test_delete_a_dataset_removes_its_values_and_what_was_derived(m: Kekiz) -> None:
    before = m.store.snapshot()
    obs = before["observations"]
    ew = _dataset_id(m, "ew2021")
    classes = next(d.id for d in m.store.datasets() if d.kind == "derived"
                   and d.details.get("method") != "aggregate_up")
    # by hand: the 6 imported values of 2021, the 3 Kreis sums of 2021, the 6 classes
    expected = {r[ID] for r in obs if r[DATASET] == ew}
    sums = {r[ID] for r in obs if r[METHOD] == "aggregate_up" and r[PERIOD] == "2021"}
    klassen = {r[ID] for r in obs if r[DATASET] == classes}
    assert (len(expected), len(sums), len(klassen)) == (6, 3, 6)
    plan = m.deletion.plan("dataset", "ew2021")
    m.deletion.delete(plan)
    _only_removed(before, m.store.snapshot(),
                  {"observations": expected | sums | klassen, "datasets": {ew, classes}},
                  "delete.dataset")
    assert m.store.periods()["einwohner"] == ["2015"]


def test_delete_a_unit_removes_its_values_and_the_sums_above(m: Kekiz) -> None:
    before = m.store.snapshot()
    obs = before["observations"]
    gone = {r[ID] for r in obs if r[UNIT] == "05334004"}
    periods = {r[PERIOD] for r in obs if r[UNIT] == "05334004"}
    assert periods == {"2015", "2021"}
    sums = {r[ID] for r in obs if r[UNIT] == "05334" and r[METHOD] == "aggregate_up"}
    classes = next(d.id for d in m.store.datasets() if d.kind == "derived"
                   and d.details.get("method") != "aggregate_up")
    klassen = {r[ID] for r in obs if r[DATASET] == classes}
    assert sums and klassen
    m.deletion.delete(m.deletion.plan("unit", "05334004"))
    _only_removed(before, m.store.snapshot(),
                  {"observations": gone | sums | klassen, "units": {"05334004"},
                   "unit_keys": {"05334004"}, "datasets": {classes}}, "delete.unit")


def test_delete_a_period_keeps_the_other_periods(m: Kekiz) -> None:
    before = m.store.snapshot()
    obs = before["observations"]
    gone = {r[ID] for r in obs if r[PERIOD] == "2021"}
    # 6 imported values, 3 Kreis sums and 6 classes of 2021 (2015 has no Kreis sum:
    # one Gemeinde of 05334 lacks a value)
    assert [r[METHOD] for r in obs if r[ID] in gone].count("aggregate_up") == 3
    assert len(gone) == 15
    classes = next(d.id for d in m.store.datasets() if d.kind == "derived"
                   and d.details.get("method") != "aggregate_up")
    m.deletion.delete(m.deletion.plan("period", "2021"))
    _only_removed(before, m.store.snapshot(), {"observations": gone, "datasets": {classes}},
                  "delete.period")
    assert m.store.periods()["einwohner"] == ["2015"]


def test_a_unit_with_members_is_refused_with_the_reason(m: Kekiz) -> None:
    m.imports.members(GOOD / "mitglieder.csv", "KeKiz")
    before = m.store.snapshot()
    with pytest.raises(KekizError, match=r"abgelehnt: darauf verweisen 1 Mitgliedschaften"):
        m.deletion.delete(m.deletion.plan("unit", "05315000"))
    assert m.store.snapshot() == before


def test_cli_asks_first_and_yes_skips_the_question(m: Kekiz) -> None:
    args = ["--store", m.store.url, "delete", "period", "2015", "--indicator", "einwohner"]
    env = {"KEKIZ_USER": "tester"}
    before = m.store.snapshot()
    result = CliRunner().invoke(main.app, args, input="n\n", env=env)
    assert result.exit_code == 1, result.output
    assert "Abgebrochen; nichts wurde gelöscht." in result.output
    assert m.store.snapshot() == before
    result = CliRunner().invoke(main.app, [*args, "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert "Werte" in result.output and "Gelöscht:" in result.output
    assert "2015" not in m.store.periods()["einwohner"]


def test_a_second_delivery_says_whose_values_it_replaced(m: Kekiz) -> None:
    result = m.imports.indicators(GOOD / "einwohner_v2.csv",
                                  IndicatorOptions(level="gemeinde"), dataset="andere")
    # the file's two rows (05334004, 05334008 in 2015) were held by 'ew2015'
    assert result.overwritten == {"ew2015": 2}
    assert any("2 Werte des Datensatzes 'ew2015' ersetzt; sie gehören jetzt zu "
               "'andere'" in note for note in result.notes)


def test_goals_on_an_indicator_refuse_its_deletion_unless_forced(m: Kekiz) -> None:
    from sqlalchemy import insert

    from kekiz.storage import schema_cooperation as c
    from tests.sql import connect

    with connect(m.store.url, write=True) as conn:
        conn.execute(insert(c.leitbilder).values(id="lb", name="Leitbild", unit_id="05334"))
        conn.execute(insert(c.leitbild_goals).values(leitbild_id="lb", id="g1", position=1,
                                                     result_de="Ziel"))
        conn.execute(insert(c.leitbild_targets).values(
            leitbild_id="lb", goal_id="g1", position=1, indicator_id="einwohner",
            unit_id="05334004", target_value=50000, target_year=2030, direction="up"))
    before = m.store.snapshot()
    plan = m.deletion.plan("indicator", "einwohner")
    assert plan.goals == ["lb/g1: einwohner 05334004"]
    with pytest.raises(KekizError, match=r"abgelehnt: 1 Zielwerte eines Leitbilds beruhen "
                                         r"darauf \(lb/g1: einwohner 05334004\).*--force"):
        m.deletion.delete(plan)
    assert m.store.snapshot() == before
    m.deletion.delete(plan, force=True)
    assert "einwohner" not in {i.id for i in m.store.indicators()}
    entry = m.store.auth.audit_entries(action="delete.indicator")
    assert len(entry) == 1
