"""Individual-record files (CSV, XLSX, Parquet) opened for streaming in chunks.

:func:`open_records` detects the format, reads the header and reports a file that cannot
be used (file, row, column, value, expected, fix); a :class:`RecordReader` then yields
Arrow tables of at most a chunk of records each (Arrow's streaming CSV reader, Parquet
row batches, the read-only rows of the workbook reader), so memory does not grow with the
file.  Counting the records is :mod:`kekiz.records.scan`'s job.

Row numbers are those of a spreadsheet: the header is row 1, the first record row 2
(for Parquet, which has no header row, the same numbering is used: record *n* is row
*n* + 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.boundaries import sha256_of
from kekiz.ingest.workbook import open_workbook

__all__ = ["CHUNK_ROWS", "RecordReader", "open_records", "read_records"]

CHUNK_ROWS = 500_000
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_PARQUET_SUFFIXES = (".parquet", ".pq")


class RecordReader:
    """A record file opened for streaming; ``header`` holds its column names."""

    def __init__(self, path: Path, fmt: str, header: list[str], *, encoding: str = "utf8",
                 separator: str = ";", header_row: int = 1, total: int = 0) -> None:
        self.path = path
        self.format = fmt
        self.header = header
        self.encoding = encoding
        self.separator = separator
        self.header_row = header_row
        self.total = total
        self.bad_rows: list[tuple[int | None, str]] = []
        self.bad_count = 0

    def sha256(self) -> str:
        """The file's SHA-256 checksum (stored with the import)."""
        return sha256_of(self.path)

    def batches(self, columns: Sequence[str], size: int = CHUNK_ROWS
                ) -> Iterator[tuple[pa.Table, int]]:
        """Tables of at most about ``size`` records with the given columns, and the file
        row of each table's first record."""
        cols = list(dict.fromkeys(columns))
        if self.format == "parquet":
            yield from self._parquet(cols, size)
        elif self.format == "csv":
            yield from self._csv(cols, size)
        else:
            yield from self._xlsx(cols, size)

    def _parquet(self, cols: list[str], size: int) -> Iterator[tuple[pa.Table, int]]:
        pf = pq.ParquetFile(self.path)
        row = 2
        for batch in pf.iter_batches(batch_size=size, columns=cols):
            table = pa.Table.from_batches([batch])
            yield table, row
            row += table.num_rows

    def _csv(self, cols: list[str], size: int) -> Iterator[tuple[pa.Table, int]]:
        def invalid(row: Any) -> str:
            self.bad_count += 1
            if len(self.bad_rows) < 5:
                number = getattr(row, "number", None)
                self.bad_rows.append((None if number is None else int(number),
                                      str(getattr(row, "text", ""))[:80]))
            return "skip"

        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(column_names=self.header, skip_rows=1,
                                           encoding=self.encoding, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=self.separator,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in self.header}, include_columns=cols,
                strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True))
        row = 2
        pending: list[pa.RecordBatch] = []
        held = 0
        for batch in reader:
            pending.append(batch)
            held += batch.num_rows
            if held >= size:
                table = pa.Table.from_batches(pending)
                yield table, row
                row += table.num_rows
                pending, held = [], 0
        if pending:
            yield pa.Table.from_batches(pending), row

    def _xlsx(self, cols: list[str], size: int) -> Iterator[tuple[pa.Table, int]]:
        wb = open_workbook(self.path, ValidationReport(self.path.name))
        if wb is None:
            raise OSError(f"{self.path.name}: the workbook can no longer be read")
        with wb:
            index = [self.header.index(c) for c in cols]
            buffer: list[list[str | None]] = [[] for _ in cols]
            first = self.header_row + 1
            row = first
            for values in wb.rows(first=self.header_row + 1):
                for j, k in enumerate(index):
                    buffer[j].append(_cell(values[k]) if k < len(values) else None)
                row += 1
                if row - first >= size:
                    yield _table(cols, buffer), first
                    buffer = [[] for _ in cols]
                    first = row
            if buffer and buffer[0]:
                # trailing empty rows are not records
                yield _table(cols, buffer), first


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _table(cols: list[str], buffer: list[list[str | None]]) -> pa.Table:
    n = len(buffer[0])
    last = n
    while last > 0 and all(b[last - 1] is None for b in buffer):
        last -= 1
    return pa.table({c: pa.array(b[:last], type=pa.string())
                     for c, b in zip(cols, buffer, strict=True)})


# ----------------------------------------------------------------------- opening
def read_records(path: Path) -> RecordReader:
    """Open a record file; raises :class:`ImportFailed` naming the problem when it cannot
    be used."""
    report = ValidationReport(path.name)
    reader = open_records(path, report)
    report.raise_if_failed()
    assert reader is not None
    return reader


