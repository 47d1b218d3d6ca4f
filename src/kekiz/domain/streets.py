"""A stored street directory: sections of streets with their unit and, where known, a
position (issue #19).

The sections are read and checked by :mod:`kekiz.ingest.streets`; the store keeps one
directory (the latest import replaces the earlier one).  The position of a section
(``lat``/``lon`` in WGS84) lets the family finder start from a street address; a section
without one starts from a point inside its unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["STREET_KIND", "StreetEntry", "normalise_street"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_STREET_WORD = re.compile(r"(strasse|str\.?)(?=$|[^a-z])")

#: ``Dataset.kind`` of an imported street directory.
STREET_KIND = "streets"


@dataclass(frozen=True)
class StreetEntry:
    """One section of a street: house numbers ``first`` to ``last`` on ``side``
    (``gerade``, ``ungerade`` or ``alle``) in the unit ``unit_id``."""

    street: str
    first: int
    last: int
    side: str
    postcode: str
    unit_id: str
    lat: float | None = None
    lon: float | None = None
    row: int = 0


def normalise_street(name: str) -> str:
    """``"Aachener Straße"``, ``"aachener str."``, ``"Aachener-Strasse"`` -> ``"aachenerstr"``."""
    text = unicodedata.normalize("NFC", str(name)).strip().lower().translate(_UMLAUTS)
    text = _STREET_WORD.sub("str", text)
    text = re.sub(r"[\s\-\.\u00a0'`´/]+", "", text)
    return text
