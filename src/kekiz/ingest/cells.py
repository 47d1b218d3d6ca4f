"""Parsing cells: German and English numbers, official missing-value signs, unit keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kekiz.domain.missing import DASHES, OFFICIAL_SIGNS, MissingMarkers

__all__ = ["NumberStyle", "ParsedNumber", "column_style", "normalise_key", "parse_number"]

# Signs of the official German statistics (Zeichenerklärung, DIN 55301 practice); one
# definition with the configurable markers in kekiz.domain.missing
MISSING_SIGNS = OFFICIAL_SIGNS
ZERO_SIGNS = set(DASHES)  # nichts vorhanden (genau null), unless a marker says missing

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
    #: with markers: the sign or marker read as missing ('' for an empty cell)
    marker: str | None = None
    #: with markers: a share code (e.g. '-1') kept as a number outside a share column
    kept: str | None = None


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


def parse_number(cell: str, style: str, missing: MissingMarkers | None = None,
                 share: bool = False) -> ParsedNumber:
    """Parse one cell.  ``status`` is 'invalid' when the text is not a number.

    Without ``missing`` a dash is exactly zero and every number is a value (the reading of
    the official Zeichenerklärung).  With ``missing`` (:mod:`kekiz.domain.missing`) its
    text markers and number codes are read as missing and named in ``marker``; ``share``
    says whether the column holds shares, where the share codes (``-1``) apply too.
    """
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if text in MISSING_SIGNS:
        return ParsedNumber(None, MISSING_SIGNS[text],
                            marker=None if missing is None else text)
    if missing is not None:
        marker = missing.text_marker(text)
        if marker is not None:
            return ParsedNumber(None, "missing", marker=marker)
    if text in ZERO_SIGNS:
        return ParsedNumber(0.0, "ok")
    parsed = _number(text, style)
    if missing is None or parsed.value is None:
        return parsed
    code = missing.code_marker(parsed.value, share)
    if code is not None:
        return ParsedNumber(None, "missing", parsed.percent, marker=code)
    kept = missing.kept_code(parsed.value, share)
    return ParsedNumber(parsed.value, "ok", parsed.percent, kept=kept) if kept else parsed


def _number(text: str, style: str) -> ParsedNumber:
    percent = bool(_PERCENT.search(text))
    text = _PERCENT.sub("", text)
    if style == NumberStyle.GERMAN:
        if not _GERMAN.match(text):
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
