"""The one workbook reader (issue #16): XLSX streamed by openpyxl, the old XLS by xlrd,
the same clear errors for both, and the tables and Leitbild files read through it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.tables import read_table
from kekiz.ingest.workbook import cell_text, open_workbook, read_sheet, read_sheets

INKAR_XLS = Path("data") / "gisd_rki" / "inkar_raw" / "E_Schuldnerquote.xls"


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Daten"
    ws.append(["Kennziffer", "Wert", "leer"])
    ws.append(["05315000", 12.5, None])
    ws.append(["05111000", 7.0, None])
    ws.append(["05334002", 3, None])
    other = wb.create_sheet("Quelle")
    other.append(["Destatis"])
    wb.save(path)
    return path


def test_rows_are_streamed_with_their_raw_values(tmp_path: Path) -> None:
    report = ValidationReport("t.xlsx")
    wb = open_workbook(_xlsx(tmp_path / "t.xlsx"), report)
    assert wb is not None and report.ok
    with wb:
        assert wb.sheet_names == ["Daten", "Quelle"]
        assert list(wb.rows()) == [("Kennziffer", "Wert", "leer"), ("05315000", 12.5, None),
                                   ("05111000", 7, None), ("05334002", 3, None)]
        # rows 2-3 only, as spreadsheet row numbers
        assert [r[0] for r in wb.rows(first=2, last=3)] == ["05315000", "05111000"]
        assert list(wb.rows("Quelle")) == [("Destatis",)]


def test_sheets_as_text_and_raw(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx")
    report = ValidationReport(path.name)
    # a whole float loses its ".0", like a CSV cell; empty cells are ""
    assert read_sheet(path, report) == [["Kennziffer", "Wert", "leer"],
                                        ["05315000", "12.5", ""], ["05111000", "7", ""],
                                        ["05334002", "3", ""]]
    sheets = read_sheets(path, report)
    assert sheets is not None and report.ok
    assert sheets["Quelle"] == [["Destatis"]] and sheets["Daten"][1] == ["05315000", 12.5, None]
    assert [cell_text(v) for v in (None, 7.0, 0.1, 12, "x")] == ["", "7", "0.1", "12", "x"]


def test_a_missing_sheet_names_the_sheets_there_are(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx")
    report = ValidationReport(path.name)
    assert read_sheet(path, report, "Tabelle1") is None
    problem = report.problems[0]
    assert (problem.message, problem.value) == ("Tabellenblatt nicht gefunden", "Tabelle1")
    assert problem.expected == "eines von: Daten, Quelle"


def test_an_unreadable_workbook_is_reported_not_raised(tmp_path: Path) -> None:
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(_xlsx(tmp_path / "t.xlsx").read_bytes()[:300])  # cut off in transfer
    report = ValidationReport(broken.name)
    assert open_workbook(broken, report) is None
    problem = report.problems[0]
    assert problem.message.startswith("Die Datei ist keine lesbare XLSX-Datei")
    assert "neu speichern" in problem.fix and problem.message_en == \
        "the file is not a readable XLSX workbook"
    old = tmp_path / "alt.xls"
    old.write_bytes(b"kein Excel 97")
    report = ValidationReport(old.name)
    assert read_sheet(old, report) is None
    assert report.problems[0].message.startswith("Die Datei ist keine lesbare XLS-Datei")


def test_a_real_xls_file_of_inkar(shared_dir: Path) -> None:
    """INKAR's Schuldnerquote (BBSR) as published: sheet 'Daten', two header rows, then
    one row per Kreis; Flensburg 2004 is 16.94 (cell D3 in Excel)."""
    path = shared_dir / INKAR_XLS
    report = ValidationReport(path.name)
    wb = open_workbook(path, report)
    assert wb is not None
    with wb:
        assert wb.sheet_names == ["Daten", "Metadaten", "Quellangabe"]
        row = next(wb.rows(first=3, last=3))
        assert row[:4] == ("01001", "Flensburg, Stadt", "Kreise", 16.94)
    # before the one reader, an unknown sheet of an .xls raised xlrd's own error
    assert read_table(path, report, sheet="Tabelle1") is None
    assert report.problems[0].message == "Tabellenblatt nicht gefunden"
    assert report.problems[0].expected == "eines von: Daten, Metadaten, Quellangabe"
    table = read_table(path, ValidationReport(path.name), sheet="Daten")
    assert table is not None and table.encoding == "xls"
    assert table.header[:4] == ["Kennziffer", "Raumeinheit", "Aggregat", "Schuldnerquote"]
    assert table.rows[1][:4] == ["01001", "Flensburg, Stadt", "Kreise", "16.94"]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_tables_read_workbooks_through_the_reader(tmp_path: Path, suffix: str) -> None:
    path = _xlsx(tmp_path / f"t{suffix}")
    table = read_table(path, ValidationReport(path.name))
    assert table is not None and table.encoding == "xlsx"
    assert table.header == ["Kennziffer", "Wert", "leer"]
    assert table.rows[0] == ["05315000", "12.5", ""]
