"""Funding ledger (issue #7): totals, per child, and bad ledgers rejected whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from kekiz.app import Kekiz
from kekiz.domain.errors import ImportFailed
from kekiz.settings import load_settings


@pytest.fixture(scope="module")
def demo(demo_module_url: str) -> Kekiz:
    return Kekiz(load_settings({"store": demo_module_url}))


def test_ledger_totals_and_per_child(demo: Kekiz) -> None:
    data = demo.network.funding_ledger()
    y17 = data["by_year"][2017]
    assert y17["members"] == 40 and y17["amount"] == 40 * 30_000
    reach = demo.network.reach(2017)
    assert y17["eur_per_child"] == pytest.approx(1_200_000 / reach.children_in_members)
    assert data["by_year"][2012]["amount"] == 18 * 30_000
    assert sum(r["amount"] for r in data["by_member"]) == (18 * 8 + 22 * 3) * 30_000
    assert any("keine Ist-Zahlen" in n for n in data["notes"])


@pytest.mark.parametrize(("content", "fragment"), [
    ("ags;jahr;quelle;betrag\n05314000;2017;Land;30.000\n", "kein Mitglied"),  # Bonn
    ("ags;jahr;quelle;betrag\n05913;2011;Land;30.000\n", "außerhalb der Mitgliedschaft"),
    ("ags;jahr;quelle;betrag\n05913;2013;Land;-5\n", "Betrag"),
    ("ags;jahr;quelle;betrag\n05913;2013;Land;1\n05913;2013;Land;2\n", "Doppelte Buchung"),
    ("ags;jahr;betrag\n05913;2013;1\n", "Pflichtspalte fehlt"),
])
def test_bad_ledger_changes_nothing(demo: Kekiz, tmp_path: Path, content: str,
                                    fragment: str) -> None:
    bad = tmp_path / "foerderung.csv"
    bad.write_text(content, encoding="utf-8")
    before = demo.store.snapshot()
    with pytest.raises(ImportFailed) as err:
        demo.imports.funding(bad)
    assert fragment in err.value.message and "foerderung.csv" in err.value.message
    assert demo.store.snapshot() == before


def test_kreisfreie_stadt_by_either_key(demo: Kekiz, tmp_path: Path) -> None:
    # runs last: it replaces the demo ledger.  Dortmund is a member by its Kreis key 05913;
    # the ledger may name it by its Gemeinde key 05913000 as well.
    ledger = tmp_path / "foerderung.csv"
    ledger.write_text("ags;jahr;quelle;betrag\n05913000;2013;Land;30.000\n"
                      "05913;2014;Land;25.000\n", encoding="utf-8")
    demo.imports.funding(ledger)
    rows = demo.store.funding()
    assert sorted(zip(rows["unit_id"], rows["year"], rows["amount"], strict=True)) == \
        [("05913", 2013, 30_000.0), ("05913", 2014, 25_000.0)]
