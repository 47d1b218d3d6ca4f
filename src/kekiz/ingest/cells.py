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


def column_style(cells: list[str]) -> str:
    """Decide the number style of a column: German when any cell has a decimal comma."""
    for c in cells:
        c = _PERCENT.sub("", c.strip()).replace(" ", "").replace("\u00a0", "")
        if "," in c and "." not in c and re.fullmatch(r"[+-]?\d+,\d+", c) and \
                not re.fullmatch(r"[+-]?\d{1,3},\d{3}", c):
            return NumberStyle.GERMAN
        if "," in c and "." in c:
            return NumberStyle.GERMAN if c.rfind(",") > c.rfind(".") else NumberStyle.ENGLISH
    for c in cells:
        if _THOUSANDS_GROUPED.match(c.strip()) and "," not in c:
            continue
        if "." in c:
            return NumberStyle.ENGLISH
    return NumberStyle.GERMAN if any(_THOUSANDS_GROUPED.match(c.strip()) for c in cells) \
        else NumberStyle.ENGLISH


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
