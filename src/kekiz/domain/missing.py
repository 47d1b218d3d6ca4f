"""Missing-value markers: which cells of a numeric column hold no value (issue #18).

One definition for every importer and file method (indicator tables, funding ledgers,
record files, the MSS index from a file):

* the **official signs** of German statistics are never values and keep their meaning:
  empty (missing), ``.`` (suppressed, geheim), ``/`` (unreliable), ``x``, ``...``, ``…``,
  ``NA``, ``n.a.``, ``nan`` (missing);
* the **configurable markers** (``--missing``), by default ``-9999,-999,-1%,-,–,—``:

  - text markers (``-``, ``–``, ``—`` and any text a user names, e.g. ``k.A.``) are
    missing in every column.  Beware: in the Zeichenerklärung of the statistics offices a
    dash means "nichts vorhanden" (exactly zero); other sources (e.g. Berlin's MSS tables)
    use it for "no value".  kekiz reads it as missing by default, which never invents a
    value; a list without the dash reads it as 0;
  - number codes (``-9999``, ``-999``) are missing in every numeric column;
  - share codes (written with ``%``: ``-1%``) are missing only in *share columns*, whose
    values cannot be negative (unit ``%``/``‰`` or a ratio of numerator and denominator,
    MSS status shares).  In any other column (counts, changes, balances, index scores)
    the value stays a number: a change of ``-1`` is a real value there, and a count of
    ``-1`` is reported as an error.  The import note says so.

Codes are compared as numbers after the cell is read (``-9.999`` in German notation is
``-9999``).  :class:`MissingTally` counts what was read as missing, per marker and column,
and words the notes ("3 Werte '-9999' als fehlend gelesen (Spalte 'einwohner')").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from kekiz.domain.errors import KekizError

__all__ = [
    "DASHES",
    "DEFAULT_MISSING",
    "OFFICIAL_SIGNS",
    "MissingMarkers",
    "MissingTally",
    "is_share",
    "parse_missing",
]

#: Signs of the official German statistics that are never a value, with their status.
OFFICIAL_SIGNS: dict[str, str] = {
    "": "missing",
    ".": "suppressed",  # Zahlenwert unbekannt oder geheim zu halten
    "/": "unreliable",  # keine Angabe, da Zahlenwert nicht sicher genug
    "x": "missing",  # Tabellenfach gesperrt
    "X": "missing",
    "...": "missing",  # Angabe fällt später an
    "…": "missing",
    "NA": "missing",
    "na": "missing",
    "n.a.": "missing",
    "nan": "missing",
    "NaN": "missing",
}
DASHES = ("-", "–", "—")
_SHARE_UNITS = {"%", "prozent", "percent", "‰", "promille", "anteil", "share"}
_SPLIT = re.compile(r"[,;]")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def _num(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class MissingMarkers:
    """The configurable markers (the official signs always apply besides them)."""

    texts: frozenset[str] = frozenset(DASHES)
    codes: frozenset[float] = frozenset({-9999.0, -999.0})
    share_codes: frozenset[float] = frozenset({-1.0})

    def text_marker(self, text: str) -> str | None:
        """The marker a cell's text (without spaces, as cells are read) is, or ``None``."""
        if text in self.texts:
            return text
        folded = text.casefold()
        return next((t for t in self.texts if t.casefold() == folded), None)

    def code_marker(self, value: float, share: bool) -> str | None:
        """The marker a number is in a column (``share``: a share column), or ``None``."""
        if value in self.codes or (share and value in self.share_codes):
            return _num(value)
        return None

    def kept_code(self, value: float, share: bool) -> str | None:
        """A share code met outside a share column: kept as a value, named in the notes."""
        if not share and value in self.share_codes and value not in self.codes:
            return _num(value)
        return None

    @property
    def dash_is_missing(self) -> bool:
        return any(d in self.texts for d in DASHES)

    def spec(self) -> str:
        """The list as the ``--missing`` option writes it."""
        parts = [_num(c) for c in sorted(self.codes)]
        parts += [f"{_num(c)}%" for c in sorted(self.share_codes)]
        parts += sorted(self.texts)
        return ",".join(parts)


DEFAULT_MISSING = MissingMarkers()


