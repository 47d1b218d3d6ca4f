"""Plain tables for the file-based commands (MSS index, DiD, coverage, protection).

``read_frame`` reads a CSV/XLSX with the same tolerant reader as every import (German
separators, decimal comma, encodings, title rows) and checks the named columns: each
required column must exist, each numeric column must hold numbers in every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.cells import column_style, parse_number
from kekiz.ingest.tables import read_table

__all__ = ["read_frame"]


def read_frame(path: Path, *, required: Sequence[str] = (), numeric: Sequence[str] = (),
               allow_missing: Sequence[str] = (), sheet: str | None = None) -> pd.DataFrame:
    """Read ``path`` into a frame of text columns with ``numeric`` columns as floats.

    Raises :class:`~kekiz.domain.errors.ImportFailed` naming every problem (file, row,
    column, value, expected, fix).  Empty cells are allowed only in ``allow_missing``.
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
    for col in numeric:
        cells = [str(v) for v in frame[col]]
        style = column_style(cells)
        values: list[float] = []
        for n, cell in enumerate(cells):
            parsed = parse_number(cell, style)
            if parsed.value is None and not (parsed.status != "invalid" and
                                             col in allow_missing):
                report.add("kein Zahlenwert" if parsed.status == "invalid" else "Wert fehlt",
                           row=table.first_row + int(frame.index[n]), column=col, value=cell,
                           expected="eine Zahl (z. B. 12,5 oder 12.5)",
                           fix="den Wert ergänzen oder korrigieren",
                           message_en="not a number" if parsed.status == "invalid"
                           else "value missing")
            values.append(float("nan") if parsed.value is None else parsed.value)
        frame[col] = pd.Series(values, index=frame.index, dtype="float64")
    report.raise_if_failed()
    return frame.reset_index(drop=True)
