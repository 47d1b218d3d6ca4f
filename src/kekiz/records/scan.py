"""Individual records streamed into counts.

:func:`scan_records` reads a record file chunk by chunk (opened by
:func:`kekiz.ingest.records.open_records`), hands each chunk to
:func:`kekiz.records.process.process_chunk` and keeps only the counts per unit, period and
indicator - memory does not grow with the file.  Every problem is counted per kind with
examples (file, row, column, value, expected, fix); the import is rejected as a whole
when the file cannot be used, when records break rules (more than ``max_invalid``, by
default none), when ids repeat, or when more than ``max_unmatched`` of the records
(default 2 %) cannot be placed in a unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

from kekiz.domain.errors import ImportFailed, ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers
from kekiz.records.aggregate import Counts
from kekiz.records.assign import CodeIndex, PolygonIndex
from kekiz.records.bmi import LmsReference
from kekiz.records.dups import DuplicateCheck
from kekiz.records.issues import IssueKind, Issues
from kekiz.records.process import Plan, ScanStats, make_plan, process_chunk
from kekiz.records.schema import RecordSchema

__all__ = ["RecordSource", "ScanResult", "scan_records"]

Progress = Callable[[str, int, int], None]


class RecordSource(Protocol):
    """A record file opened for streaming (:class:`kekiz.ingest.records.RecordReader`)."""

    path: Path
    format: str
    header: list[str]
    total: int
    bad_rows: list[tuple[int | None, str]]
    bad_count: int

    def batches(self, columns: Sequence[str], size: int = ...
                ) -> Iterator[tuple[pa.Table, int]]:
        """Tables of at most about ``size`` records, with the file row of the first."""
        ...

    def sha256(self) -> str:
        """The file's SHA-256 checksum."""
        ...


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


def scan_records(reader: RecordSource, schema: RecordSchema, *, n_leaves: int,
                 polygons: PolygonIndex | None, codes: CodeIndex | None,
                 streets: object | None, years: Sequence[int] | None = None,
                 bmi: LmsReference | None = None, target_crs: str = "EPSG:4326",
                 chunk_rows: int | None = None, progress: Progress | None = None,
                 enforce: bool = True,
                 missing: MissingMarkers | None = DEFAULT_MISSING) -> ScanResult:
    """Stream the records of ``reader`` into counts (in chunks of ``chunk_rows``, by
    default the reader's); raises :class:`ImportFailed` (nothing stored) on a
    fatal problem or when the limits of the schema are exceeded (``enforce``).

    ``missing``: the missing-value markers of the numeric columns (``--missing``); the
    cells read as missing are counted in ``ScanResult.stats.missing`` and the notes."""
    name = reader.path.name
    report = ValidationReport(name)
    issues = Issues(name)
    plan = make_plan(reader.header, schema, name, issues, polygons=polygons,
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
    result = ScanResult(counts, stats, issues, plan, reader.sha256(), reader.format,
                        duplicates=n_dup)
    _decide(result, report, enforce)
    return result


def _guarded(reader: RecordSource, columns: Sequence[str], size: int | None,
             report: ValidationReport) -> Iterator[tuple[pa.Table, int]]:
    try:
        yield from (reader.batches(columns) if size is None else reader.batches(columns, size))
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        report.add(f"Die Datei kann nicht vollständig gelesen werden ({str(exc)[:160]})",
                   expected="eine vollständige, einheitlich kodierte Datei",
                   fix="die Datei neu exportieren (CSV als UTF-8 mit ';')",
                   message_en="the file cannot be read completely")


def _duplicates(reader: RecordSource, plan: Plan, dups: DuplicateCheck,
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
