"""Street directory: address (street, house number, postcode) -> unit.

The directory is a CSV (or XLSX) file, one row per street section::

    strasse;hausnummer_von;hausnummer_bis;seite;plz;gebiet
    Aachener Straße;1;99;ungerade;50674;101
    Aachener Straße;2;98;gerade;50674;101
    Aachener Straße;101;;alle;50931;301
    Abteistraße;;;alle;;702

``strasse``
    the street name as the registry writes it (normalised for matching, see
    :func:`normalise_street`).
``hausnummer_von``, ``hausnummer_bis``
    the first and last house number of the section (inclusive; suffixes like ``12a``
    count as 12).  Empty ``von`` means from 1, empty ``bis`` means to the end; both
    empty: the whole street.
``seite``
    ``gerade`` (even numbers), ``ungerade`` (odd) or ``alle`` (both; also ``g``/``u``/
    ``a``, ``even``/``odd``/``all``).  Empty means ``alle``.
``plz``
    the postcode of the section (optional).  A record's postcode selects among sections
    of the same street; a record without postcode matches any.
``gebiet``
    the key of the unit (e.g. the Stadtteil number ``101`` or the full id
    ``05315000-101``); also accepted as ``bezirk``, ``stadtteil``, ``unit``.
``lat``, ``lon`` (optional)
    a position of the section in WGS84 degrees (also ``breite``/``laenge``), e.g. the
    middle of its house numbers; the family finder starts from it.  Both or neither.

Matching ignores case, ``ß``/``ss``, umlauts (``ä``/``ae``), ``Str.``/``Straße``/
``Strasse``, hyphens, dots and spaces.  Addresses that match no section are counted by
reason with the nearest street names as suggestions (difflib) - never dropped silently.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kekiz.domain.directory import parse_coordinate
from kekiz.domain.errors import ValidationReport
from kekiz.domain.streets import normalise_street
from kekiz.ingest.tables import read_table

__all__ = ["Section", "StreetDirectory", "normalise_street", "parse_house_number",
           "read_street_directory"]

UNIT_COLUMNS = ("gebiet", "bezirk", "stadtteil", "unit", "gebietsschluessel")
_SIDES = {"": "alle", "alle": "alle", "a": "alle", "all": "alle", "beide": "alle",
          "gerade": "gerade", "g": "gerade", "even": "gerade",
          "ungerade": "ungerade", "u": "ungerade", "odd": "ungerade"}
_NUMBER = re.compile(r"^\s*(\d+)")

#: Reasons why an address has no unit.
REASONS = ("unknown_street", "house_number_outside", "missing_house_number", "ambiguous",
           "postcode_mismatch")


def parse_house_number(text: object) -> int | None:
    """The number part of a house number (``"12a"`` -> 12, ``"12-14"`` -> 12)."""
    if text is None:
        return None
    if isinstance(text, float):
        if text != text:
            return None
        return int(text)
    match = _NUMBER.match(str(text))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Section:
    street: str  # as written in the directory
    first: int
    last: int
    side: str
    postcode: str
    unit: int  # position of the unit
    row: int
    lat: float | None = None
    lon: float | None = None


@dataclass
class Match:
    unit: NDArray[np.int32]
    reason: NDArray[np.object_]  # '' where matched
    suggestion: dict[str, str] = field(default_factory=dict)  # street as given -> nearest


@dataclass
class StreetDirectory:
    """Sections by normalised street name (see the module docs)."""

    sections: dict[str, list[Section]]
    spelling: dict[str, str]  # normalised -> as written
    file: str = ""

    def __len__(self) -> int:
        return sum(len(v) for v in self.sections.values())

    def suggest(self, normalised: str) -> str | None:
        close = difflib.get_close_matches(normalised, list(self.sections), n=1, cutoff=0.75)
        return self.spelling[close[0]] if close else None

    def match(self, streets: Sequence[object], numbers: Sequence[object],
              postcodes: Sequence[object] | None = None) -> Match:
        """Unit position per address (-1 with a reason where none)."""
        n = len(streets)
        unit = np.full(n, -1, dtype=np.int32)
        reason = np.full(n, "", dtype=object)
        cache: dict[tuple[str, int | None, str], tuple[int, str]] = {}
        norm_cache: dict[str, str] = {}
        suggestions: dict[str, str] = {}
        for k in range(n):
            raw = streets[k]
            if raw is None or (isinstance(raw, float) and raw != raw) or str(raw).strip() == "":
                reason[k] = "unknown_street"
                continue
            s = str(raw)
            norm = norm_cache.get(s)
            if norm is None:
                norm = norm_cache[s] = normalise_street(s)
            number = parse_house_number(numbers[k])
            plz = "" if postcodes is None or postcodes[k] is None else \
                str(postcodes[k]).strip().split(".")[0]
            key = (norm, number, plz)
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = self._one(norm, number, plz)
            unit[k], reason[k] = hit
            if hit[1] == "unknown_street" and s not in suggestions:
                suggestions[s] = self.suggest(norm) or ""
        return Match(unit, reason, suggestions)

    def _one(self, norm: str, number: int | None, plz: str) -> tuple[int, str]:
        fits, reason = self.fitting(norm, number, plz)
        return (fits[0].unit, "") if fits else (-1, reason)

    def fitting(self, norm: str, number: int | None, plz: str = ""
                ) -> tuple[list[Section], str]:
        """The sections of one unit that hold the address (street normalised with
        :func:`normalise_street`), or no sections and the reason (see ``REASONS``)."""
        sections = self.sections.get(norm)
        if not sections:
            return [], "unknown_street"
        if plz:
            same = [s for s in sections if not s.postcode or s.postcode == plz]
            if not same:
                return [], "postcode_mismatch"
            sections = same
        if number is None:
            if len({s.unit for s in sections}) == 1:
                return list(sections), ""
            return [], "missing_house_number"
        fits = [s for s in sections if s.first <= number <= s.last and (
            s.side == "alle" or (s.side == "gerade") == (number % 2 == 0))]
        if len({s.unit for s in fits}) == 1:
            return fits, ""
        if not fits:
            return [], "house_number_outside"
        return [], "ambiguous"


def read_street_directory(path: Path, report: ValidationReport,
                          unit_of: Callable[[str], int]) -> StreetDirectory | None:
    """Read and check a directory; ``unit_of(key)`` gives the unit position (-1 unknown).

    Every problem (missing column, unknown unit, bad house number, overlapping sections
    with different units) goes to ``report`` with row, column, value and fix.
    """
    table = read_table(path, report, header_hint=["strasse"])
    if table is None:
        return None
    header = [h.strip().lower() for h in table.header]
    unit_col = _unit_column(header, table.header, report)
    if unit_col is None:
        return None
    col = {name: header.index(name) for name in header}
    sections: dict[str, list[Section]] = {}
    spelling: dict[str, str] = {}
    for offset, row in enumerate(table.rows):
        if not any(row):
            continue
        cells = {name: row[k].strip() for name, k in col.items()}
        section = _section(cells, table.first_row + offset, unit_col, unit_of, report)
        if section is not None:
            norm = normalise_street(section.street)
            spelling.setdefault(norm, section.street)
            sections.setdefault(norm, []).append(section)
    _check_overlaps(sections, report, unit_col)
    if not sections and report.ok:
        report.add("Das Straßenverzeichnis enthält keine Abschnitte",
                   expected="mindestens eine Straße", fix="die richtige Datei angeben",
                   message_en="the street directory is empty")
    return StreetDirectory(sections, spelling, path.name) if report.ok else None


def _unit_column(header: list[str], names: list[str], report: ValidationReport
                 ) -> str | None:
    """The column with the unit key (``None`` after reporting a missing column)."""
    unit_col = next((c for c in UNIT_COLUMNS if c in header), None)
    if "strasse" not in header:
        report.add("Spalte nicht gefunden", column="strasse",
                   expected="die Spalten strasse;hausnummer_von;hausnummer_bis;seite;plz;"
                   f"gebiet; vorhanden: {', '.join(names)}",
                   fix="die Kopfzeile des Straßenverzeichnisses anpassen",
                   message_en="column not found")
    if unit_col is None:
        report.add("Spalte mit dem Gebiet nicht gefunden", column="gebiet",
                   expected="eine Spalte gebiet (oder bezirk, stadtteil); vorhanden: "
                   + ", ".join(names), fix="die Spalte mit dem Gebietsschlüssel "
                   "'gebiet' nennen", message_en="unit column not found")
    return unit_col if report.ok else None


def _section(cells: dict[str, str], line: int, unit_col: str,
             unit_of: Callable[[str], int], report: ValidationReport) -> Section | None:
    """The section of one row (``None`` without a street or a known unit)."""
    street = cells.get("strasse", "")
    if not street:
        report.add("Straßenname fehlt", row=line, column="strasse",
                   expected="einen Straßennamen", fix="den Namen ergänzen oder die Zeile "
                   "löschen", message_en="street name missing")
        return None
    bounds = []
    for name, default in (("hausnummer_von", 1), ("hausnummer_bis", 10**6)):
        text = cells.get(name, "")
        if not text:
            bounds.append(default)
            continue
        number = parse_house_number(text)
        if number is None:
            report.add("Hausnummer ist keine Zahl", row=line, column=name, value=text,
                       expected="eine Hausnummer (z. B. 12 oder 12a) oder leer",
                       fix="die Hausnummer korrigieren", message_en="not a house number")
            number = default
        bounds.append(number)
    if bounds[0] > bounds[1]:
        report.add("Bereich verkehrt herum", row=line, column="hausnummer_von",
                   value=f"{bounds[0]}-{bounds[1]}", expected="hausnummer_von <= "
                   "hausnummer_bis", fix="von und bis tauschen",
                   message_en="range reversed")
    side_text = cells.get("seite", "").lower()
    side = _SIDES.get(side_text)
    if side is None:
        report.add("Unbekannte Straßenseite", row=line, column="seite", value=side_text,
                   expected="gerade, ungerade oder alle", fix="die Seite korrigieren",
                   message_en="unknown side")
        side = "alle"
    key = cells.get(unit_col, "")
    unit = unit_of(key) if key else -1
    if unit < 0:
        report.add("Gebiet unbekannt", row=line, column=unit_col, value=key,
                   expected="den Schlüssel eines importierten Gebiets der gewählten Ebene",
                   fix="den Schlüssel korrigieren oder zuerst die Grenzen importieren",
                   message_en="unknown unit")
        return None
    lat, lon = _position(cells, line, report)
    return Section(street, bounds[0], bounds[1], side, cells.get("plz", "").split(".")[0],
                   unit, line, lat, lon)


def _position(cells: dict[str, str], line: int, report: ValidationReport
              ) -> tuple[float | None, float | None]:
    """The optional position of a section (``lat``/``lon`` or ``breite``/``laenge``)."""
    texts = [cells.get(a, "") or cells.get(b, "") for a, b in (("lat", "breite"),
                                                                ("lon", "laenge"))]
    if not any(texts):
        return None, None
    values: list[float | None] = []
    for name, text, low, high in (("lat", texts[0], 47.0, 55.5),
                                  ("lon", texts[1], 5.5, 15.5)):
        value = parse_coordinate(text)
        if value is None or not low <= value <= high:
            report.add("Koordinate fehlt oder liegt nicht in Deutschland", row=line,
                       column=name, value=text, expected=f"Grad (WGS84) zwischen {low:g} "
                       f"und {high:g}, z. B. 50,94 / 6,96; lat und lon beide oder keine",
                       fix="die Koordinate korrigieren oder beide Spalten leer lassen",
                       message_en="coordinate missing or outside Germany")
        values.append(value)
    return values[0], values[1]


def _check_overlaps(sections: dict[str, list[Section]], report: ValidationReport,
                    unit_col: str) -> None:
    for secs in sections.values():
        for i, a in enumerate(secs):
            for b in secs[i + 1:]:
                if a.unit == b.unit or (a.postcode and b.postcode and a.postcode != b.postcode):
                    continue
                sides = a.side == "alle" or b.side == "alle" or a.side == b.side
                if sides and a.first <= b.last and b.first <= a.last:
                    report.add(f"Abschnitt überschneidet sich mit Zeile {a.row}, aber anderes "
                               "Gebiet", row=b.row, column=unit_col,
                               value=f"{b.street} {b.first}-{b.last}",
                               expected="je Hausnummer genau ein Gebiet",
                               fix="die Hausnummernbereiche bereinigen",
                               message_en=f"section overlaps row {a.row} with another unit")
