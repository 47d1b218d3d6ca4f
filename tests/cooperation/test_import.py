"""Importing survey exports (CSV/XLSX): the good file, and bad files that change nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kekiz.domain.cooperation import Direction, TieType
from kekiz.domain.errors import ImportFailed
from tests.cooperation.conftest import GOOD_ROWS, HEADER, GoalMonitor, good_csv


def test_good_csv_becomes_a_wave(monitor: GoalMonitor, tmp_path: Path) -> None:
    result = monitor.cooperation.import_wave(good_csv(tmp_path / "welle1.csv"), 1)
    assert (result.actors, result.reports, result.synthetic) == (4, 3, False)
    net = monitor.cooperation.network(1)
    assert set(net.partners) == {"K1", "G1", "JA", "AR"}
    k1 = net.partners["K1"]
    assert (k1.sector, k1.life_phases, k1.unit_id, k1.respondent) == (
        "youth_welfare", ("0-3", "3-6"), "05315000-101", True)
    assert net.partners["JA"].life_phases == ("all",) and not net.partners["JA"].respondent
    assert net.partners["AR"].unit_id == "05315000-101"  # local key '101' resolved
    ties = {(t.source, t.target): t for t in net.ties}
    kg = ties[("K1", "G1")]
    assert kg.types == (TieType.INFORMATION, TieType.AGREEMENT)
    assert (kg.intensity, kg.trust, kg.value) == (3, 3.67, 3.33)
    assert ties[("K1", "JA")].direction is Direction.OUT
    assert ties[("G1", "K1")].direction is Direction.MUTUAL
    assert str(ties[("G1", "K1")].surveyed_on) == "2024-03-05"
    waves = monitor.cooperation.waves()
    assert waves[0]["wave"] == 1 and waves[0]["actors"] == 4 and waves[0]["reports"] == 3
    m = monitor.cooperation.metrics(1)
    assert m.isolates == ["AR"] and m.ties == 2


def test_reimport_replaces_the_wave(monitor: GoalMonitor, tmp_path: Path) -> None:
    monitor.cooperation.import_wave(good_csv(tmp_path / "w.csv"), 1)
    monitor.cooperation.import_wave(good_csv(tmp_path / "w.csv", GOOD_ROWS[:1]), 1)
    assert set(monitor.cooperation.network(1).partners) == {"K1", "G1"}
    assert len(monitor.cooperation.waves()) == 1


def test_xlsx_export_is_read(monitor: GoalMonitor, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Netzwerkbefragung 2025"])  # a title row above the header
    ws.append(HEADER.split(";"))
    for row in GOOD_ROWS:
        cells: list[object] = row.split(";")
        cells[1] = 2
        cells[16] = str(cells[16]).replace(",", ".")
        ws.append(cells)
    path = tmp_path / "welle2.xlsx"
    wb.save(path)
    result = monitor.cooperation.import_wave(path, 2)
    assert result.reports == 3
    ties = {(t.source, t.target): t for t in monitor.cooperation.network(2).ties}
    assert ties[("K1", "G1")].trust == pytest.approx(3.67)


def test_synthetic_flag_and_prefix(monitor: GoalMonitor, tmp_path: Path) -> None:
    rows = [r.replace("nein;", "ja;", 1) for r in GOOD_ROWS]
    result = monitor.cooperation.import_wave(good_csv(tmp_path / "netz.csv", rows), 1)
    assert result.synthetic and result.dataset.name.startswith("SYNTHETISCH")
    result = monitor.cooperation.import_wave(good_csv(tmp_path / "SYNTHETISCH_x.csv"), 1)
    assert result.synthetic


def _bad(row: int, col: int, value: str) -> list[str]:
    rows = list(GOOD_ROWS)
    cells = rows[row].split(";")
    cells[col] = value
    rows[row] = ";".join(cells)
    return rows


@pytest.mark.parametrize(("rows", "fragments"), [
    (_bad(0, 5, "Feuerwehr"), ["Zeile 2", "Spalte 'befragte_sektor'", "'Feuerwehr'",
                               "Sektor unbekannt"]),
    (_bad(0, 16, "5"), ["Zeile 2", "Spalte 'vertrauen'", "Skala 1 bis 4"]),
    (_bad(0, 15, "2,5"), ["Spalte 'intensitaet'", "ganze Zahl"]),
    (_bad(0, 13, "Kaffeeklatsch"), ["Spalte 'kooperationsart'", "Kooperationsart unbekannt"]),
    (_bad(0, 14, "quer"), ["Spalte 'richtung'", "Richtung unbekannt"]),
    (_bad(0, 6, "Rente"), ["Spalte 'befragte_lebensphasen'", "Lebensphase unbekannt"]),
    (_bad(0, 12, "05315000-999"), ["Spalte 'partner_gebiet'", "Gebiet unbekannt"]),
    (_bad(0, 1, "2"), ["Spalte 'welle'", "Welle passt nicht"]),
    ([r.replace(";1;", ";3;", 1) for r in GOOD_ROWS],
     ["Zeile 2, Spalte 'welle': '3' Welle passt nicht zur angegebenen Welle 1 (in 4 Zeilen)",
      "(1 Problem)"]),
    (_bad(0, 2, "31.02.2024"), ["Spalte 'datum'", "kein Datum"]),
    (_bad(0, 0, "vielleicht"), ["Spalte 'synthetisch'", "Ja/Nein"]),
    (_bad(0, 8, "K1"), ["Zeile 2", "nennt sich selbst"]),
    ([*GOOD_ROWS, GOOD_ROWS[0]], ["Zeile 6", "Paar doppelt (auch Zeile 2)"]),
    (_bad(2, 9, "Grundschule Anderswo"), ["Zeile 4", "Spalte 'partner_organisation'",
                                          "widersprechen Zeile 2"]),
    ([GOOD_ROWS[0].replace("JA;Jugendamt", "X"), *_bad(1, 10, "")[1:2]],
     ["Sektor des Akteurs 'JA' fehlt in allen Zeilen"]),
])
def test_bad_rows_are_rejected_and_change_nothing(monitor: GoalMonitor, tmp_path: Path,
                                                  rows: list[str],
                                                  fragments: list[str]) -> None:
    monitor.cooperation.import_wave(good_csv(tmp_path / "ok.csv"), 1)
    before = monitor.store.snapshot()
    with pytest.raises(ImportFailed) as err:
        monitor.cooperation.import_wave(good_csv(tmp_path / "umfrage.csv", rows), 1)
    text = err.value.message
    assert "umfrage.csv" in text and "nichts gespeichert" in text
    for fragment in fragments:
        assert fragment in text, text
    assert "Erwartet:" in text and "Abhilfe:" in text
    assert "Expected:" in err.value.message_en
    assert monitor.store.snapshot() == before


def test_missing_columns_are_named(monitor: GoalMonitor, tmp_path: Path) -> None:
    path = tmp_path / "kurz.csv"
    path.write_text("befragte_id;partner_id\nA;B\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        monitor.cooperation.import_wave(path, 1)
    assert "befragte_organisation" in err.value.message
    assert "kooperationsart" in err.value.message


def test_wave_must_be_positive(monitor: GoalMonitor, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="positive ganze Zahl"):
        monitor.cooperation.import_wave(good_csv(tmp_path / "w.csv"), 0)
