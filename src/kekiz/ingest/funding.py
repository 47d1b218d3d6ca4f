"""Funding ledgers of the state network (CSV/XLSX) -> validated rows.

An amount that is a missing-value marker (:mod:`kekiz.domain.missing`: ``-9999``, ``-``,
``.``, ``x`` ...) is no booking: the row is left out and the note counts it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kekiz.domain.errors import ValidationReport
from kekiz.domain.missing import DEFAULT_MISSING, MissingMarkers, MissingTally
from kekiz.domain.model import Member
from kekiz.ingest.boundaries import match_key
from kekiz.ingest.cells import column_style, normalise_key, parse_number
from kekiz.ingest.tables import RawTable

__all__ = ["parse_funding"]

_COLS = {"key": ("ags", "schlüssel", "unit_id"), "year": ("jahr", "year"),
         "source": ("quelle", "source", "mittelgeber"), "amount": ("betrag", "amount", "eur"),
         "note": ("hinweis", "note", "bemerkung")}


def parse_funding(table: RawTable, programme: str, members: list[Member],
                  report: ValidationReport, key_index: dict[str, dict[str, str]],
                  missing: MissingMarkers = DEFAULT_MISSING) -> pd.DataFrame:
    lower = [h.lower() for h in table.header]
    idx: dict[str, int | None] = {
        k: next((lower.index(n) for n in names if n in lower), None) for k, names in _COLS.items()}
    german = {"key": "ags", "year": "jahr", "source": "quelle", "amount": "betrag"}
    for k in ("key", "year", "source", "amount"):
        if idx[k] is None:
            report.add("Pflichtspalte fehlt", column=german[k],
                       expected="Spalten ags, jahr, quelle, betrag; vorhanden: "
                       f"{', '.join(table.header)}",
                       fix="die Spalte ergänzen oder umbenennen",
                       message_en="required column missing")
    if not report.ok:
        return pd.DataFrame()
    joined = {m.unit_id: m for m in members if m.programme == programme}
    amount_i = idx["amount"]
    assert amount_i is not None
    style = column_style([r[amount_i] for r in table.rows])
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, int, str], int] = {}
    tally = MissingTally(missing)
    for n, row in enumerate(table.rows):
        line = table.first_row + n
        if not any(row):
            continue
        cell = {k: (row[i] if i is not None else "") for k, i in idx.items()}
        key = normalise_key(cell["key"])
        unit = _member_of(match_key(key, key_index), joined)
        if unit is None:
            report.add("Kommune unbekannt oder kein Mitglied des Programms", row=line,
                       column=table.header[idx["key"] or 0], value=key,
                       expected=f"den AGS eines Mitglieds von '{programme}'",
                       fix="zuerst die Mitglieder importieren oder den AGS korrigieren",
                       message_en="unknown municipality or not a member")
            continue
        year_text = cell["year"].strip().removesuffix(".0")
        if not (year_text.isdigit() and len(year_text) == 4):
            report.add("Jahr ungültig", row=line, column=table.header[idx["year"] or 0],
                       value=cell["year"], expected="ein Jahr wie 2017", fix="korrigieren",
                       message_en="invalid year")
            continue
        year = int(year_text)
        m = joined[unit]
        if date(year, 12, 31) < m.joined or (m.left is not None and date(year, 1, 1) > m.left):
            report.add("Förderung außerhalb der Mitgliedschaft", row=line,
                       column=table.header[idx["year"] or 0], value=year,
                       expected=f"ein Jahr ab dem Beitritt {m.joined.year}",
                       fix="Jahr oder Beitrittsdatum prüfen",
                       message_en="funding outside the membership")
            continue
        parsed = parse_number(cell["amount"], style, missing)
        if parsed.marker is not None and parsed.marker != "":
            tally.count(parsed.marker, table.header[amount_i])
            continue
        if parsed.value is None or parsed.value < 0:
            report.add("Betrag ist kein Euro-Betrag >= 0", row=line,
                       column=table.header[amount_i], value=cell["amount"],
                       expected="einen Betrag in Euro, z. B. 30.000 oder 30000,00",
                       fix="den Betrag korrigieren", message_en="amount is not >= 0 euro")
            continue
        dup = (unit, year, cell["source"].strip())
        if dup in seen:
            report.add(f"Doppelte Buchung (auch Zeile {seen[dup]})", row=line,
                       column=table.header[amount_i], value=cell["amount"],
                       expected="je Kommune, Jahr und Quelle eine Zeile",
                       fix="die Zeilen zusammenfassen", message_en="duplicate entry")
            continue
        seen[dup] = line
        rows.append({"unit_id": unit, "year": year, "source": dup[2], "amount": parsed.value,
                     "note": cell["note"]})
    for text in tally.notes():
        report.note(text.removesuffix(".") + "; diese Buchungen sind nicht übernommen.")
    return pd.DataFrame(rows, columns=["unit_id", "year", "source", "amount", "note"])


def _member_of(unit: str | None, joined: dict[str, Member]) -> str | None:
    """The member a matched unit stands for: itself, or for a kreisfreie Stadt its
    other key (Kreis ``05111`` and Gemeinde ``05111000`` are the same city)."""
    if unit is None:
        return None
    candidates = [unit]
    if len(unit) == 5:
        candidates.append(unit + "000")
    elif len(unit) == 8 and unit.endswith("000"):
        candidates.append(unit[:5])
    return next((c for c in candidates if c in joined), None)
