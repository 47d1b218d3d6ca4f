"""Mapping tables of fine keys to coarse keys (CSV/XLSX: fine key; coarse key; weight).

The first column names the fine unit (e.g. a Planungsraum), the second the coarse unit
(e.g. its Prognoseraum), an optional third the weight (share of the fine unit that lies in
the coarse one; 1 when empty).  A header row is recognised and skipped.  Every problem
names file, row, column and value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kekiz.domain.errors import ValidationReport
from kekiz.ingest.cells import column_style, normalise_key, parse_number
from kekiz.ingest.tables import read_table

__all__ = ["read_mapping"]


def read_mapping(path: Path, report: ValidationReport) -> pd.DataFrame:
    """fine, coarse, weight (float) and row of a mapping table; problems go to ``report``."""
    table = read_table(path, report, header_hint=None)
    if table is None:
        return pd.DataFrame(columns=["fine", "coarse", "weight", "row"])
    header = [str(h) for h in table.header]
    if len(header) < 2:
        report.add("Zu wenige Spalten", value=";".join(header),
                   expected="Spalten: feiner Schlüssel; grober Schlüssel; Gewicht (optional)",
                   fix="die Zuordnungstabelle mit zwei oder drei Spalten speichern",
                   message_en="too few columns (expected: fine key; coarse key; optional "
                   "weight)")
        return pd.DataFrame(columns=["fine", "coarse", "weight", "row"])
    style = column_style([r[2] for r in table.rows if len(r) > 2])
    rows: list[tuple[str, str, float, int]] = []
    seen: dict[tuple[str, str], int] = {}
    for n, cells in enumerate(table.rows):
        row = table.first_row + n
        fine = normalise_key(cells[0]) if cells else ""
        coarse = normalise_key(cells[1]) if len(cells) > 1 else ""
        if not fine or not coarse:
            report.add("Schlüssel fehlt", row=row, column=header[0 if not fine else 1],
                       expected="je Zeile einen feinen und einen groben Schlüssel",
                       fix="die Zeile ergänzen oder löschen", message_en="key is missing")
            continue
        weight = 1.0
        if len(cells) > 2 and cells[2].strip():
            parsed = parse_number(cells[2], style)
            if parsed.value is None or not 0 < parsed.value <= 1:
                report.add("Gewicht ungültig", row=row, column=header[2], value=cells[2],
                           expected="eine Zahl größer 0 und höchstens 1 (Anteil)",
                           fix="das Gewicht korrigieren oder leer lassen (= 1)",
                           message_en="invalid weight (expected a share above 0, at most 1)")
                continue
            weight = float(parsed.value)
        if (fine, coarse) in seen:
            report.add(f"Zuordnung doppelt (auch in Zeile {seen[(fine, coarse)]})", row=row,
                       column=header[0], value=f"{fine} -> {coarse}",
                       expected="jede Zuordnung einmal", fix="die doppelte Zeile löschen",
                       message_en="duplicate mapping")
            continue
        seen[(fine, coarse)] = row
        rows.append((fine, coarse, weight, row))
    frame = pd.DataFrame(rows, columns=["fine", "coarse", "weight", "row"])
    total = frame.groupby("fine")["weight"].sum()
    for key, w in total[total > 1 + 1e-9].items():
        report.add("Gewichte eines Gebiets summieren sich auf mehr als 1", value=str(key),
                   column=header[2] if len(header) > 2 else header[0],
                   expected="Anteile eines feinen Gebiets mit Summe höchstens 1",
                   fix=f"die Gewichte von {key} korrigieren (Summe {w:.3f})",
                   message_en="the weights of a unit sum to more than 1")
    return frame
