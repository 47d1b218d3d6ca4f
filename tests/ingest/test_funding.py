"""Funding ledgers (issue #18): an amount that is a missing-value marker is no booking -
the row is left out and the note counts it; it never becomes an amount."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Member
from kekiz.ingest.funding import parse_funding
from kekiz.ingest.tables import read_table

PROGRAMME = "Kein Kind zurücklassen!"
MEMBERS = [Member("05111000", "Düsseldorf", PROGRAMME, date(2012, 1, 1))]
INDEX = {"id": {"05111000": "05111000"}}


def test_marker_amounts_are_left_out_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "foerderung.csv"
    path.write_text("ags;jahr;quelle;betrag\n05111000;2013;Land NRW;30.000\n"
                    "05111000;2014;Land NRW;-9999\n05111000;2015;Land NRW;-\n"
                    "05111000;2016;Land NRW;-9999\n", encoding="utf-8")
    report = ValidationReport(path.name)
    table = read_table(path, report)
    assert table is not None
    rows = parse_funding(table, PROGRAMME, MEMBERS, report, INDEX)
    assert report.ok, report.render()
    assert rows[["year", "amount"]].values.tolist() == [[2013, 30000.0]]
    assert report.notes == [
        "2 Werte '-9999' als fehlend gelesen (Spalte 'betrag'); diese Buchungen sind nicht "
        "übernommen.",
        "1 Wert '-' als fehlend gelesen (Spalte 'betrag'); in amtlichen Tabellen kann ein "
        "Strich 'genau null' bedeuten: dann --missing ohne den Strich angeben; diese "
        "Buchungen sind nicht übernommen.",
    ]
