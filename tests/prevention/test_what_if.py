"""What-if scenarios on the stored offers (issue #5): add, move and remove offers and
recompute coverage and 2SFCA accessibility per unit; hand-computed on a small store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

from kekiz.app import Kekiz
from kekiz.domain.errors import MethodError
from kekiz.domain.model import Dataset, Indicator, Unit
from kekiz.prevention.siting import Change, parse_change
from kekiz.settings import load_settings
from kekiz.storage import Store, open_store

U1, U2 = "05315000-505", "05315000-801"


def _square(x0: float, y0: float, d: float = 0.02) -> Any:
    return shapely.box(x0, y0, x0 + d, y0 + d)


# The inner points (demand points with demand='units') of the two squares; they are
# about 3.9 km apart, so with a radius of 1,500 m each reaches only the offers near it.
P1 = _square(6.94, 50.95).representative_point()
P2 = _square(6.99, 50.93).representative_point()


def _store(tmp_path: Path) -> Store:
    """Two Stadtteile with 100 and 50 children aged 3 to under 6 and three Kitas:
    A (10 places) and B (5 places) in U1, C (4 places) in U2."""
    store = open_store(f"sqlite:///{tmp_path / 'whatif.db'}")
    with store.transaction() as tx:
        tx.upsert_units([
            Unit(id="05315000", name="Köln", level="gemeinde"),
            Unit(id=U1, name="Nord (Test)", level="stadtteil", parent_id="05315000",
                 geometry=shapely.to_wkb(_square(6.94, 50.95))),
            Unit(id=U2, name="Süd (Test)", level="stadtteil", parent_id="05315000",
                 geometry=shapely.to_wkb(_square(6.99, 50.93)))])
        ds = Dataset(name="Kinder (Test)", kind="indicators")
        tx.add_dataset(ds)
        tx.upsert_indicators([Indicator("einwohner_3_6", "Kinder 3 bis unter 6",
                                        "children 3 to under 6")])
        tx.upsert_observations(pd.DataFrame({
            "indicator_id": "einwohner_3_6", "unit_id": [U1, U2], "period": "2024",
            "value": [100.0, 50.0], "status": "ok", "dataset_id": ds.id}))
    csv = tmp_path / "kitas.csv"
    csv.write_text(
        "Kennung;Angebot;Träger;Lebensphase;Bereich;Plätze;Themen;lat;lon\n"
        f"A;Kita A;Träger;3-6;Kinder- und Jugendhilfe;10;Kita;{P1.y};{P1.x}\n"
        f"B;Kita B;Träger;3-6;Kinder- und Jugendhilfe;5;Kita;{P1.y + 0.001};{P1.x}\n"
        f"C;Kita C;Träger;3-6;Kinder- und Jugendhilfe;4;Kita;{P2.y};{P2.x + 0.001}\n",
        encoding="utf-8")
    Kekiz(load_settings({"store": store.url}), store).directory.import_services(
        csv, dataset="Kitas (Test)")
    return store


@pytest.fixture
def monitor(tmp_path: Path) -> Any:
    store = _store(tmp_path)
    try:
        yield Kekiz(load_settings({"store": store.url}), store)
    finally:
        store.dispose()


def _id(m: Kekiz, name: str) -> str:
    offers = m.directory.stored_directory().offers()
    return str(offers.loc[offers["name"] == name, "offer_id"].iloc[0])


def test_what_if_hand_computed(monitor: Kekiz) -> None:
    c_id = _id(monitor, "Kita C")
    changes = [parse_change("remove", "Kita B"),
               parse_change("move", f"{c_id[:8]}:{P1.y:.6f},{P1.x:.6f}"),
               parse_change("add", f"Kita Neu;{P2.y};{P2.x};6;3-6")]
    res = monitor.chain.what_if(changes, demand="units", radius=1500)
    t = res.table.set_index("unit_id")
    # before: U1 reaches A and B (15 places) for 100 children: 0.15 places per child;
    #         U2 reaches C (4 places) for 50 children: 0.08
    # after:  B closed, C moved to U1: U1 reaches A and C (14 places): 0.14;
    #         the new Kita (6 places) in U2 serves its 50 children: 0.12
    assert t.loc[U1, "accessibility_before"] == pytest.approx(0.15)
    assert t.loc[U2, "accessibility_before"] == pytest.approx(0.08)
    assert t.loc[U1, "accessibility_after"] == pytest.approx(0.14)
    assert t.loc[U2, "accessibility_after"] == pytest.approx(0.12)
    assert t.loc[U1, "accessibility_change"] == pytest.approx(-0.01)
    assert t.loc[U2, "accessibility_change"] == pytest.approx(0.04)
    # counts per unit: U1 had A, B and has A, C; U2 had C and has the new Kita
    assert t[["offers_before", "offers_after", "offers_change"]].to_numpy().tolist() == \
        [[2, 2, 0], [1, 1, 0]]
    assert t.loc[U1, "capacity_before"] == 15 and t.loc[U1, "capacity_after"] == 14
    assert t.loc[U2, "capacity_before"] == 4 and t.loc[U2, "capacity_after"] == 6
    assert t.loc[U2, "places_per_child_after"] == pytest.approx(0.12)
    assert t.loc[U1, "offers_per_1000_before"] == pytest.approx(20.0)
    # child-weighted means: (100 * 0.15 + 50 * 0.08) / 150 and (100 * 0.14 + 50 * 0.12) / 150
    assert res.meta["mean_accessibility_before"] == pytest.approx(19 / 150)
    assert res.meta["mean_accessibility_after"] == pytest.approx(20 / 150)
    assert res.meta["children_without_before"] == 0 == res.meta["children_without_after"]
    assert (res.meta["offers_before"], res.meta["offers_after"]) == (3, 3)
    assert [c["name"] for c in res.meta["changes"]] == ["Kita B", "Kita C", "Kita Neu"]
    lat1, lon1 = (f"{v:.5f}".replace(".", ",") for v in (P1.y, P1.x))
    assert res.summary_de[0] == (f"Änderungen: entfernt: Kita B; verlegt: Kita C → {lat1}, "
                                 f"{lon1}; neu: Kita Neu ("
                                 + ", ".join(f"{v:.5f}".replace(".", ",") for v in (P2.y, P2.x))
                                 + "; 6 Plätze).")
    assert res.summary_de[2] == ("Erreichbarkeit im Mittel (Plätze je Kind): 0,127 vorher, "
                                 "0,133 nachher (+0,007).")
    assert res.summary_en[3] == ("Children without an offer in reach: 0 (0.0%) before, 0 "
                                 "(0.0%) after.")
    assert list(res.changed()["unit_id"]) == [U2, U1]
    # the coverage of the stored offers is untouched: nothing was written
    cov = monitor.chain.coverage(demand="units", radius=1500).table.set_index("unit_id")
    assert cov.loc[U1, "accessibility"] == pytest.approx(0.15)
    assert cov.loc[U1, "offers"] == 2


def test_what_if_moving_out_of_every_unit_and_removing_the_last_offer(
        monitor: Kekiz) -> None:
    res = monitor.chain.what_if([Change("remove", "Kita C"),
                           Change("move", "Kita A", lat=P1.y, lon=6.90)],
                          demand="units", radius=1500)
    t = res.table.set_index("unit_id")
    # A moves west out of U1 (6.90 is about 3.5 km from P1): U1 keeps B only (5 / 100);
    # U2 has no offer left
    assert t.loc[U1, "accessibility_after"] == pytest.approx(0.05)
    assert t.loc[U2, "accessibility_after"] == 0.0
    assert t.loc[U1, "offers_after"] == 1 and t.loc[U2, "offers_after"] == 0
    assert res.meta["children_without_after"] == 50
    assert any("in keinem Gebiet" in n and "Kita A" in n for n in res.notes)


def test_what_if_errors_name_value_and_fix(monitor: Kekiz) -> None:
    with pytest.raises(MethodError, match=r"'Kita X' ist nicht unter den 3 Angeboten.*"
                                          r"Abhilfe"):
        monitor.chain.what_if([Change("remove", "Kita X")], demand="units")
    with pytest.raises(MethodError, match=r"Lebensphase\(n\) 0-3.*--life-phase 0-3"):
        monitor.chain.what_if([parse_change("add", "Krippe;50,95;6,95;10;0-3")], demand="units")
    with pytest.raises(MethodError, match="Keine Änderung"):
        monitor.chain.what_if([], demand="units")


@pytest.mark.parametrize(("action", "text", "message"), [
    ("add", "Kita;50.9", "NAME;BREITE;LÄNGE"),
    ("add", "Kita;95;6.9", "Breite in Grad"),
    ("add", "Kita;50.9;6.9;viele", "Platzzahl ab 0, nicht 'viele'"),
    ("add", "Kita;50.9;6.9;10;Kindheit", "nicht 'Kindheit'"),
    ("move", "ohne-Doppelpunkt", "KENNUNG:BREITE,LÄNGE"),
    ("move", "A:50.9", "KENNUNG:BREITE,LÄNGE"),
    ("move", "A:50.9,x", "Länge in Grad"),
    ("remove", " ", "Kennung oder den Namen"),
])
def test_parse_change_rejects_bad_text(action: str, text: str, message: str) -> None:
    with pytest.raises(MethodError, match="Abhilfe") as exc:
        parse_change(action, text)
    assert message in exc.value.message and f"--{action} '{text}'" in exc.value.message


def test_parse_change_reads_decimal_commas_and_phases() -> None:
    ch = parse_change("add", "Familienzentrum Ost; 50,9375 ; 6,96;40;0-3, 3-6")
    assert ch == Change("add", None, lat=50.9375, lon=6.96, capacity=40.0,
                        name="Familienzentrum Ost", life_phases=("0-3", "3-6"))
    assert parse_change("move", "a:b:50.1,7.2") == Change("move", "a:b", lat=50.1, lon=7.2)
    assert parse_change("move", "X:50,1;7,2") == Change("move", "X", lat=50.1, lon=7.2)
    assert parse_change("add", "K;50.1;7.2").capacity is None
