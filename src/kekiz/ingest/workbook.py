"""Reading spreadsheets: the one place that opens XLSX, XLSM and XLS workbooks.

:func:`open_workbook` opens a workbook (openpyxl in read-only mode for ``.xlsx``/``.xlsm``,
xlrd for the old ``.xls``) and reports a file it cannot read, naming the file, what was
expected and the fix.  A :class:`Workbook` streams the rows of a sheet as tuples of raw
cell values (``None`` or ``""`` for an empty cell), so large record files are never held
in memory; :func:`read_sheet` and :func:`read_sheets` read whole sheets for tables and
Leitbild files; :func:`cell_text` turns a value into the text a table cell holds.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from kekiz.domain.errors import ValidationReport

__all__ = ["WORKBOOK_SUFFIXES", "XLSX_SUFFIXES", "Workbook", "cell_text", "open_workbook",
           "read_sheet", "read_sheets"]

#: Workbooks read by openpyxl.
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: Every workbook format: openpyxl's and the old Excel 97-2003 format (xlrd).
WORKBOOK_SUFFIXES = (*XLSX_SUFFIXES, ".xls")


class Workbook:
    """An open workbook; close it (or use it in a ``with`` block) when done."""

    def __init__(self, path: Path, book: Any, kind: str) -> None:
        self.path = path
        self.kind = kind  # xlsx / xls
        self._book = book

    @property
    def sheet_names(self) -> list[str]:
        if self.kind == "xls":
            return list(self._book.sheet_names())
        return list(self._book.sheetnames)

    def rows(self, sheet: str | None = None, *, first: int = 1, last: int | None = None
             ) -> Iterator[tuple[Any, ...]]:
        """The rows ``first`` to ``last`` (spreadsheet numbers, from 1) of ``sheet`` (the
        first sheet unless named), as tuples of raw values."""
        if self.kind == "xls":
            ws = self._book.sheet_by_name(sheet) if sheet else self._book.sheet_by_index(0)
            stop = ws.nrows if last is None else min(last, ws.nrows)
            for r in range(first - 1, stop):
                yield tuple(ws.row_values(r))
            return
        ws = self._book[sheet] if sheet else self._book.worksheets[0]
        yield from ws.iter_rows(min_row=first, max_row=last, values_only=True)

    def close(self) -> None:
        if self.kind == "xls":
            self._book.release_resources()
        else:
            self._book.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_workbook(path: Path, report: ValidationReport) -> Workbook | None:
    """Open ``path`` by its ending; a file that is no readable workbook goes to ``report``
    and ``None`` is returned."""
    if path.suffix.lower() == ".xls":
        import xlrd

        try:
            # xlrd writes its warnings ("OLE2 inconsistency") to the sys.stdout of the time
            # it was imported, which may be closed since: they go to a buffer instead
            book = xlrd.open_workbook(str(path), logfile=io.StringIO())
            return Workbook(path, book, "xls")
        except Exception as exc:  # xlrd raises bare errors of several kinds
            report.add(f"Die Datei ist keine lesbare XLS-Datei ({exc})",
                       expected="eine Excel-97-2003-Arbeitsmappe (.xls)",
                       fix="die Datei in Excel/LibreOffice als .xlsx oder CSV neu speichern",
                       message_en="the file is not a readable XLS workbook")
            return None
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        report.add(f"Die Datei ist keine lesbare XLSX-Datei ({type(exc).__name__})",
                   expected="eine vollständige Excel-Arbeitsmappe (.xlsx)",
                   fix="die Datei in Excel/LibreOffice öffnen und neu speichern; sie ist "
                   "vermutlich beschädigt oder unvollständig übertragen",
                   message_en="the file is not a readable XLSX workbook")
        return None
    return Workbook(path, book, "xlsx")


def read_sheet(path: Path, report: ValidationReport, sheet: str | None = None
               ) -> list[list[str]] | None:
    """The cells of one sheet (the first unless named) as text; problems go to ``report``.
    """
    wb = open_workbook(path, report)
    if wb is None:
        return None
    with wb:
        if sheet is not None and sheet not in wb.sheet_names:
            report.add("Tabellenblatt nicht gefunden", value=sheet,
                       expected="eines von: " + ", ".join(wb.sheet_names),
                       fix="--sheet mit einem vorhandenen Blatt angeben",
                       message_en="sheet not found")
            return None
        return [[cell_text(v) for v in row] for row in wb.rows(sheet)]


def read_sheets(path: Path, report: ValidationReport) -> dict[str, list[list[Any]]] | None:
    """Every sheet by its name, with raw cell values; problems go to ``report``."""
    wb = open_workbook(path, report)
    if wb is None:
        return None
    with wb:
        return {name: [list(row) for row in wb.rows(name)] for name in wb.sheet_names}


def cell_text(value: object) -> str:
    """A cell value as the text of a table cell: whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)
