"""Member lists of the state network (CSV/XLSX) -> validated members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Member
from kekiz.ingest.boundaries import match_key
from kekiz.ingest.cells import normalise_key
from kekiz.ingest.tables import RawTable

__all__ = ["MemberOptions", "parse_members"]

_JOIN_NAMES = ("joined", "joined_year", "beitritt", "beitrittsjahr", "seit")
_LEFT_NAMES = ("left", "left_year", "austritt", "bis")
_KEY_NAMES = ("ags", "schlüssel", "key", "unit_id")
_NAME_NAMES = ("name", "kommune", "gebiet", "vg5000_name", "name_as_in_source")
_SOURCE_NAMES = ("source_url", "quelle", "source")


@dataclass
class MemberOptions:
    programme: str
    joined: date | None = None  # for files without a join column


def _col(header: list[str], names: tuple[str, ...]) -> int | None:
    lower = [h.lower() for h in header]
    for n in names:
        if n in lower:
            return lower.index(n)
    return None


def _date(text: str) -> date | None:
    text = text.strip()
    if re.fullmatch(r"(19|20)\d\d(\.0)?", text):
        return date(int(text[:4]), 1, 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.((19|20)\d\d)", text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def parse_members(table: RawTable, opts: MemberOptions, report: ValidationReport,
                  key_index: dict[str, dict[str, str]]) -> list[Member]:
    header = table.header
    key_i, join_i = _col(header, _KEY_NAMES), _col(header, _JOIN_NAMES)
    name_i, left_i, src_i = (_col(header, _NAME_NAMES), _col(header, _LEFT_NAMES),
                             _col(header, _SOURCE_NAMES))
    for i, what in ((key_i, "ags"), (join_i, "joined_year / beitritt")):
        if i is None and not (what != "ags" and opts.joined is not None):
            report.add("Pflichtspalte fehlt", column=what, expected="Spalten ags und "
                       f"joined_year (Beitrittsjahr); vorhanden: {', '.join(header)}",
                       fix="die Spalte ergänzen oder umbenennen",
                       message_en="required column missing")
    if key_i is None or (join_i is None and opts.joined is None):
        return []
    members: list[Member] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(table.rows):
        line = table.first_row + n
        if not any(row):
            continue
        key = normalise_key(row[key_i])
        unit_id = match_key(key, key_index)
        if unit_id is None:
            report.add("Kommune unbekannt", row=line, column=header[key_i], value=key,
                       expected="den AGS eines importierten Kreises oder einer Gemeinde",
                       fix="zuerst die Grenzen importieren oder den AGS korrigieren",
                       message_en="unknown municipality")
            continue
        if unit_id in seen:
            report.add(f"Kommune doppelt (auch Zeile {seen[unit_id]})", row=line,
                       column=header[key_i], value=key, expected="jede Kommune einmal",
                       fix="die doppelte Zeile löschen", message_en="duplicate member")
            continue
        seen[unit_id] = line
        joined = opts.joined if join_i is None else _date(row[join_i])
        if joined is None:
            assert join_i is not None
            report.add("Beitritt ist kein Jahr oder Datum", row=line, column=header[join_i],
                       value=row[join_i], expected="ein Jahr (2012) oder Datum (2012-03-01)",
                       fix="den Beitritt korrigieren", message_en="join is not a year/date")
            continue
        left = None
        if left_i is not None and row[left_i].strip():
            left = _date(row[left_i])
            if left is None or left < joined:
                report.add("Austritt ungültig oder vor dem Beitritt", row=line,
                           column=header[left_i], value=row[left_i],
                           expected="ein Jahr oder Datum nach dem Beitritt",
                           fix="den Austritt korrigieren", message_en="invalid leave date")
                continue
        members.append(Member(unit_id=unit_id, name=row[name_i] if name_i is not None else "",
                              programme=opts.programme, joined=joined, left=left,
                              source=row[src_i] if src_i is not None else ""))
    return members
