"""Parsing cells: German and English numbers, official missing-value signs, unit keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NumberStyle", "ParsedNumber", "column_style", "normalise_key", "parse_number"]

# Signs of the official German statistics (Zeichenerklärung, DIN 55301 practice)
MISSING_SIGNS = {
    "": "missing",
    ".": "suppressed",  # Zahlenwert unbekannt oder geheim zu halten
    "x": "missing",  # Tabellenfach gesperrt
    "X": "missing",
    "...": "missing",  # Angabe fällt später an
    "…": "missing",
    "/": "unreliable",  # keine Angabe, da Zahlenwert nicht sicher genug
    "NA": "missing",
    "na": "missing",
    "n.a.": "missing",
    "nan": "missing",
    "NaN": "missing",
}
ZERO_SIGNS = {"-", "–", "—"}  # nichts vorhanden (genau null)

_GERMAN = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")
_ENGLISH = re.compile(r"^[+-]?\d{1,3}(,\d{3})*(\.\d+)?$|^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_PERCENT = re.compile(r"\s*%$")
_THOUSANDS_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


class NumberStyle:
    GERMAN = "de"  # 1.234,5
    ENGLISH = "en"  # 1,234.5 / 1234.5


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None
    status: str  # ok / missing / suppressed / unreliable / invalid
    percent: bool = False


_AMBIGUOUS_COMMA = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+")
_AMBIGUOUS_DOT = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")


def column_style(cells: list[str]) -> str:
    """Decide the number style of a column by a vote of its unambiguous cells.

    ``12,5`` and ``0,412`` are German, ``12.5`` and ``0.412`` English; ``1.234`` and
    ``1,234`` could be either (a thousands group) and do not vote.  Missing-value signs
    (``.``, ``...``, ``/``, ``-``) never vote.  With no unambiguous cell the column is
    read as German (``1.234`` = 1234), the convention of German statistics offices.
    """
    german = english = 0
    for raw in cells:
        c = _PERCENT.sub("", raw.strip()).replace(" ", "").replace("\u00a0", "")
        if c in MISSING_SIGNS or c in ZERO_SIGNS or not re.search(r"\d", c):
            continue
        if "," in c and "." in c:
            if c.rfind(",") > c.rfind("."):
                german += 1
            else:
                english += 1
        elif "," in c:
            if not _AMBIGUOUS_COMMA.fullmatch(c):
                german += 1
        elif "." in c and not _AMBIGUOUS_DOT.fullmatch(c):
            english += 1
    return NumberStyle.ENGLISH if english > german else NumberStyle.GERMAN


def parse_number(cell: str, style: str) -> ParsedNumber:
    """Parse one cell.  ``status`` is 'invalid' when the text is not a number."""
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if text in MISSING_SIGNS:
        return ParsedNumber(None, MISSING_SIGNS[text])
    if text in ZERO_SIGNS:
        return ParsedNumber(0.0, "ok")
    percent = bool(_PERCENT.search(text))
    text = _PERCENT.sub("", text)
    if style == NumberStyle.GERMAN:
        if not _GERMAN.match(text):
            if _ENGLISH.match(text) and "." in text and "," not in text:
                return ParsedNumber(None, "invalid")
            return ParsedNumber(None, "invalid")
        text = text.replace(".", "").replace(",", ".")
    else:
        if not _ENGLISH.match(text):
            return ParsedNumber(None, "invalid")
        text = text.replace(",", "")
    try:
        return ParsedNumber(float(text), "ok", percent)
    except ValueError:
        return ParsedNumber(None, "invalid")


def normalise_key(cell: str) -> str:
    """A unit key as text: trimmed, inner spaces removed, Excel's '.0' dropped."""
    key = cell.strip().replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d+\.0+", key):
        key = key.split(".")[0]
    return key


def key_candidates(key: str) -> list[str]:
    """The forms under which an official key may be stored (leading zeros restored)."""
    out = [key]
    if key.isdigit():
        for width in (2, 3, 5, 8, 9, 12):
            if len(key) < width and len(key) >= width - 1:
                out.append(key.zfill(width))
        stripped = key.lstrip("0")
        if stripped and stripped != key:
            out.append(stripped)
    return out