def parse_missing(text: str | None) -> MissingMarkers:
    """The markers of a ``--missing`` list: items separated by commas or semicolons.

    ``-9999`` is a code for every column, ``-1%`` one for share columns only, anything else
    a text marker; ``standard`` adds the default list.  ``None`` gives the default list, an
    empty text no markers at all (only the official signs and empty cells stay missing).
    """
    if text is None:
        return DEFAULT_MISSING
    texts: set[str] = set()
    codes: set[float] = set()
    shares: set[float] = set()
    for item in (i.replace(" ", "").replace("\u00a0", "") for i in _SPLIT.split(text)):
        if not item:
            continue
        if item.casefold() in ("standard", "default"):
            texts |= DEFAULT_MISSING.texts
            codes |= DEFAULT_MISSING.codes
            shares |= DEFAULT_MISSING.share_codes
        elif item.endswith("%") and _NUMBER.match(item[:-1]):
            shares.add(_code(item[:-1]))
        elif _NUMBER.match(item):
            codes.add(_code(item))
        elif item in OFFICIAL_SIGNS:
            continue  # always missing anyway
        else:
            texts.add(item)
    return MissingMarkers(frozenset(texts), frozenset(codes), frozenset(shares))


def _code(item: str) -> float:
    value = float(item.replace(",", "."))
    if not math.isfinite(value):  # pragma: no cover - the pattern admits only digits
        raise KekizError(f"'{item}' ist kein Zahlencode für fehlende Werte.",
                         message_en=f"'{item}' is not a number code for missing values.")
    return value


def is_share(unit: str = "", aggregation: str = "") -> bool:
    """Whether a column holds shares (never negative): unit %/‰ or a ratio aggregation."""
    return unit.strip().casefold() in _SHARE_UNITS or str(aggregation) == "ratio"


@dataclass
class MissingTally:
    """What an import read as missing (per marker and column) and the codes it kept."""

    markers: MissingMarkers = DEFAULT_MISSING
    missing: dict[str, dict[str, int]] = field(default_factory=dict)
    kept: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, marker: str, column: str, n: int = 1) -> None:
        """``n`` cells of ``column`` read as missing because of ``marker``."""
        if n:
            cols = self.missing.setdefault(marker, {})
            cols[column] = cols.get(column, 0) + n

    def keep(self, marker: str, column: str, n: int = 1) -> None:
        """``n`` cells of ``column`` hold a share code but stay values (no share column)."""
        if n:
            cols = self.kept.setdefault(marker, {})
            cols[column] = cols.get(column, 0) + n

    def merge(self, other: MissingTally) -> None:
        for source, target in ((other.missing, self.missing), (other.kept, self.kept)):
            for marker, cols in source.items():
                mine = target.setdefault(marker, {})
                for col, n in cols.items():
                    mine[col] = mine.get(col, 0) + n

    def total(self, marker: str | None = None) -> int:
        """How many cells were read as missing (by ``marker``, or all)."""
        if marker is not None:
            return sum(self.missing.get(marker, {}).values())
        return sum(sum(c.values()) for c in self.missing.values())

    def notes(self, lang: str = "de") -> list[str]:
        """One note per marker found, then one per share code kept as a value."""
        en = lang == "en"
        out = []
        for marker in sorted(self.missing, key=_marker_order):
            cols = self.missing[marker]
            n = sum(cols.values())
            what = (("empty cell" if n == 1 else "empty cells") if en else
                    ("leere Zelle" if n == 1 else "leere Zellen")) if marker == "" else \
                (f"value '{marker}'" if n == 1 else f"values '{marker}'") if en else \
                (f"Wert '{marker}'" if n == 1 else f"Werte '{marker}'")
            text = (f"{n} {what} read as missing ({_columns(cols, en)})" if en else
                    f"{n} {what} als fehlend gelesen ({_columns(cols, en)})")
            if marker in DASHES:
                text += ("; in official tables a dash can mean 'exactly zero': then give "
                         "--missing without the dash" if en else
                         "; in amtlichen Tabellen kann ein Strich 'genau null' bedeuten: "
                         "dann --missing ohne den Strich angeben")
            out.append(text + ".")
        for marker in sorted(self.kept, key=_marker_order):
            cols = self.kept[marker]
            n = sum(cols.values())
            out.append(
                f"{n} value(s) '{marker}' read as a number, not as missing "
                f"({_columns(cols, en)}): not a share column, so a negative value can be real "
                f"data there; '{marker}' means missing only in share columns." if en else
                f"{n} Wert(e) '{marker}' als Zahl gelesen, nicht als fehlend "
                f"({_columns(cols, en)}): keine Anteilsspalte, dort kann ein negativer Wert "
                f"echt sein; '{marker}' gilt nur in Anteilsspalten als fehlend.")
        return out


def _marker_order(marker: str) -> tuple[int, float, str]:
    """Number codes first (lowest first), then the texts."""
    if _NUMBER.match(marker):
        return (0, float(marker), "")
    return (1, 0.0, marker)


def _columns(cols: dict[str, int], en: bool) -> str:
    names = ", ".join(f"'{c}'" for c in cols)
    if len(cols) == 1:
        return f"column {names}" if en else f"Spalte {names}"
    return f"columns {names}" if en else f"Spalten {names}"
