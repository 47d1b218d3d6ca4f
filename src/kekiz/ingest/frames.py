"""Plain tables for the file-based commands (MSS index, DiD, coverage, protection).

``read_frame`` reads a CSV/XLSX with the same tolerant reader as every import (German
separators, decimal comma, encodings, title rows) and checks the named columns: each
required column must exist, each numeric column must hold numbers in every row.
Missing-value markers (:mod:`kekiz.domain.missing`: ``-9999``, ``-999``, ``-1`` in share
columns, dashes, ``.``, ``x``, empty) are read as missing and counted;
:func:`read_numbers` returns the counts with the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kekiz.domain.errors import ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers, MissingTally
from kekiz.ingest.cells import column_style, parse_number
from kekiz.ingest.tables import read_table

__all__ = ["FrameRead", "read_frame", "read_numbers"]


@dataclass
class FrameRead:
    """A read table: the frame, the markers read as missing, the reader's notes."""

    frame: pd.DataFrame
    missing: MissingTally = field(default_factory=MissingTally)
    table_notes: list[str] = field(default_factory=list)

    def notes(self, lang: str = "de") -> list[str]:
        return [*self.table_notes, *self.missing.notes(lang)]


def read_frame(path: Path, *, required: Sequence[str] = (), numeric: Sequence[str] = (),
               allow_missing: Sequence[str] = (), sheet: str | None = None,
               missing: MissingMarkers | None = DEFAULT_MISSING,
               shares: Sequence[str] = ()) -> pd.DataFrame:
    """Read ``path`` into a frame of text columns with ``numeric`` columns as floats.

    Raises :class:`~kekiz.domain.errors.ImportFailed` naming every problem (file, row,
    column, value, expected, fix).  Empty cells (and markers) are allowed only in
    ``allow_missing``.  See :func:`read_numbers` for ``missing`` and ``shares``.
    """
    return read_numbers(path, required=required, numeric=numeric,
                        allow_missing=allow_missing, sheet=sheet, missing=missing,
                        shares=shares).frame


def read_numbers(path: Path, *, required: Sequence[str] = (), numeric: Sequence[str] = (),
                 allow_missing: Sequence[str] = (), sheet: str | None = None,
                 missing: MissingMarkers | None = DEFAULT_MISSING,
                 shares: Sequence[str] = ()) -> FrameRead:
    """:func:`read_frame` with the count of the markers read as missing.

    ``missing``: the markers (``None``: only the official signs; a dash is then 0);
    ``shares``: the numeric columns that hold shares, where ``-1`` is a marker too.
    """
    report = ValidationReport(path.name)
    table = read_table(path, report, sheet=sheet, header_hint=list(required[:1]) or None)
    report.raise_if_failed()
    assert table is not None
    wanted = list(dict.fromkeys([*required, *numeric]))
    for col in wanted:
        if col not in table.header:
            report.add("Spalte nicht gefunden", column=col,
                       expected="eine Spalte dieses Namens; vorhanden: " +
                       ", ".join(table.header), fix="den Spaltennamen in der Datei oder "
                       "in der Option korrigieren", message_en="column not found")
    report.raise_if_failed()
    frame = pd.DataFrame(table.rows, columns=table.header, dtype=object)
    frame = frame[[any(str(v) for v in r) for r in table.rows]] if len(frame) else frame
    tally = MissingTally() if missing is None else MissingTally(missing)
    for col in numeric:
        cells = [str(v) for v in frame[col]]
        style = column_style(cells)
        values: list[float] = []
        for n, cell in enumerate(cells):
            parsed = parse_number(cell, style, missing, col in shares)
            if parsed.value is None and not (parsed.status != "invalid" and
                                             col in allow_missing):
                marker = f" ('{parsed.marker}' gilt als fehlend)" if parsed.marker else ""
                report.add("kein Zahlenwert" if parsed.status == "invalid" else
                           f"Wert fehlt{marker}",
                           row=table.first_row + int(frame.index[n]), column=col, value=cell,
                           expected="eine Zahl (z. B. 12,5 oder 12.5)",
                           fix="den Wert ergänzen oder korrigieren",
                           message_en="not a number" if parsed.status == "invalid"
                           else "value missing")
            elif parsed.marker is not None:
                tally.count(parsed.marker, col)
            elif parsed.kept is not None:
                tally.keep(parsed.kept, col)
            values.append(float("nan") if parsed.value is None else parsed.value)
        frame[col] = pd.Series(values, index=frame.index, dtype="float64")
    report.raise_if_failed()
    return FrameRead(frame.reset_index(drop=True), tally, list(table.notes))
