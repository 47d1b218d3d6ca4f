"""Reading tabular files (CSV, XLSX, XLS) as the statistics office has them.

Everything is read as text first, so that every cell can be checked with its place
(file, row, column) before anything is converted.  Handles ``;``/``,``/tab separators,
UTF-8 (with or without BOM), UTF-16 and Windows-1252, title rows above the header
(Excel exports) and empty trailing rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.workbook import WORKBOOK_SUFFIXES, read_sheet

__all__ = ["RawTable", "read_table"]

_SEPARATORS = (";", ",", "\t", "|")
_MAX_TITLE_ROWS = 15


@dataclass
class RawTable:
    """A table of text cells. ``first_row`` is the spreadsheet row number of ``rows[0]``."""

    header: list[str]
    rows: list[list[str]]
    first_row: int
    encoding: str = ""
    separator: str = ""
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> int:
        return self.header.index(name)


def read_table(path: Path, report: ValidationReport, *, encoding: str = "auto",
               separator: str = "auto", sheet: str | None = None,
               header_hint: list[str] | None = None) -> RawTable | None:
    """Read ``path``; problems go to ``report`` and ``None`` is returned on failure."""
    if not path.exists():
        report.add("Datei nicht gefunden", expected="eine vorhandene Datei",
                   fix="Pfad prüfen", value=str(path), message_en="file not found")
        return None
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        report.add("Die Datei ist leer", expected="eine Kopfzeile und mindestens eine Datenzeile",
                   fix="die richtige Datei angeben oder die Daten neu exportieren",
                   message_en="the file is empty")
        return None
    if suffix in WORKBOOK_SUFFIXES:
        grid = read_sheet(path, report, sheet)
        enc, sep = "xls" if suffix == ".xls" else "xlsx", ""
    else:
        text, enc = _decode(path, report, encoding)
        if text is None:
            return None
        sep = _sniff_separator(text) if separator == "auto" else _unescape(separator)
        grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    if grid is None:
        return None
    grid = [[c.strip() for c in row] for row in grid]
    while grid and not any(grid[-1]):
        grid.pop()
    if not grid:
        report.add("Die Datei enthält keine Zeilen", expected="eine Kopfzeile und Daten",
                   fix="die Datei neu exportieren", message_en="the file has no rows")
        return None
    h = _find_header(grid, header_hint)
    header = grid[h]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    rows = [(row + [""] * width)[:width] if len(row) <= width else row for row in grid[h + 1:]]
    table = RawTable(header=header, rows=rows, first_row=h + 2, encoding=enc, separator=sep)
    if h:
        table.notes.append(f"{h} Titelzeile(n) über der Kopfzeile übersprungen")
    if enc == "cp1252":
        table.notes.append("Zeichenkodierung Windows-1252 erkannt")
    _drop_identical_duplicates(table)
    _check_shape(path, table, report)
    return table


def _drop_identical_duplicates(table: RawTable) -> None:
    """A column that repeats an earlier column of the same name cell for cell is dropped
    with a note (published files do this, e.g. Berlin's MSS tables); a repeated name with
    other values stays a problem for :func:`_check_shape`."""
    first: dict[str, int] = {}
    drop: list[int] = []
    for i, name in enumerate(table.header):
        if name and name in first:
            j = first[name]
            if all((r[i] if i < len(r) else "") == (r[j] if j < len(r) else "")
                   for r in table.rows):
                drop.append(i)
                table.notes.append(f"Spalte '{name}' steht zweimal mit gleichen Werten in "
                                   f"der Datei (Nr. {j + 1} und {i + 1}); die zweite wird "
                                   "nicht gelesen")
        elif name:
            first[name] = i
    if drop:
        keep = [i for i in range(len(table.header)) if i not in set(drop)]
        table.header = [table.header[i] for i in keep]
        table.rows = [[r[i] for i in keep if i < len(r)] for r in table.rows]


def _check_shape(path: Path, table: RawTable, report: ValidationReport) -> None:
    if len(table.header) == 1 and table.separator:
        found = [s for s in (" ", ":", "/") if s in table.header[0]]
        report.add("Die Kopfzeile hat nur eine Spalte; das Trennzeichen passt nicht",
                   column=table.header[0], value=table.header[0],
                   expected="Spalten getrennt durch ';' oder ',' (oder Tabulator)",
                   fix="die Datei als CSV mit ';' speichern" +
                   (f" (gefunden wurde wohl '{found[0]}')" if found else ""),
                   row=table.first_row - 1,
                   message_en="the header has only one column; the separator does not fit")
        return
    seen: dict[str, int] = {}
    for i, name in enumerate(table.header):
        if not name:
            report.add("Spalte ohne Namen in der Kopfzeile", row=table.first_row - 1,
                       column=f"Nr. {i + 1}", expected="einen Spaltennamen",
                       fix="der Spalte einen Namen geben oder sie löschen",
                       message_en="column without a name in the header")
        elif name in seen:
            report.add("Spaltenname doppelt", row=table.first_row - 1, column=name,
                       expected="eindeutige Spaltennamen", fix="eine der Spalten umbenennen",
                       message_en="duplicate column name")
        seen[name] = i
    if not table.rows:
        report.add("Die Datei hat nur eine Kopfzeile, aber keine Daten",
                   expected="mindestens eine Datenzeile", fix="die Daten mit exportieren",
                   message_en="the file has a header but no data")
    for n, row in enumerate(table.rows):
        if len(row) > len(table.header) and any(row[len(table.header):]):
            report.add(f"Zeile hat {len(row)} Felder, die Kopfzeile {len(table.header)}",
                       row=table.first_row + n, expected=f"{len(table.header)} Felder",
                       fix="Trennzeichen in Werten in Anführungszeichen setzen oder "
                       "überzählige Felder entfernen",
                       message_en="row has more fields than the header")
    del path


def _decode(path: Path, report: ValidationReport, encoding: str) -> tuple[str | None, str]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"PK\x03\x04"):
        report.add("Die Datei ist eine gepackte Datei (ZIP/XLSX), aber die Endung sagt CSV",
                   expected="eine CSV-Textdatei oder die Endung .xlsx",
                   fix="die Datei mit der Endung .xlsx angeben oder als CSV speichern",
                   message_en="the file is a ZIP/XLSX archive but named as CSV")
        return None, ""
    if b"\x00" in data[:4096]:
        report.add("Die Datei enthält Null-Bytes und ist keine Textdatei",
                   expected="eine CSV-Textdatei (UTF-8 oder Windows-1252)",
                   fix="die Datei aus dem Ursprungsprogramm als CSV exportieren",
                   message_en="the file contains NUL bytes and is not a text file")
        return None, ""
    if encoding == "auto":
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace"), "cp1252"
    try:
        return data.decode(encoding), encoding
    except LookupError:
        report.add("Unbekannte Zeichenkodierung", value=encoding,
                   expected="utf-8, cp1252 (Windows-1252), latin-1 oder auto",
                   fix="--encoding auto angeben", message_en="unknown encoding")
        return None, ""
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        report.add(f"Byte {data[exc.start:exc.start + 1]!r} ist kein gültiges {encoding}",
                   row=line, value=data[max(0, exc.start - 10):exc.start + 10].decode(
                       "cp1252", errors="replace"),
                   expected=f"Text in der Kodierung {encoding}",
                   fix="--encoding cp1252 (Windows-1252) oder --encoding auto angeben, "
                   "oder die Datei als UTF-8 speichern",
                   message_en=f"byte is not valid {encoding}")
        return None, ""


def _unescape(sep: str) -> str:
    return {"\\t": "\t", "tab": "\t", "semicolon": ";", "comma": ","}.get(sep, sep)


def _sniff_separator(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:_MAX_TITLE_ROWS + 5] if ln.strip()]
    best, best_score = ";", -1.0
    for sep in _SEPARATORS:
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in lines]
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        # the separator that gives many rows of the same (largest) width wins
        score = sum(1 for c in counts if c == widest) * widest
        if score > best_score:
            best, best_score = sep, score
    return best


def _find_header(grid: list[list[str]], hint: list[str] | None) -> int:
    """Index of the header row: skips title rows above the table (Excel exports)."""
    limit = min(len(grid), _MAX_TITLE_ROWS)
    if hint:
        wanted = {h.lower() for h in hint}
        for i in range(limit):
            if wanted & {c.lower() for c in grid[i]}:
                return i
    widths = [sum(1 for c in row if c) for row in grid[:limit + 5]]
    widest = max(widths) if widths else 0
    for i in range(limit):
        cells = [c for c in grid[i] if c]
        if len(cells) >= max(2, widest - 1) and not all(_numeric(c) for c in cells):
            return i
    return 0


def _numeric(cell: str) -> bool:
    try:
        float(cell.replace(".", "").replace(",", "."))
        return True
    except ValueError:
        return False
