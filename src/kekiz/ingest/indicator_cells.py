"""The cells of an indicator table -> one observation each (issue #18).

:class:`CellReader` reads the value of one cell by the indicator's meaning: a count must be
a whole number >= 0, a share cannot be negative, and a numerator cannot exceed its
denominator in a share.  In the long layout without a value column the value is computed
as ``numerator / denominator * scale``.  Missing-value markers are read by
:func:`kekiz.ingest.cells.parse_number` and counted in :attr:`CellReader.tally`.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import ValidationReport
from kekiz.domain.missing import MissingMarkers, MissingTally, is_share
from kekiz.domain.model import Aggregation, Indicator
from kekiz.ingest.cells import ParsedNumber, column_style, parse_number

if TYPE_CHECKING:
    from kekiz.ingest.indicators import Layout

__all__ = ["CellReader", "indicator_id"]


def indicator_id(name: str) -> str:
    """The id of an indicator named ``name`` in a file (catalogue alias or a slug)."""
    cat = lookup(name)
    if cat is not None:
        return cat.id
    slug = name.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        slug = slug.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", slug).strip("_")[:64] or "wert"


def _share(ind: Indicator) -> bool:
    return is_share(ind.unit, str(ind.aggregation))


class CellReader:
    """Reads the cells of one table; keeps the tally of markers and unmatched keys."""

    def __init__(self, header: list[str], layout: Layout, missing: MissingMarkers,
                 report: ValidationReport, rows: list[tuple[int, list[str]]],
                 key_index: dict[str, dict[str, str]]) -> None:
        self.header = header
        self.layout = layout
        self.missing = missing
        self.report = report
        self.key_index = key_index
        self.tally = MissingTally(missing)
        cols = [*layout.values, layout.numerator, layout.denominator]
        self.styles = {c: column_style([r[header.index(c)] for _, r in rows[:2000]])
                       for c in cols if c}
        self.unmatched_keys: dict[str, int] = {}
        self.zero_denominator = 0

    @property
    def unmatched_total(self) -> int:
        return sum(self.unmatched_keys.values())

    def unmatched(self, key: str, line: int, key_col: str, level: str) -> None:
        self.unmatched_keys[key] = self.unmatched_keys.get(key, 0) + 1
        if self.unmatched_keys[key] > 1:
            return
        pool = list(self.key_index.get("id", {}))
        close = difflib.get_close_matches(key, pool, n=2, cutoff=0.8)
        hint = f" (meinten Sie {' oder '.join(close)}?)" if close else ""
        self.report.add(f"Gebietsschlüssel auf Ebene '{level}' unbekannt", row=line,
                        column=key_col, value=key, expected="den Schlüssel eines "
                        f"importierten Gebiets der Ebene '{level}'{hint}",
                        fix="Schlüssel korrigieren, zuerst die Grenzen importieren oder "
                        "die richtige --level angeben", message_en="unknown unit key")

    def notes(self) -> list[str]:
        if not self.zero_denominator:
            return []
        return [f"{self.zero_denominator} Quote(n) ohne Wert, weil der Nenner 0 ist."]

    def _parse(self, col: str, row: list[str], share: bool) -> ParsedNumber:
        parsed = parse_number(row[self.header.index(col)], self.styles[col], self.missing,
                              share)
        if parsed.marker is not None:
            self.tally.count(parsed.marker, col)
        return parsed

    def observation(self, ind: Indicator, unit_id: str, period: str, row: list[str],
                    col: str, line: int) -> dict[str, object] | None:
        """The observation of cell ``col`` (``""``: computed from numerator and denominator)."""
        value: float | None = None
        status = "ok"
        if col:
            parsed = self._parse(col, row, _share(ind))
            if not self._value_ok(ind, parsed, row[self.header.index(col)], col, line):
                return None
            value, status = parsed.value, parsed.status if parsed.value is None else "ok"
        numerator: float | None = None
        denominator: float | None = None
        if self.layout.numerator and self.layout.denominator:
            ok_n, numerator = self._count(row, self.layout.numerator, line)
            ok_d, denominator = self._count(row, self.layout.denominator, line)
            if not (ok_n and ok_d):
                return None
            if not self._fraction_ok(ind, numerator, denominator, row, line, computed=not col):
                return None
        if not col:
            value, status = self._computed(ind, numerator, denominator)
        return {"indicator_id": ind.id, "unit_id": unit_id, "period": period, "value": value,
                "numerator": numerator, "denominator": denominator, "status": status}

    def _computed(self, ind: Indicator, numerator: float | None,
                  denominator: float | None) -> tuple[float | None, str]:
        if numerator is None or denominator is None:
            return None, "missing"
        if denominator == 0:
            self.zero_denominator += 1
            return None, "missing"
        return numerator / denominator * ind.scale, "ok"

    def _value_ok(self, ind: Indicator, parsed: ParsedNumber, raw: str, col: str,
                  line: int) -> bool:
        add = self.report.add
        count = ind.aggregation is Aggregation.SUM
        if parsed.status == "invalid":
            what = "eine Anzahl (ganze Zahl)" if count else "eine Zahl"
            add(f"'{raw}' ist keine Anzahl" if count else f"'{raw}' ist keine Zahl", row=line,
                column=col, value=raw, expected=f"{what} für '{ind.name_de}' (z. B. 1.234,5 "
                "oder 1234.5; fehlende Werte leer, '.' für geheim)", fix="den Wert korrigieren",
                message_en="not a number")
            return False
        value = parsed.value
        if parsed.kept is not None and not count:
            self.tally.keep(parsed.kept, col)
        if value is None:
            return True
        if parsed.percent and count:
            add(f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                expected=f"eine ganze Zahl für '{ind.name_de}'", fix="die Anzahl statt "
                "eines Anteils liefern", message_en="not a count")
            return False
        if count and value < 0:
            add("Negative Anzahl", row=line, column=col, value=raw,
                expected=f"eine Anzahl >= 0 für '{ind.name_de}'",
                fix="den Wert korrigieren" + (
                    f"; steht '{raw}' für 'fehlend', --missing mit '{raw}' angeben"
                    if parsed.kept else ""), message_en="negative count")
            return False
        if count and not float(value).is_integer():
            add(f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                expected=f"eine ganze Zahl für '{ind.name_de}' (Dezimalkomma nur bei "
                "Anteilen und Quoten)", fix="den Wert als ganze Zahl liefern",
                message_en="not a count (decimal in a count column)")
            return False
        if value < 0 and ind.unit == "%" and ind.aggregation is not Aggregation.NONE:
            add("Negativer Anteil", row=line, column=col, value=raw,
                expected="einen Anteil >= 0", fix="den Wert korrigieren",
                message_en="negative share")
            return False
        return True

    def _count(self, row: list[str], col: str, line: int) -> tuple[bool, float | None]:
        """(valid, value) of a numerator or denominator: a whole number >= 0 or missing;
        an invalid cell is reported."""
        raw = row[self.header.index(col)]
        parsed = self._parse(col, row, share=False)
        if parsed.status == "invalid" or (parsed.value is not None and (
                parsed.value < 0 or not float(parsed.value).is_integer())):
            self.report.add(f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                            expected="eine ganze Zahl >= 0", fix="den Wert korrigieren",
                            message_en="not a count")
            return False, None
        return True, parsed.value

    def _fraction_ok(self, ind: Indicator, numerator: float | None,
                     denominator: float | None, row: list[str], line: int, *,
                     computed: bool) -> bool:
        if numerator is None or denominator is None:
            return True
        # a share cannot exceed its whole; a computed value with no unit is taken as one
        share = is_share(ind.unit) or (computed and ind.unit == "")
        if not (share and numerator > denominator):
            return True
        num_col = self.layout.numerator
        assert num_col is not None
        self.report.add(f"Zähler ({numerator:g}) ist größer als der Nenner ({denominator:g})",
                        row=line, column=num_col, value=row[self.header.index(num_col)],
                        expected="Zähler <= Nenner bei einem Anteil",
                        fix="Zähler und Nenner prüfen (vertauscht?)",
                        message_en="numerator greater than denominator")
        return False
