"""Individual-record files (CSV, XLSX, Parquet) streamed in chunks into counts.

:func:`scan_records` reads a file chunk by chunk (Arrow's streaming CSV reader, Parquet
row batches, openpyxl's read-only rows), hands each chunk to
:func:`kekiz.records.process.process_chunk` and keeps only the counts per unit, period and
indicator - memory does not grow with the file.  Every problem is counted per kind with
examples (file, row, column, value, expected, fix); the import is rejected as a whole
when the file cannot be used, when records break rules (more than ``max_invalid``, by
default none), when ids repeat, or when more than ``max_unmatched`` of the records
(default 2 %) cannot be placed in a unit.

Row numbers are those of a spreadsheet: the header is row 1, the first record row 2
(for Parquet, which has no header row, the same numbering is used: record *n* is row
*n* + 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kekiz.domain.errors import ImportFailed, ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers
from kekiz.ingest.boundaries import sha256_of
from kekiz.records.aggregate import Counts
from kekiz.records.assign import CodeIndex, PolygonIndex
from kekiz.records.bmi import LmsReference
from kekiz.records.dups import DuplicateCheck
from kekiz.records.issues import IssueKind, Issues
from kekiz.records.process import Plan, ScanStats, make_plan, process_chunk
from kekiz.records.schema import RecordSchema

__all__ = ["RecordReader", "ScanResult", "open_records", "scan_records"]

CHUNK_ROWS = 500_000
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_PARQUET_SUFFIXES = (".parquet", ".pq")

Progress = Callable[[str, int, int], None]


@dataclass
class ScanResult:
    """What a scan leaves: counts, statistics and the problems found."""

    counts: Counts
    stats: ScanStats
    issues: Issues
    plan: Plan
    sha256: str
    format: str
    notes: list[str] = field(default_factory=list)
    duplicates: int = 0


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
        import openpyxl

        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            index = [self.header.index(c) for c in cols]
            buffer: list[list[str | None]] = [[] for _ in cols]
            first = self.header_row + 1
            row = first
            for values in ws.iter_rows(min_row=self.header_row + 1, values_only=True):
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
        finally:
            wb.close()


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
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        report.add(f"Die Datei ist keine lesbare XLSX-Datei ({type(exc).__name__})",
                   expected="eine vollständige Excel-Arbeitsmappe (.xlsx)",
                   fix="die Datei in Excel/LibreOffice öffnen und neu speichern",
                   message_en="not a readable XLSX workbook")
        return None
    try:
        ws = wb.worksheets[0]
        header_row, header = 1, []
        for n, values in enumerate(ws.iter_rows(max_row=15, values_only=True), start=1):
            cells = [("" if v is None else str(v).strip()) for v in values]
            if sum(1 for c in cells if c) >= 2:
                header_row, header = n, cells
                break
        while header and not header[-1]:
            header.pop()
    finally:
        wb.close()
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


# ----------------------------------------------------------------------- scanning
def scan_records(path: Path, schema: RecordSchema, *, n_leaves: int,
                 polygons: PolygonIndex | None, codes: CodeIndex | None,
                 streets: object | None, years: Sequence[int] | None = None,
                 bmi: LmsReference | None = None, target_crs: str = "EPSG:4326",
                 chunk_rows: int = CHUNK_ROWS, progress: Progress | None = None,
                 enforce: bool = True,
                 missing: MissingMarkers | None = DEFAULT_MISSING) -> ScanResult:
    """Stream ``path`` into counts; raises :class:`ImportFailed` (nothing stored) on a
    fatal problem or when the limits of the schema are exceeded (``enforce``).

    ``missing``: the missing-value markers of the numeric columns (``--missing``); the
    cells read as missing are counted in ``ScanResult.stats.missing`` and the notes."""
    report = ValidationReport(path.name)
    reader = open_records(path, report)
    report.raise_if_failed()
    assert reader is not None
    issues = Issues(path.name)
    plan = make_plan(reader.header, schema, path.name, issues, polygons=polygons,
                     codes=codes, streets=streets, years=years, bmi=bmi,
                     target_crs=target_crs)
    plan.missing = missing
    if issues.has_fatal:
        issues.to_report(report, ["fatal"])
        raise ImportFailed(report)
    counts = Counts(n_leaves, [s.finding.id for s in plan.findings])
    stats = ScanStats()
    dups = DuplicateCheck()
    try:
        for table, first in _guarded(reader, plan.columns, chunk_rows, report):
            process_chunk(table, first, plan, counts, issues, stats, dups)
            if progress is not None:
                progress("Einzeldaten lesen", stats.rows, reader.total)
            if issues.has_fatal:
                break
        report.raise_if_failed()
        n_dup = 0
        if not issues.has_fatal:
            n_dup = _duplicates(reader, plan, dups, issues)
    finally:
        dups.close()
    if reader.bad_count:
        issues.add(IssueKind("csv_fields", "invalid", "Zeile hat nicht so viele Felder wie die "
                             "Kopfzeile", "row has a different number of fields",
                             f"{len(reader.header)} Felder je Zeile",
                             "Trennzeichen in Werten in Anführungszeichen setzen"),
                   [r if r is not None else -1 for r, _ in reader.bad_rows]
                   + [-1] * (reader.bad_count - len(reader.bad_rows)),
                   [t for _, t in reader.bad_rows])
        stats.invalid += reader.bad_count
        stats.rows += reader.bad_count
    result = ScanResult(counts, stats, issues, plan, sha256_of(path), reader.format,
                        duplicates=n_dup)
    _decide(result, report, enforce)
    return result


def _guarded(reader: RecordReader, columns: Sequence[str], size: int,
             report: ValidationReport) -> Iterator[tuple[pa.Table, int]]:
    try:
        yield from reader.batches(columns, size)
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        report.add(f"Die Datei kann nicht vollständig gelesen werden ({str(exc)[:160]})",
                   expected="eine vollständige, einheitlich kodierte Datei",
                   fix="die Datei neu exportieren (CSV als UTF-8 mit ';')",
                   message_en="the file cannot be read completely")


def _duplicates(reader: RecordReader, plan: Plan, dups: DuplicateCheck,
                issues: Issues) -> int:
    """Confirm hash collisions by comparing the ids; report true duplicates."""
    _, suspects = dups.suspects()
    if suspects.size == 0:
        return 0
    id_col = plan.fields["id"]
    wanted = set(suspects.tolist())
    found: dict[str, list[int]] = {}
    for table, first in reader.batches([id_col]):
        rows = first + np.arange(table.num_rows)
        hit = np.flatnonzero(np.isin(rows, suspects))
        if hit.size == 0:
            continue
        values = table.column(id_col).take(pa.array(hit)).to_pylist()
        for r, v in zip(rows[hit], values, strict=True):
            if int(r) in wanted and v is not None:
                found.setdefault(str(v).strip(), []).append(int(r))
    groups = [sorted(r) for r in found.values() if len(r) > 1]
    n_dup = sum(len(g) - 1 for g in groups)
    if n_dup:
        groups.sort()
        kind = IssueKind("duplicate_id", "duplicate", "Datensatz-Kennung doppelt",
                         "duplicate record id", "jede Kennung genau einmal",
                         "doppelte Datensätze löschen oder die Kennungen korrigieren",
                         id_col)
        later = [g[k] for g in groups for k in range(1, len(g))]
        ids = {r: v for v, g in found.items() for r in g}
        issues.add(kind, later, [ids[r] for r in later[:5]],
                   [(f"schon in Zeile {g[0]}", f"already in row {g[0]}")
                    for g in groups for _ in g[1:]][:5])
    return n_dup


def _decide(result: ScanResult, report: ValidationReport, enforce: bool) -> None:
    """Reject the import when the file is unusable or the schema's limits are exceeded."""
    issues, stats, schema = result.issues, result.stats, result.plan.schema
    rows = max(stats.rows, 1)
    categories = ["fatal", "duplicate"]
    fail = issues.has_fatal or result.duplicates > 0
    if issues.count("invalid") and stats.invalid / rows > schema.max_invalid:
        categories.append("invalid")
        fail = True
    considered = max(stats.rows - stats.skipped - stats.invalid, 1)
    if stats.unmatched and stats.unmatched / considered > schema.max_unmatched:
        categories.append("unmatched")
        fail = True
        share = stats.unmatched / considered
        report.add(f"{share:.1%} der Datensätze ohne Gebiet, erlaubt sind höchstens "
                   f"{schema.max_unmatched:.1%}".replace(".", ","),
                   expected="fast alle Datensätze einem Gebiet zuordenbar",
                   fix="die Ortsangaben prüfen (Beispiele unten) oder im Schema [limits] "
                   "max_unmatched erhöhen", value=f"{stats.unmatched} von {considered}",
                   message_en=f"{share:.1%} of the records without a unit; at most "
                   f"{schema.max_unmatched:.1%} allowed")
    if stats.used == 0 and not fail:
        report.add("Keine verwertbaren Datensätze", expected="mindestens einen gültigen, "
                   "zugeordneten Datensatz im gewählten Zeitraum",
                   fix="--years, die Ortsangaben und die Spalten prüfen",
                   message_en="no usable records")
        fail = True
    if fail and enforce:
        issues.to_report(report, categories)
        raise ImportFailed(report)
    result.notes = issues.notes(["unmatched", "skipped", "invalid"]) + stats.missing.notes()