def open_records(path: Path, report: ValidationReport) -> RecordReader | None:
    """Detect the format and read the header; problems go to ``report``."""
    if not path.exists():
        report.add("Datei nicht gefunden", value=str(path), expected="eine vorhandene Datei",
                   fix="den Pfad prüfen", message_en="file not found")
        return None
    if path.stat().st_size == 0:
        report.add("Die Datei ist leer", expected="eine Kopfzeile und Datensätze",
                   fix="die Daten neu exportieren", message_en="the file is empty")
        return None
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            report.add(f"Die Datei ist keine lesbare Parquet-Datei ({str(exc)[:120]})",
                       expected="eine vollständige Parquet-Datei",
                       fix="die Datei neu exportieren", message_en="not a readable Parquet "
                       "file")
            return None
        return RecordReader(path, "parquet", list(pf.schema_arrow.names),
                            total=pf.metadata.num_rows)
    if suffix in _XLSX_SUFFIXES:
        return _open_xlsx(path, report)
    if suffix == ".xls":
        report.add("Das alte Excel-Format .xls wird für Einzeldaten nicht gelesen",
                   value=path.name, expected="CSV, XLSX oder Parquet",
                   fix="die Datei in Excel/LibreOffice als .xlsx oder CSV speichern",
                   message_en="the old .xls format is not read for records")
        return None
    if suffix not in _CSV_SUFFIXES:
        report.add("Unbekanntes Dateiformat", value=path.suffix,
                   expected="eine Datei mit der Endung .csv, .xlsx oder .parquet",
                   fix="die Datei in einem dieser Formate speichern",
                   message_en="unknown file format")
        return None
    return _open_csv(path, report)


def _open_csv(path: Path, report: ValidationReport) -> RecordReader | None:
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(b"PK\x03\x04"):
        report.add("Die Datei ist eine gepackte Datei (XLSX/ZIP), aber die Endung sagt CSV",
                   expected="eine CSV-Textdatei oder die Endung .xlsx",
                   fix="die Datei mit der Endung .xlsx angeben",
                   message_en="the file is a ZIP/XLSX archive named as CSV")
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, text = "utf16", head.decode("utf-16", errors="ignore")
    elif b"\x00" in head[:4096]:
        report.add("Die Datei enthält Null-Bytes und ist keine Textdatei",
                   expected="eine CSV-Textdatei", fix="die Datei als CSV exportieren",
                   message_en="the file contains NUL bytes")
        return None
    else:
        cut = head[: head.rfind(b"\n") + 1] if len(head) == 1 << 20 else head
        try:
            text, encoding = cut.decode("utf-8-sig"), "utf8"
        except UnicodeDecodeError:
            text, encoding = cut.decode("cp1252", errors="replace"), "cp1252"
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t", "|")}
    separator = max(counts, key=lambda s: counts[s])
    if counts[separator] == 0:
        report.add("Die Kopfzeile hat nur eine Spalte; das Trennzeichen passt nicht",
                   row=1, value=first_line[:60],
                   expected="Spalten getrennt durch ';' oder ',' (oder Tabulator)",
                   fix="die Datei als CSV mit ';' speichern",
                   message_en="the header has a single column")
        return None
    header = next(csv.reader(io.StringIO(first_line), delimiter=separator))
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not _header_ok(header, report):
        return None
    return RecordReader(path, "csv", header, encoding=encoding, separator=separator)


def _open_xlsx(path: Path, report: ValidationReport) -> RecordReader | None:
    wb = open_workbook(path, report)
    if wb is None:
        return None
    with wb:
        header_row, header = 1, list[str]()
        for n, values in enumerate(wb.rows(last=15), start=1):
            cells = [("" if v is None else str(v).strip()) for v in values]
            if sum(1 for c in cells if c) >= 2:
                header_row, header = n, cells
                break
        while header and not header[-1]:
            header.pop()
    if not header:
        report.add("Keine Kopfzeile gefunden", expected="eine Zeile mit Spaltennamen",
                   fix="die Spaltennamen in die erste Zeile schreiben",
                   message_en="no header row found")
        return None
    if not _header_ok(header, report, header_row):
        return None
    return RecordReader(path, "xlsx", header, header_row=header_row)


def _header_ok(header: list[str], report: ValidationReport, row: int = 1) -> bool:
    seen: set[str] = set()
    for name in header:
        if name.lower() in seen:
            report.add("Spaltenname doppelt", row=row, column=name,
                       expected="eindeutige Spaltennamen", fix="eine der Spalten umbenennen",
                       message_en="duplicate column name")
        seen.add(name.lower())
    return report.ok
